// Package ledger measures the plan targets of the seed documents against the
// registry: the targets ledger (台账) of SPEC §5.6. For each target it gives
// the actual value, the pipeline (储备: firms eligible now for the target's
// program that do not hold the title), the near-misses of that program, and
// whether the region is on track, with the reason in Chinese.
//
// # Dates
//
// A target of year Y is measured at AsOf: 31 December of Y, or today while Y
// runs. Honors count when valid at AsOf (honor_count) or issued from 1
// January of Y to AsOf (honor_new, applications). Figures from fiscal years
// (above-size status, amounts, growth) come from the data year: Y itself once
// it is over, else the latest closed fiscal year (Y − 1 in the current year),
// and the result names it. A firm is above size in fiscal year D when the
// above-size program finds it eligible for an as-of date in D + 1 (the
// program reads "上年度").
//
// # Pipeline and near-misses
//
// The pipeline counts the firms in the target's scope (region, chain,
// above-size) that do not hold a counted honor valid at AsOf and whose result
// for the metric's program at AsOf is eligible or needs_review: HNTE is at
// best needs_review, since its expert-scored items are for staff to confirm,
// and counting eligible alone would leave its pipeline always empty. The
// near-miss count is those of the same firms whose result is a near-miss
// (rules.Result.NearMiss). Above-size targets have no pipeline (the title is
// the fiscal data itself, so no firm can be eligible without counting) and
// count the above-size program's near-misses in the data year.
//
// # On track
//
// A target is judged, in this order:
//
//  1. no data (nothing to measure: no fiscal figures, a zero base for
//     growth): on_track is null, status no_data;
//  2. the actual reaches the goal (≥ goal; "about N" counts from
//     (1 − registry.AboutTolerance) × N): met;
//  3. the year is over: missed;
//  4. while the year runs:
//     - targets counted by dated events (honor_new, applications) are on
//     track when the actual reaches the goal × the share of the year
//     elapsed at AsOf (时序进度, the pace the Hecheng plan asks for), or
//     when the actual plus the pipeline reaches the goal (titles are issued
//     in batches, so a count can sit at zero until the batch and still be
//     within reach);
//     - honor stocks (honor_count) are on track when the actual plus the
//     pipeline reaches the goal;
//     - figures from fiscal years are behind until they reach the goal: the
//     data year is a whole year, so there is no pace to allow for.
//
// Otherwise the target is behind. The reason gives the numbers.
package ledger

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// AboveSizeProgram is the program that decides above-size status.
const AboveSizeProgram = "above-size"

// Scanner streams the registry's firms; api.FirmService and *store.Store
// implement it.
type Scanner interface {
	ScanFirms(ctx context.Context, f registry.FirmFilter, fn func(*registry.Record) error) error
}

