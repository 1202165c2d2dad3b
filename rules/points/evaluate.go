package points

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// scale is the total of the points (千分制).
const scale = 1000

// Program is innovation-points@2024 ready to evaluate: the model, and the
// names of the regions its explanations mention. It is immutable and safe
// for concurrent use.
type Program struct {
	m     *Model
	names func(code string) string
}

// New returns the program of model m. names gives a division code's name
// ("431202" → "鹤城区"; "" when unknown); nil names regions by code.
func New(m *Model, names func(code string) string) *Program {
	return &Program{m: m, names: names}
}

// Model returns the program's model.
func (p *Program) Model() *Model { return p.m }

// ID is the program id.
func (p *Program) ID() string { return p.m.ID }

// Edition is the program edition.
func (p *Program) Edition() string { return p.m.Edition }

// Key is "id@edition".
func (p *Program) Key() string { return p.m.Key() }

// Hash identifies the model's parameters.
func (p *Program) Hash() string { return p.m.Hash() }

// Stamp identifies what a result was computed under beyond the profile:
// the model and the distribution the firm was ranked against (nil: none).
func (p *Program) Stamp(d *registry.CohortDistribution) string {
	if d == nil {
		return p.Hash()
	}
	return p.Hash() + "/" + d.ID + "@" + d.BuiltAt.UTC().Format(time.RFC3339Nano)
}

// Source finds cohort distributions.
type Source interface {
	// Cohort returns the distribution of the cohort of a region (a
	// division code) at a stage, nil when there is none. Errors are the
	// store's (registry.ErrUnavailable).
	Cohort(ctx context.Context, region, stage string) (*registry.CohortDistribution, error)
}

// Set is the distributions of one pass 1 as a Source.
type Set map[string]*registry.CohortDistribution

// NewSet indexes distributions by region and stage.
func NewSet(ds []registry.CohortDistribution) Set {
	s := make(Set, len(ds))
	for i := range ds {
		s[ds[i].RegionCode+"/"+ds[i].Stage] = &ds[i]
	}
	return s
}

// Cohort implements Source.
func (s Set) Cohort(_ context.Context, region, stage string) (*registry.CohortDistribution, error) {
	return s[region+"/"+stage], nil
}

// LatestStore reads the newest stored distribution of a cohort.
// *store.Store implements it. Errors: registry.ErrNotFound,
// registry.ErrUnavailable.
type LatestStore interface {
	LatestCohort(ctx context.Context, program, region, stage string) (registry.CohortDistribution, error)
}

// Latest is a Source of each cohort's newest stored distribution, for a
// self-check. A nil store has none.
func Latest(st LatestStore, program string) Source { return latest{st, program} }

type latest struct {
	st      LatestStore
	program string
}

func (l latest) Cohort(ctx context.Context, region, stage string) (*registry.CohortDistribution, error) {
	if l.st == nil {
		return nil, nil
	}
	d, err := l.st.LatestCohort(ctx, l.program, region, stage)
	if errors.Is(err, registry.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// Options tune one evaluation.
type Options struct {
	// Estimate says the firm is placed against a stored distribution it
	// may not be part of (a self-check, a stored firm's eligibility): the
	// result says it is an estimate, and against which cohort.
	Estimate bool
}

// scored is a firm's points against one cohort.
type scored struct {
	total float64
	// max is the total with every missing indicator at the top of the
	// cohort: what the firm could reach by completing its data.
	max    float64
	share  []float64 // per indicator: its score in [0, 1]
	pct    []float64 // per ranked indicator with a value: its percentile rank; -1 otherwise
	points []float64 // per indicator: its points
	groups map[string]float64
}

// indexed lines a cohort's indicator distributions up with the model's
// indicators (nil for a tiered one, or one the cohort lacks).
func (m *Model) indexed(d *registry.CohortDistribution) []*registry.IndicatorDistribution {
	out := make([]*registry.IndicatorDistribution, len(m.Indicators))
	for k := range m.Indicators {
		for j := range d.Indicators {
			if d.Indicators[j].Indicator == m.Indicators[k].ID {
				out[k] = &d.Indicators[j]
				break
			}
		}
	}
	return out
}

// score is Points = 1000 × Σ_category W(stage) × Σ_indicator s / n: each
// indicator's score s in [0, 1] (its percentile rank, or its tier) times
// its category's weight shared equally among the category's n indicators.
// A missing or undefined value scores 0, as does a level indicator at zero
// or below (finance.md §5.1).
func (m *Model) score(ms *Measures, stage string, dists []*registry.IndicatorDistribution) scored {
	n := len(m.Indicators)
	sc := scored{share: make([]float64, n), pct: make([]float64, n), points: make([]float64, n), groups: map[string]float64{}}
	for k := range m.Indicators {
		ind := &m.Indicators[k]
		v := ms.values[k]
		w := scale * m.weight(ind, stage)
		sc.pct[k] = -1
		var s float64
		switch {
		case v.st == missing:
			sc.max += w
		case v.st == undefined:
		case !ind.ranked():
			s = v.v
		default:
			sc.pct[k] = rank(ind, dists[k], v.v)
			if ind.Kind == Growth || v.v > 0 {
				s = sc.pct[k]
			}
		}
		sc.share[k], sc.points[k] = s, w*s
		sc.total += w * s
		sc.max += w * s
		sc.groups[ind.Category] += w * s
	}
	return sc
}

// rank is a value's percentile rank in its cohort. A growth rate is first
// winsorised to the cohort's [Lo, Hi]: everything at or above Hi ranks at
// the top, everything at or below Lo as Lo does.
func rank(ind *Indicator, d *registry.IndicatorDistribution, x float64) float64 {
	if d == nil {
		return 1 // no firm of the cohort has a value: none is above
	}
	if ind.Kind == Growth && d.Lo != nil && d.Hi != nil {
		if x >= *d.Hi {
			return 1
		}
		x = max(x, *d.Lo)
	}
	return share(&d.Values, x)
}

// tried is one cohort level looked at for a firm, with its distribution
// (nil: none stored).
type tried struct {
	cohortLevel
	d *registry.CohortDistribution
}

// find picks the cohort a firm is ranked in: the narrowest level whose
// distribution has at least MinCohort firms.
func (p *Program) find(ctx context.Context, src Source, region, stage string) (*registry.CohortDistribution, []tried, error) {
	var looked []tried
	for _, lv := range levels(region) {
		d, err := src.Cohort(ctx, lv.region, stage)
		if err != nil {
			return nil, looked, err
		}
		looked = append(looked, tried{lv, d})
		if d != nil && d.Firms >= p.m.MinCohort {
			return d, looked, nil
		}
	}
	return nil, looked, nil
}

// Evaluate places firm f at asOf in its cohort, as src has it, and returns
// the SPEC §4 result with the points, band and indicative credit line, and
// the distribution it was ranked against (nil when none). The only errors
// are src's.
//
// Status: a firm on the negative list is ineligible with 0 points; one in
// a band (the cohort's top 20%) is eligible — pre-qualified for 积分贷;
// one below is ineligible, unless its missing indicators could lift it into
// a band, which is insufficient_data, as is a firm without a stage (no
// revenue for the previous fiscal year), without a cohort (no valid
// division code, no distribution stored, or every level too small), or
// without a compliance record to check the negative list against.
func (p *Program) Evaluate(ctx context.Context, f *registry.Firm, asOf time.Time, src Source, opt Options) (rules.Result, *registry.CohortDistribution, error) {
	m := p.m
	ms := m.Measure(f, asOf)
	fy := asOf.Year() - 1
	r := rules.Result{Program: m.ID, Edition: m.Edition, Revision: 1, Name: m.Name.ZH, NameEN: m.Name.EN,
		Basis: m.Basis, Criteria: []rules.CriterionResult{}, NextSteps: []string{}, Outputs: map[string]rules.Output{}}
	r.Outputs["categories"] = rules.Output{Source: official,
		Basis: "全国试行版一级指标：技术创新指标、成长经营指标、辅助指标；分初创期、成长期、稳定期设权重 [S2][S3]"}

	// The stage, by the previous fiscal year's revenue.
	stageC := rules.CriterionResult{ID: "stage", Title: "发展阶段（按上年度营业收入划分）", Kind: rules.KindHard, Unit: "yuan",
		Basis: "阶段名称：全国试行版 [S2][S3]；门槛：finance.md §5.1（引擎默认，合并长沙5档 [S8]）"}
	if ms.Stage == nil {
		stageC.Status = rules.Missing
		stageC.Missing = []string{yearField("revenue_prev", fy)}
		stageC.Detail = fmt.Sprintf("缺少%d年营业收入，无法确定发展阶段和对比群体", fy)
	} else {
		stageC.Status = rules.Pass
		stageC.Actual = ptr(ms.Revenue)
		stageC.Detail = fmt.Sprintf("%d年营业收入%s，属%s（%s）", fy, formatValue(ms.Revenue, "yuan"), ms.Stage.Name, m.stageRange(ms.Stage))
		r.Outputs["stage"] = rules.Output{Source: engineDefault,
			Basis: "finance.md §5.1：初创期营业收入<500万元、成长期500万–<2亿元、稳定期≥2亿元（合并长沙高新区5档 [S8]；全国门槛未公开）；阶段名称为全国试行版所定（official）",
			Note:  ms.Stage.Name}
		r.Outputs["weights"] = rules.Output{Source: engineDefault, Basis: "finance.md §5.1 类别权重：" + m.weightText(ms.Stage.ID) + "；类别内各指标等权",
			Note: "官方权重表未读到 [S4]；体现“突出创新能力、兼顾成长经营”的官方导向"}
	}
	r.Criteria = append(r.Criteria, stageC)

	// The negative list.
	vetoC := rules.CriterionResult{ID: "negative-list", Title: negativeTitle, Kind: rules.KindVeto,
		Basis: "finance.md §5.1 负面清单（严重失信/失信被执行、重大行政处罚、安全或环境事故、经营异常名录）：积分计0，不符合积分贷"}
	switch {
	case ms.Vetoed():
		vetoC.Status = rules.Fail
		vetoC.Detail = strings.Join(ms.Vetoes, "；") + "：积分计0，不进入任何档次"
	case len(ms.VetoUnknown) > 0:
		vetoC.Status = rules.Missing
		vetoC.Missing = ms.vetoFields
		vetoC.Detail = "缺少合规信息，无法确认：" + strings.Join(ms.VetoUnknown, "、")
	default:
		vetoC.Status = rules.Pass
		vetoC.Detail = "无负面清单情形"
	}
	r.Criteria = append(r.Criteria, vetoC)

	// The cohort.
	var used *registry.CohortDistribution
	var looked []tried
	cohortC := rules.CriterionResult{ID: "cohort", Title: "对比群体（同地区、同阶段企业）", Kind: rules.KindHard, Unit: "count",
		Threshold: ptr(float64(m.MinCohort)), Op: ">=",
		Basis: fmt.Sprintf("finance.md §5.1：同级比较（长沙 [S8]）、分阶段排名（温州 [S9]）；群体少于%d家时改用上一级地区（引擎默认）", m.MinCohort)}
	switch {
	case ms.Stage == nil:
		cohortC.Status = rules.Missing
		cohortC.Detail = "发展阶段未知，无法确定对比群体"
	case len(levels(f.RegionCode)) == 0:
		cohortC.Status = rules.Missing
		cohortC.Missing = []string{"region_code"}
		cohortC.Detail = "缺少有效的行政区划代码（region_code），无法确定对比群体"
	default:
		var err error
		used, looked, err = p.find(ctx, src, f.RegionCode, ms.Stage.ID)
		if err != nil {
			return rules.Result{}, nil, err
		}
		cohortC.Detail = p.cohortDetail(used, looked, ms.Stage)
		if used == nil {
			cohortC.Status = rules.Missing
		} else {
			cohortC.Status = rules.Pass
			cohortC.Actual = ptr(float64(used.Firms))
		}
	}
	r.Criteria = append(r.Criteria, cohortC)

	// The indicators and the points.
	var sc scored
	if used != nil {
		sc = m.score(ms, ms.Stage.ID, m.indexed(used))
		cohort := p.cohortTitle(used.RegionCode, ms.Stage)
		for k := range m.Indicators {
			cr := p.indicatorCriterion(k, ms, &sc, used, cohort)
			if ms.Vetoed() {
				cr.Points = ptr(0.0)
				cr.Detail += "（负面清单：计0）"
			}
			r.Criteria = append(r.Criteria, cr)
		}
		total := sc.total
		if ms.Vetoed() {
			total = 0
		}
		r.Points, r.Score = ptr(round2(total)), ptr(round2(total))
		r.Subscores = map[string]float64{}
		for _, c := range m.Categories {
			if !ms.Vetoed() {
				r.Subscores[c.ID] = round2(sc.groups[c.ID])
			} else {
				r.Subscores[c.ID] = 0
			}
		}
		r.Outputs["points"] = rules.Output{Source: engineDefault,
			Basis: "finance.md §5.1：积分 = 1000 × Σ类别权重(阶段) × Σ类别内等权 × 指标得分；连续指标得分 = 群体内百分位（不高于本企业者所占比例），增长率先按p5/p95缩尾；资质类国家级1.0、省级0.6、市级0.3；千分制参照龙岩 [S10]；全国规范化方法未公开（finance.md §1.4）",
			Note:  p.cohortNote(used, ms.Stage, asOf, opt)}
		r.Outputs["cohort"] = rules.Output{Source: engineDefault,
			Basis: fmt.Sprintf("finance.md §5.1：群体 = 地区 × 阶段（长沙同级比较 [S8]、温州分阶段排名 [S9]）；群体少于%d家改用上一级地区（引擎默认）", m.MinCohort),
			Note:  fmt.Sprintf("%s%d家，%s形成（%s）", p.cohortTitle(used.RegionCode, ms.Stage), used.Firms, used.AsOf, used.ID)}
	} else if ms.Vetoed() {
		r.Points, r.Score = ptr(0.0), ptr(0.0)
	}

	// The band.
	bandC, band := p.bandCriterion(ms, &sc, used, opt)
	r.Criteria = append(r.Criteria, bandC)
	if used != nil {
		r.Outputs["band"] = rules.Output{Source: engineDefault,
			Basis: "finance.md §5.1：群体内积分排名前5%领跑、5–10%竞跑、10–20%进取（温州 温龙政发〔2022〕12号 [S9]）；名次 ≤ ceil(比例×群体户数)，并列取较好名次"}
	}
	if band != nil {
		r.Band = band.Name
		r.CreditLine = ptr(band.Ceiling)
		r.Outputs["credit_line"] = rules.Output{Source: engineDefault,
			Basis: "finance.md §5.1 积分贷映射：领跑¥10,000,000、竞跑¥5,000,000、进取¥3,000,000（成都积分贷最高1000万元 [S14]）",
			Note:  "指示性额度上限，实际额度由银行审批（各官方来源均如此说明）；有自有模型的银行，领跑企业可在基础额度上上浮至多15%（龙岩 [S10]）"}
	}

	// The status, from the decisive criteria.
	r.Status = rules.Eligible
	for _, c := range []rules.CriterionResult{stageC, vetoC, cohortC, bandC} {
		switch {
		case c.Status == rules.Fail:
			r.Status = rules.Ineligible
		case c.Status == rules.Missing && r.Status != rules.Ineligible:
			r.Status = rules.InsufficientData
		}
	}
	if r.Status == rules.Eligible {
		route := "score"
		r.Route = &route
	}
	if r.Status == rules.Ineligible {
		switch {
		case ms.Vetoed():
			r.Distance, r.Blocking = ptr(1.0), []string{"negative-list"}
		case bandC.Gap != nil && bandC.Threshold != nil && *bandC.Threshold > 0:
			r.Distance, r.Blocking = ptr(min(1, *bandC.Gap / *bandC.Threshold)), []string{"band"}
		default:
			r.Distance, r.Blocking = ptr(1.0), []string{"band"}
		}
	}
	if used != nil {
		r.Note = p.cohortNote(used, ms.Stage, asOf, opt)
	}
	r.NextSteps = p.nextSteps(ms, &sc, used, band, stageC, bandC, cohortC)
	return r, used, nil
}

// indicatorCriterion explains one indicator: its value, its percentile in
// the cohort and its points.
func (p *Program) indicatorCriterion(k int, ms *Measures, sc *scored, used *registry.CohortDistribution, cohort string) rules.CriterionResult {
	m := p.m
	ind := &m.Indicators[k]
	v := ms.values[k]
	c := m.category(ind.Category)
	n := 0
	for i := range m.Indicators {
		if m.Indicators[i].Category == ind.Category {
			n++
		}
	}
	cr := rules.CriterionResult{ID: ind.ID, Title: ind.Title, Kind: rules.KindScored, Unit: ind.Unit, Status: rules.Pass,
		Points: ptr(round2(sc.points[k])),
		Basis:  fmt.Sprintf("%s类（%s权重%s）÷%d项；%s", c.Name, m.stage(used.Stage).Name, formatShare(c.Weights[used.Stage]), n, ind.Basis)}
	if !ind.Verified {
		cr.Note = "未核实的指标槽位（finance.md §1.3：来源未见，凭记忆）"
	}
	switch {
	case v.st == missing:
		cr.Status = rules.Missing
		cr.Missing = v.fields
		cr.Detail = fmt.Sprintf("缺少%s，%s按0分计", v.why, ind.Title)
	case v.st == undefined:
		cr.Detail = fmt.Sprintf("%s，%s无法计算，按0分计", v.why, ind.Title)
	case !ind.ranked():
		cr.Actual = ptr(v.v)
		switch {
		case v.why == "":
			cr.Detail = "无，计0"
		case v.v == 0:
			cr.Detail = v.why + "：市级以下不计分"
		default:
			cr.Detail = fmt.Sprintf("%s，计%s", v.why, strconv.FormatFloat(v.v, 'f', -1, 64))
		}
	default:
		cr.Actual = ptr(v.v)
		val := formatValue(v.v, ind.Unit)
		if ind.Kind == Level && v.v <= 0 {
			cr.Detail = fmt.Sprintf("%s%s，数值为0或负不计分", ind.Title, val)
			break
		}
		of := fmt.Sprintf("%d家", used.Firms)
		if n := p.known(used, ind.ID); n != used.Firms {
			of = fmt.Sprintf("群体%d家中有该项数据的%d家", used.Firms, n)
		}
		cr.Detail = fmt.Sprintf("%s%s，位于%s第%d百分位（%s）", ind.Title, val, cohort, int(math.Round(sc.pct[k]*100)), of)
		if ind.Kind == Growth {
			cr.Note = strings.TrimPrefix(cr.Note+"；按群体第5、95百分位缩尾后排名", "；")
		}
	}
	return cr
}

// known is how many firms of a cohort have a value of an indicator.
func (p *Program) known(d *registry.CohortDistribution, id string) int {
	for i := range d.Indicators {
		if d.Indicators[i].Indicator == id {
			return d.Indicators[i].Values.N
		}
	}
	return 0
}

// bandCriterion checks the firm's points against the cohort's cutoff of
// the widest band, and returns the best band it is in.
func (p *Program) bandCriterion(ms *Measures, sc *scored, used *registry.CohortDistribution, opt Options) (rules.CriterionResult, *Band) {
	m := p.m
	widest := m.Bands[len(m.Bands)-1]
	c := rules.CriterionResult{ID: "band", Title: bandTitle(m), Kind: rules.KindHard, Unit: "points", Op: ">=",
		Basis: "finance.md §5.1：积分贷预审取群体前" + formatShare(widest.Top) + "；分档参照温州 温龙政发〔2022〕12号 [S9]（引擎默认）"}
	switch {
	case ms.Vetoed():
		c.Status = rules.Fail
		c.Actual = ptr(0.0)
		c.Detail = "负面清单企业积分计0，不进入任何档次"
		return c, nil
	case used == nil:
		c.Status = rules.Missing
		c.Detail = "没有可用的对比群体，无法排名"
		return c, nil
	}
	cut := cutoff(used, widest.ID)
	if cut == nil {
		c.Status = rules.Missing
		c.Detail = "群体分布缺少分档线"
		return c, nil
	}
	total := sc.total
	c.Actual, c.Threshold = ptr(round2(total)), ptr(round2(cut.Points))
	var band *Band
	for i := range m.Bands {
		if bc := cutoff(used, m.Bands[i].ID); bc != nil && total > 0 && total >= bc.Points-1e-9 {
			band = &m.Bands[i]
			break
		}
	}
	rk := 1 + above(&used.Points, total+1e-9)
	about := ""
	if opt.Estimate {
		about = "约"
	}
	cohort := p.cohortTitle(used.RegionCode, m.stage(used.Stage))
	place := fmt.Sprintf("积分%s，在%s%d家中%s排第%d名（前%s）", formatValue(total, "points"), cohort, used.Firms, about, rk,
		formatShare(min(1, float64(rk)/float64(used.Firms))))
	switch {
	case band != nil:
		c.Status = rules.Pass
		c.Detail = place + "，进入" + band.Name + "档"
	case sc.max >= cut.Points-1e-9 && sc.max > total:
		// Before the zero case: a firm with 0 points whose missing
		// indicators could lift it into a band lacks data, it has not failed.
		c.Status = rules.Missing
		c.Detail = fmt.Sprintf("%s；前%s（第%d名）的积分为%s，补全缺失指标后最高可得%s，可能进入", place,
			formatShare(widest.Top), cut.Rank, formatValue(cut.Points, "points"), formatValue(sc.max, "points"))
	case total <= 0:
		c.Status = rules.Fail
		c.Detail = place + "：积分为0，不进入任何档次"
	default:
		c.Status = rules.Fail
		c.Detail = fmt.Sprintf("%s；前%s（第%d名）的积分为%s", place, formatShare(widest.Top), cut.Rank, formatValue(cut.Points, "points"))
	}
	if c.Status == rules.Fail && total > 0 {
		gap := math.Ceil((cut.Points-total)*100-1e-6) / 100
		c.Gap = ptr(gap)
		c.GapText = fmt.Sprintf("积分需再提高%s（达到%s）", formatValue(gap, "points"), formatValue(cut.Points, "points"))
	}
	return c, band
}

func cutoff(d *registry.CohortDistribution, band string) *registry.BandCutoff {
	for i := range d.Cutoffs {
		if d.Cutoffs[i].Band == band {
			return &d.Cutoffs[i]
		}
	}
	return nil
}

// nextSteps says what the firm can do: apply for a 积分贷, climb a band,
// lift its weakest indicators, complete its data, or leave the negative
// list.
func (p *Program) nextSteps(ms *Measures, sc *scored, used *registry.CohortDistribution, band *Band, stageC, bandC, cohortC rules.CriterionResult) []string {
	m := p.m
	out := []string{}
	if ms.Vetoed() {
		return append(out, "移出负面清单（"+strings.Join(ms.Vetoes, "、")+"）后方可参与积分排名和积分贷")
	}
	if ms.Stage == nil {
		return append(out, fmt.Sprintf("补充上年度营业收入（%s），以确定发展阶段和对比群体", strings.Join(stageC.Missing, "、")))
	}
	if used == nil {
		if cohortC.Status == rules.Missing {
			out = append(out, "主管部门运行包含创新积分（innovation-points）的筛查、形成群体分布后，可评估积分与档次")
		}
		return out
	}
	var gaps []string
	for k := range m.Indicators {
		if ms.values[k].st == missing {
			gaps = append(gaps, ms.values[k].why)
		}
	}
	if band != nil {
		out = append(out, fmt.Sprintf("可凭创新积分（%s档）向合作银行申请创新积分贷：指示性额度上限%s（引擎默认，实际额度由银行审批）",
			band.Name, formatValue(band.Ceiling, "yuan")))
		for i := range m.Bands {
			if &m.Bands[i] == band && i > 0 {
				if bc := cutoff(used, m.Bands[i-1].ID); bc != nil {
					out = append(out, fmt.Sprintf("积分达到%s可升入%s档", formatValue(bc.Points, "points"), m.Bands[i-1].Name))
				}
			}
		}
		return out
	}
	if bandC.GapText != "" {
		out = append(out, bandC.GapText+"，方可进入本群体前"+formatShare(m.Bands[len(m.Bands)-1].Top))
	}
	if len(gaps) > 0 {
		out = append(out, fmt.Sprintf("补充%s（缺失按0分计；补全后最高可得%s）", strings.Join(gaps, "、"), formatValue(sc.max, "points")))
	}
	// The indicators with the most points still open, in the firm's own
	// stage weights: where effort pays most.
	type room struct {
		k    int
		gain float64
	}
	var rooms []room
	for k := range m.Indicators {
		if ms.values[k].st == missing {
			continue
		}
		if g := scale*m.weight(&m.Indicators[k], used.Stage) - sc.points[k]; g >= 0.5 {
			rooms = append(rooms, room{k, g})
		}
	}
	for i := 1; i < len(rooms); i++ {
		for j := i; j > 0 && rooms[j].gain > rooms[j-1].gain; j-- {
			rooms[j], rooms[j-1] = rooms[j-1], rooms[j]
		}
	}
	for _, rm := range rooms[:min(3, len(rooms))] {
		ind := &m.Indicators[rm.k]
		where := ""
		if sc.pct[rm.k] >= 0 && sc.share[rm.k] > 0 {
			where = fmt.Sprintf("当前第%d百分位，", int(math.Round(sc.pct[rm.k]*100)))
		}
		out = append(out, fmt.Sprintf("提升%s（%s满分还可多得%s）", ind.Title, where, formatValue(rm.gain, "points")))
	}
	return out
}

// cohortDetail explains which cohort the firm is ranked in, and why a
// narrower one was passed over.
func (p *Program) cohortDetail(used *registry.CohortDistribution, looked []tried, st *Stage) string {
	var skipped []string
	for _, t := range looked {
		if used != nil && t.d == used {
			break
		}
		name := p.cohortTitle(t.region, st)
		if t.d == nil {
			skipped = append(skipped, name+"尚无积分分布")
		} else {
			skipped = append(skipped, fmt.Sprintf("%s仅%d家（少于%d家）", name, t.d.Firms, p.m.MinCohort))
		}
	}
	if used == nil {
		if len(skipped) == 0 {
			return "没有可用的对比群体"
		}
		all := true
		for _, t := range looked {
			all = all && t.d == nil
		}
		if all {
			return "尚无" + p.cohortTitle(looked[0].region, st) + "及上级地区同阶段企业的积分分布：需先运行包含创新积分的筛查"
		}
		return strings.Join(skipped, "，") + "，不足以排名"
	}
	s := fmt.Sprintf("%s%d家（%s形成的分布）", p.cohortTitle(used.RegionCode, st), used.Firms, used.AsOf)
	if len(skipped) > 0 {
		s = strings.Join(skipped, "，") + "，改用" + s
	}
	return s
}

// cohortNote says which distribution the result comes from, and that a
// self-check is an estimate.
func (p *Program) cohortNote(d *registry.CohortDistribution, st *Stage, asOf time.Time, opt Options) string {
	cohort := p.cohortTitle(d.RegionCode, st)
	var s string
	if opt.Estimate {
		s = fmt.Sprintf("估算：对照%s%d家于%s形成的最新积分分布；本企业未必在该分布中，积分、排名和档次仅供参考", cohort, d.Firms, d.AsOf)
	} else {
		s = fmt.Sprintf("依据筛查第一遍于%s形成的%s积分分布（%d家）", d.AsOf, cohort, d.Firms)
	}
	if t, err := registry.ParseDate(d.AsOf); err == nil && t.Year() != asOf.Year() {
		s += fmt.Sprintf("；该分布依据%d年度数据，本次按%d年度数据评估", t.Year()-1, asOf.Year()-1)
	}
	return s
}

// cohortTitle names a cohort: "鹤城区成长期企业".
func (p *Program) cohortTitle(region string, st *Stage) string {
	return p.regionTitle(region) + st.Name + "企业"
}

func (p *Program) regionTitle(code string) string {
	if p.names != nil {
		if n := p.names(code); n != "" {
			return n
		}
	}
	return "区划" + code
}

func (m *Model) stageRange(st *Stage) string {
	for i := range m.Stages {
		if &m.Stages[i] != st {
			continue
		}
		lo := formatValue(st.MinRevenue, "yuan")
		if i+1 < len(m.Stages) {
			hi := formatValue(m.Stages[i+1].MinRevenue, "yuan")
			if i == 0 {
				return "营业收入低于" + hi
			}
			return lo + "至低于" + hi
		}
		return lo + "及以上"
	}
	return ""
}

func (m *Model) weightText(stage string) string {
	var parts []string
	for _, c := range m.Categories {
		parts = append(parts, c.Name+strconv.FormatFloat(c.Weights[stage], 'f', -1, 64))
	}
	return m.stage(stage).Name + " " + strings.Join(parts, "、")
}

func ptr[T any](v T) *T { return &v }

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// formatValue writes a value in its unit, as the rule engine's
// explanations do.
func formatValue(v float64, unit string) string {
	switch unit {
	case "yuan":
		return "¥" + rules.GroupDigits(v)
	case "ratio":
		return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	case "people":
		return strconv.FormatFloat(v, 'f', -1, 64) + "人"
	case "count":
		return strconv.FormatFloat(v, 'f', -1, 64) + "项"
	case "points":
		return strconv.FormatFloat(round2(v), 'f', -1, 64) + "分"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