// Compute measures targets against the firms of their regions, streamed from
// firms and evaluated by eng, on the date today. The results are in the
// order of targets.
// Errors: the scanner's (registry.ErrUnavailable), or the context's.
func Compute(ctx context.Context, eng *rules.Engine, firms Scanner, targets []registry.Target, today time.Time) ([]registry.TargetProgress, error) {
	l := New(eng, targets, today)
	for _, ff := range l.Filters() {
		err := firms.ScanFirms(ctx, ff, func(r *registry.Record) error {
			l.Add(&r.Firm)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
	}
	return l.Results(), nil
}

// Ledger accumulates the measurements of a set of targets firm by firm:
// build it with New, pass every firm of the regions in Filters to Add, and
// read Results. It is not safe for concurrent use.
type Ledger struct {
	eng   *rules.Engine
	today time.Time
	rows  []*row
	// needs lists, per evaluation date, the programs some row asks of a
	// firm, so each firm is evaluated once per date.
	needs map[time.Time][]string
}

// row is one target and its running counts.
type row struct {
	t        registry.Target
	asOf     time.Time
	dataYear int
	// program is the metric's program when the engine has it.
	program string
	// missing names the programs the row needs that the engine lacks.
	missing []string

	count    int
	pipeline int
	nearMiss int
	sum      float64 // amounts of the data year
	n        int     // firms with an amount in the data year
	prevSum  float64 // amounts of the year before
	prevN    int
}

// New prepares a ledger of targets for the date today.
func New(eng *rules.Engine, targets []registry.Target, today time.Time) *Ledger {
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	l := &Ledger{eng: eng, today: today, needs: map[time.Time][]string{}}
	for _, t := range targets {
		r := &row{t: t}
		r.asOf = time.Date(t.Year, 12, 31, 0, 0, 0, 0, time.UTC)
		if r.asOf.After(today) {
			r.asOf = today
		}
		r.dataYear = min(t.Year, today.Year()-1)
		m := &r.t.Metric
		if m.Program != "" {
			if l.known(m.Program) {
				r.program = m.Program
				l.need(r.asOf, m.Program)
			} else {
				r.missing = append(r.missing, m.Program)
			}
		}
		if m.AboveSize || m.Kind == registry.MetricAboveSizeCount || m.Kind == registry.MetricAboveSizeNew {
			if l.known(AboveSizeProgram) {
				l.need(fiscalAsOf(r.dataYear), AboveSizeProgram)
				if m.Kind == registry.MetricAboveSizeNew {
					l.need(fiscalAsOf(r.dataYear-1), AboveSizeProgram)
				}
			} else {
				r.missing = append(r.missing, AboveSizeProgram)
			}
		}
		l.rows = append(l.rows, r)
	}
	return l
}

func (l *Ledger) known(program string) bool {
	return l.eng != nil && len(l.eng.Editions(program)) > 0
}

func (l *Ledger) need(d time.Time, program string) {
	if !slices.Contains(l.needs[d], program) {
		l.needs[d] = append(l.needs[d], program)
	}
}

// fiscalAsOf is the as-of date at which a program reads fiscal year y as
// its "上年度".
func fiscalAsOf(y int) time.Time { return time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC) }

// Filters returns the registry filters whose firms the targets need: one
// per region, leaving out a region another one covers (a city's scan
// includes its counties), so no firm comes twice.
func (l *Ledger) Filters() []registry.FirmFilter {
	var areas []string
	for _, r := range l.rows {
		if !slices.Contains(areas, r.t.RegionCode) {
			areas = append(areas, r.t.RegionCode)
		}
	}
	slices.Sort(areas)
	var out []registry.FirmFilter
	for _, a := range areas {
		covered := false
		for _, b := range areas {
			covered = covered || (b != a && registry.RegionCovers(b, a))
		}
		if !covered {
			out = append(out, registry.FirmFilter{RegionCode: a})
		}
	}
	return out
}

// Add measures one firm for every target whose region covers it.
func (l *Ledger) Add(f *registry.Firm) {
	ev := evaluator{l: l, f: f}
	for _, r := range l.rows {
		m := &r.t.Metric
		if !registry.RegionCovers(r.t.RegionCode, f.RegionCode) || (m.Chain != "" && f.Chain != m.Chain) {
			continue
		}
		if m.AboveSize && !ev.aboveSize(r.dataYear) {
			continue
		}
		switch m.Kind {
		case registry.MetricHonorCount:
			if holds(f, m, r.asOf) {
				r.count++
			}
		case registry.MetricHonorNew, registry.MetricApplications:
			if n := issued(f, m, r.t.Year, r.asOf); m.CountHonors {
				r.count += n
			} else if n > 0 {
				r.count++
			}
		case registry.MetricFirmCount:
			if est, err := registry.ParseDate(f.Established); err != nil || !est.After(r.asOf) {
				r.count++
			}
		case registry.MetricAboveSizeCount:
			if ev.aboveSize(r.dataYear) {
				r.count++
			}
		case registry.MetricAboveSizeNew:
			if ev.aboveSize(r.dataYear) && !ev.aboveSize(r.dataYear-1) {
				r.count++
			}
		case registry.MetricAmount, registry.MetricGrowth:
			if v := amount(f, r.dataYear, m.Field); v != nil {
				r.sum += float64(*v)
				r.n++
			}
			if v := amount(f, r.dataYear-1, m.Field); v != nil {
				r.prevSum += float64(*v)
				r.prevN++
			}
		}
		switch {
		case r.program != "" && !holds(f, m, r.asOf):
			res := ev.result(r.program, r.asOf)
			switch {
			case res == nil:
			case res.Status == rules.Eligible || res.Status == rules.NeedsReview:
				r.pipeline++
			case res.NearMiss():
				r.nearMiss++
			}
		case m.Kind == registry.MetricAboveSizeCount || m.Kind == registry.MetricAboveSizeNew:
			if res := ev.result(AboveSizeProgram, fiscalAsOf(r.dataYear)); res != nil && res.NearMiss() {
				r.nearMiss++
			}
		}
	}
}

// holds reports whether the firm holds an honor the metric counts, valid
// at d.
func holds(f *registry.Firm, m *registry.Metric, d time.Time) bool {
	for i := range f.Honors {
		if h := &f.Honors[i]; m.Counts(h) && h.ValidAt(d) {
			return true
		}
	}
	return false
}

// issued counts the honors the metric counts that were issued in year y, on
// or before asOf.
func issued(f *registry.Firm, m *registry.Metric, y int, asOf time.Time) int {
	n := 0
	for i := range f.Honors {
		h := &f.Honors[i]
		if !m.Counts(h) {
			continue
		}
		if d, err := registry.ParseDate(h.Issued); err == nil && d.Year() == y && !d.After(asOf) {
			n++
		}
	}
	return n
}

func amount(f *registry.Firm, y int, field string) *int64 {
	if fy := f.Year(y); fy != nil {
		return registry.YearAmount(fy, field)
	}
	return nil
}

// evaluator evaluates one firm lazily: on the first question about a date
// it runs every program the ledger needs at that date, once.
type evaluator struct {
	l       *Ledger
	f       *registry.Firm
	results map[time.Time][]rules.Result
}

func (e *evaluator) result(program string, d time.Time) *rules.Result {
	rs, ok := e.results[d]
	if !ok {
		// The programs were checked in New, so Evaluate cannot fail; a
		// failure leaves the firm out of the pipeline rather than the ledger
		// without an answer.
		rs, _ = e.l.eng.Evaluate(rules.Request{Firm: e.f, AsOf: d, Programs: e.l.needs[d]})
		if e.results == nil {
			e.results = map[time.Time][]rules.Result{}
		}
		e.results[d] = rs
	}
	for i := range rs {
		if rs[i].Program == program {
			return &rs[i]
		}
	}
	return nil
}

// aboveSize reports whether the firm is above size in fiscal year y.
func (e *evaluator) aboveSize(y int) bool {
	r := e.result(AboveSizeProgram, fiscalAsOf(y))
	return r != nil && (r.Status == rules.Eligible || r.Status == rules.NeedsReview)
}

// Results returns each target's measurement and judgement, in the order of
// the targets given to New.
func (l *Ledger) Results() []registry.TargetProgress {
	out := make([]registry.TargetProgress, 0, len(l.rows))
	for _, r := range l.rows {
		out = append(out, l.progress(r))
	}
	return out
}

func (l *Ledger) progress(r *row) registry.TargetProgress {
	m := &r.t.Metric
	p := registry.TargetProgress{Target: r.t, Unit: m.Unit(), AsOf: r.asOf.Format(registry.DateLayout)}
	p.Metric.Honors = slices.Clone(m.Honors)
	if fiscal(m) {
		p.DataYear = r.dataYear
	}
	noAboveSize := slices.Contains(r.missing, AboveSizeProgram)
	switch {
	case noAboveSize:
		// Above-size status is unknown, so nothing here can be counted.
	case m.Kind == registry.MetricAmount:
		if r.n > 0 {
			p.Actual = ptr(r.sum)
		}
	case m.Kind == registry.MetricGrowth:
		if r.n > 0 && r.prevN > 0 && r.prevSum > 0 {
			g := round2((r.sum - r.prevSum) / r.prevSum * 100)
			p.Actual = &g
		}
	case m.Kind == registry.MetricAboveSizeCount || m.Kind == registry.MetricAboveSizeNew:
		p.Actual = ptr(float64(r.count))
		p.NearMiss = ptr(r.nearMiss)
	default:
		p.Actual = ptr(float64(r.count))
	}
	if r.program != "" && !noAboveSize {
		p.Pipeline, p.NearMiss = ptr(r.pipeline), ptr(r.nearMiss)
	}
	l.judge(&p, r)
	if len(r.missing) > 0 {
		p.Reason += "（规则引擎中没有评价项目“" + strings.Join(r.missing, "”“") + "”，相关数值未统计）"
	}
	return p
}

// fiscal reports whether the metric reads fiscal years.
func fiscal(m *registry.Metric) bool {
	switch m.Kind {
	case registry.MetricAboveSizeCount, registry.MetricAboveSizeNew, registry.MetricAmount, registry.MetricGrowth:
		return true
	}
	return m.AboveSize
}

// judge sets OnTrack, Status, Expected and Reason by the rule of the
// package comment.
func (l *Ledger) judge(p *registry.TargetProgress, r *row) {
	m, t := &r.t.Metric, &r.t
	if p.Actual == nil {
		p.Status = registry.TargetNoData
		p.Reason = noDataReason(p, m)
		return
	}
	a, goal, unit := *p.Actual, t.Goal, p.Unit
	// A reason reads: [status: ][basis]figures[, shortfall][; pipeline][remark].
	figures := "实际" + value(a, unit) + "，目标" + value(goal, unit) +
		map[string]string{registry.CompareAtLeast: "以上", registry.CompareAbout: "左右"}[t.Comparison]
	short := "，差" + value(goal-a, unit)
	if unit == "percent" {
		short = "，差" + trim(goal-a, 2) + "个百分点"
	}
	basis, remark := "", ""
	if p.DataYear != 0 {
		basis = fmt.Sprintf("按%d年度数据，", p.DataYear)
		if m.AboveSize {
			basis = fmt.Sprintf("规模以上按%d年度数据认定，", p.DataYear)
		}
		if p.DataYear < t.Year {
			remark = fmt.Sprintf("（%d年度数据尚未形成，按最近一个完整会计年度测算）", t.Year)
		}
	}
	pipe, pipeText := 0, ""
	if p.Pipeline != nil {
		pipe = *p.Pipeline
		pipeText = fmt.Sprintf("储备%d家符合条件、尚未认定", pipe)
	}
	set := func(status, reason string) {
		on := status == registry.TargetMet || status == registry.TargetOnTrack
		p.OnTrack, p.Status, p.Reason = &on, status, reason+remark
	}
	if registry.Reached(a, goal, t.Comparison) {
		set(registry.TargetMet, "已完成："+basis+figures)
		return
	}
	current := l.today.Year()
	if t.Year < current {
		set(registry.TargetMissed, strconv.Itoa(t.Year)+"年度已结束，未完成："+basis+figures+short)
		return
	}
	withPipe := pipe > 0 && registry.Reached(a+float64(pipe), goal, t.Comparison)
	behind := basis + figures + short
	if pipeText != "" {
		behind += "；" + pipeText
	}
	switch m.Kind {
	case registry.MetricHonorNew, registry.MetricApplications:
		elapsed := 0.0
		if t.Year == current {
			elapsed = float64(r.asOf.YearDay()) / float64(daysIn(t.Year))
		}
		exp := round2(goal * elapsed)
		p.Expected = &exp
		pace := fmt.Sprintf("全年已过%s%%，按时序进度应完成%s，", trim(elapsed*100, 1), value(exp, unit))
		switch {
		case registry.Reached(a, exp, t.Comparison):
			set(registry.TargetOnTrack, "达到时序进度："+pace+basis+figures)
		case withPipe:
			set(registry.TargetOnTrack, "低于时序进度（"+pace+basis+figures+"），但"+pipeText+"，全部认定即可完成")
		default:
			set(registry.TargetBehind, "滞后于时序进度："+pace+behind)
		}
	case registry.MetricHonorCount:
		if withPipe {
			set(registry.TargetOnTrack, basis+figures+"；"+pipeText+"，全部认定即可达到目标")
			return
		}
		set(registry.TargetBehind, "未达到目标："+behind)
	default:
		set(registry.TargetBehind, "未达到目标："+behind)
	}
}

func noDataReason(p *registry.TargetProgress, m *registry.Metric) string {
	name := registry.TargetFields[m.Field]
	switch m.Kind {
	case registry.MetricGrowth:
		return fmt.Sprintf("无可比数据：库内企业缺少%d年度或%d年度的%s（或上年合计为0）", p.DataYear-1, p.DataYear, name)
	case registry.MetricAmount:
		return fmt.Sprintf("无数据：库内企业缺少%d年度的%s", p.DataYear, name)
	}
	return "无数据"
}

// value renders an amount in its unit for a reason: 家, 个, 亿元/万元, %.
func value(v float64, unit string) string {
	switch unit {
	case "percent":
		return trim(v, 2) + "%"
	case "yuan":
		if math.Abs(v) >= 1e8 {
			return trim(v/1e8, 2) + "亿元"
		}
		return trim(v/1e4, 2) + "万元"
	case "honors":
		return trim(v, 2) + "个"
	}
	return trim(v, 2) + "家"
}

// trim formats v with at most prec decimals and no trailing zeros.
func trim(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func daysIn(y int) int {
	return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).YearDay()
}

func ptr[T any](v T) *T { return &v }
