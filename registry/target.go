package registry

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Target is one numeric plan target of a seed document (台账): what a region
// should reach in a year, measured from the registry by Metric and compared
// with Goal by Comparison.
type Target struct {
	// ID is the stable key, e.g. "431200-2026-hnte-above-size".
	ID         string `json:"id"`
	RegionCode string `json:"region_code"`
	// RegionName is filled from the region table for display; it is not
	// part of the target's identity.
	RegionName string       `json:"region_name,omitempty"`
	Year       int          `json:"year"`
	Title      string       `json:"title"`
	Metric     Metric       `json:"metric"`
	Goal       float64      `json:"goal"`
	Comparison string       `json:"comparison"`
	Source     TargetSource `json:"source"`
	// Note says how the registry measures what the document counts, where
	// the two differ (a proxy, a year read from context).
	Note string `json:"note,omitempty"`
}

// TargetSource cites the sentence of a seed document a target comes from.
type TargetSource struct {
	// Document is the file name under shared/seed-documents.
	Document string `json:"document"`
	// Quote is the sentence, verbatim.
	Quote string `json:"quote"`
}

// Metric says what a target counts. Kind is one of the Metric* constants;
// the other fields narrow it, as each kind's comment says.
type Metric struct {
	Kind string `json:"kind"`
	// Honors are the honor kinds counted (any of them), at MinLevel or
	// higher ("" accepts any level): for the honor and application kinds.
	Honors   []string `json:"honors,omitempty"`
	MinLevel string   `json:"min_level,omitempty"`
	// CountHonors counts certifications rather than firms (a platform
	// target counts platforms; one firm may gain two).
	CountHonors bool `json:"count_honors,omitempty"`
	// AboveSize counts only above-size firms (规模以上).
	AboveSize bool `json:"above_size,omitempty"`
	// Chain counts only the firms of this industry chain.
	Chain string `json:"chain,omitempty"`
	// Field is the fiscal-year amount summed: one of TargetFields.
	Field string `json:"field,omitempty"`
	// Program is the rule program whose eligible firms, not yet holding the
	// title, are the target's pipeline (储备), and whose near-misses are
	// counted.
	Program string `json:"program,omitempty"`
}

// Metric kinds: the closed set a target can measure.
const (
	// MetricHonorCount counts firms holding a valid honor at the end of the
	// year (or today, in the current year).
	MetricHonorCount = "honor_count"
	// MetricHonorNew counts firms (or certifications) newly issued an
	// honor within the year.
	MetricHonorNew = "honor_new"
	// MetricApplications counts applications (申报): the registry records
	// certifications, not filings, so the actual is the titles issued in the
	// year (applications that succeeded, a lower bound), and the pipeline is
	// the firms that could apply.
	MetricApplications = "applications"
	// MetricFirmCount counts firms (e.g. of a chain).
	MetricFirmCount = "firm_count"
	// MetricAboveSizeCount counts above-size firms in the fiscal year.
	MetricAboveSizeCount = "above_size_count"
	// MetricAboveSizeNew counts firms above size in the fiscal year that
	// were not in the year before.
	MetricAboveSizeNew = "above_size_new"
	// MetricAmount sums Field over the fiscal year, in yuan.
	MetricAmount = "amount"
	// MetricGrowth is the growth of the sum of Field over the fiscal year
	// against the year before, in percent.
	MetricGrowth = "growth"
)

// MetricKinds lists the metric kinds with their Chinese names.
var MetricKinds = map[string]string{
	MetricHonorCount:     "持有资质企业数",
	MetricHonorNew:       "新增资质",
	MetricApplications:   "申报数",
	MetricFirmCount:      "企业数",
	MetricAboveSizeCount: "规模以上企业数",
	MetricAboveSizeNew:   "新增规模以上企业数",
	MetricAmount:         "合计金额",
	MetricGrowth:         "增长率",
}

// TargetFields are the fiscal-year amounts a target can sum, with their
// Chinese names.
var TargetFields = map[string]string{
	"revenue":                "营业收入",
	"main_revenue":           "主营业务收入",
	"rd_expense":             "研发费用",
	"tech_contract_turnover": "技术合同成交额",
}

// YearAmount returns the fiscal-year amount named by field (one of
// TargetFields), nil when it is absent or the field unknown.
func YearAmount(y *Year, field string) *int64 {
	switch field {
	case "revenue":
		return y.Revenue
	case "main_revenue":
		return y.MainRevenue
	case "rd_expense":
		return y.RDExpense
	case "tech_contract_turnover":
		return y.TechContractTurnover
	}
	return nil
}

// Comparisons of a target's actual value with its goal.
const (
	// CompareAtLeast: the goal is reached when actual ≥ goal (以上, 达到, 突破).
	CompareAtLeast = "at_least"
	// CompareAbout: "about N" (左右) is reached at (1 − AboutTolerance) × N.
	CompareAbout = "about"
)

// AboutTolerance is how far below an "about N" goal still counts as reached.
// Engine default: the documents do not say what 左右 allows.
const AboutTolerance = 0.10

// Reached reports whether v reaches goal under the comparison.
func Reached(v, goal float64, comparison string) bool {
	if comparison == CompareAbout {
		goal *= 1 - AboutTolerance
	}
	// A hair of tolerance: goal × fraction is computed in floating point.
	return v >= goal-1e-9
}

// Unit is the unit of the metric's value: "firms", "honors", "yuan" or
// "percent".
func (m *Metric) Unit() string {
	switch m.Kind {
	case MetricAmount:
		return "yuan"
	case MetricGrowth:
		return "percent"
	}
	if m.CountHonors {
		return "honors"
	}
	return "firms"
}

// HonorKind reports whether the metric counts honors (and so has a pipeline
// when it names a program).
func (m *Metric) HonorKind() bool {
	return m.Kind == MetricHonorCount || m.Kind == MetricHonorNew || m.Kind == MetricApplications
}

// Counts reports whether h is an honor the metric counts.
func (m *Metric) Counts(h *Honor) bool {
	return slices.Contains(m.Honors, h.Kind) && (m.MinLevel == "" || LevelAtLeast(h.Level, m.MinLevel))
}

var (
	targetIDRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,79}$`)
	programIDRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)
)

// Target years the ledger accepts.
const (
	MinTargetYear = 2000
	MaxTargetYear = 2100
)

// Validate checks a target. The error is a *ValidationError naming every bad
// field.
func (t *Target) Validate() error {
	var p problems
	if !targetIDRE.MatchString(t.ID) {
		p.add("id", "目标编号应为小写字母、数字和连字符", "must be lower-case letters, digits and hyphens, at most 80")
	}
	if t.RegionCode == "" {
		p.add("region_code", "行政区划代码必填", "required")
	} else {
		checkRegionCode(&p, "region_code", t.RegionCode)
	}
	checkText(&p, "region_name", t.RegionName, maxTextRunes)
	if t.Year < MinTargetYear || t.Year > MaxTargetYear {
		p.addf("year", "年度应在%d到%d之间", "must be from %d to %d", MinTargetYear, MaxTargetYear)
	}
	if strings.TrimSpace(t.Title) == "" {
		p.add("title", "目标名称必填", "required")
	}
	checkText(&p, "title", t.Title, maxTextRunes)
	if !(t.Goal > 0) || t.Goal > 1e15 {
		p.add("goal", "目标值应为正数", "must be a positive number")
	}
	if t.Comparison != CompareAtLeast && t.Comparison != CompareAbout {
		p.add("comparison", "比较方式应为 at_least（以上）或 about（左右）", "must be at_least or about")
	}
	if t.Source.Document == "" {
		p.add("source.document", "来源文件必填", "required")
	}
	checkText(&p, "source.document", t.Source.Document, maxTextRunes)
	if strings.TrimSpace(t.Source.Quote) == "" {
		p.add("source.quote", "来源原文必填", "required")
	}
	checkText(&p, "source.quote", t.Source.Quote, 1000)
	checkText(&p, "note", t.Note, 1000)
	t.Metric.validate(&p)
	return p.err()
}

func (m *Metric) validate(p *problems) {
	if _, ok := MetricKinds[m.Kind]; !ok {
		p.addf("metric.kind", "未知的指标类型“%s”", "unknown metric kind %q", m.Kind)
		return
	}
	if m.HonorKind() {
		if len(m.Honors) == 0 {
			p.add("metric.honors", "资质类型必填", "required for this kind")
		}
		for i, h := range m.Honors {
			if !kindRE.MatchString(h) {
				p.add(fmt.Sprintf("metric.honors[%d]", i), "资质类型应为小写英文标识，如 hnte", "must be an honor kind such as hnte")
			}
		}
		if m.MinLevel != "" && levelRank[m.MinLevel] == 0 {
			p.addf("metric.min_level", "未知的级别“%s”", "unknown level %q", m.MinLevel)
		}
	} else {
		if len(m.Honors) > 0 || m.MinLevel != "" || m.CountHonors {
			p.add("metric.honors", "该指标类型不统计资质", "not used by this kind")
		}
		if m.Program != "" {
			p.add("metric.program", "该指标类型没有储备项目", "not used by this kind")
		}
	}
	if m.Kind == MetricApplications && m.Program == "" {
		p.add("metric.program", "申报数指标须指定评价项目", "required for applications")
	}
	if m.Program != "" && !programIDRE.MatchString(m.Program) {
		p.add("metric.program", "项目编号应为小写英文标识，如 hnte", "must be a program id such as hnte")
	}
	switch m.Kind {
	case MetricAmount, MetricGrowth:
		if _, ok := TargetFields[m.Field]; !ok {
			p.addf("metric.field", "未知的年度数据字段“%s”", "unknown fiscal-year field %q", m.Field)
		}
	default:
		if m.Field != "" {
			p.add("metric.field", "该指标类型不汇总年度数据", "not used by this kind")
		}
	}
	if m.AboveSize && (m.Kind == MetricAboveSizeCount || m.Kind == MetricAboveSizeNew) {
		p.add("metric.above_size", "该指标类型已限于规模以上企业", "implied by this kind")
	}
	checkText(p, "metric.chain", m.Chain, 50)
}

// TargetFilter selects targets. Empty fields do not filter.
type TargetFilter struct {
	// RegionCode matches as FirmFilter.RegionCode does: a city code also
	// selects its counties' targets.
	RegionCode string
	Year       int
}

// Match reports whether the filter selects t.
func (f TargetFilter) Match(t *Target) bool {
	return (f.RegionCode == "" || RegionCovers(f.RegionCode, t.RegionCode)) && (f.Year == 0 || f.Year == t.Year)
}

// RegionCovers reports whether the division area covers the division code:
// the same code, or a city's county (431200 covers 431202), or a province's
// city or county (430000 covers both). These are the semantics of
// FirmFilter.RegionCode; it is RegionWithin with the arguments the other
// way round.
func RegionCovers(area, code string) bool { return RegionWithin(code, area) }

// Target statuses of the ledger.
const (
	// TargetMet: the goal is reached.
	TargetMet = "met"
	// TargetOnTrack: not reached yet, but keeping pace (see the ledger's
	// rule).
	TargetOnTrack = "on_track"
	// TargetBehind: the year is running and the target is behind.
	TargetBehind = "behind"
	// TargetMissed: the year is over and the goal was not reached.
	TargetMissed = "missed"
	// TargetNoData: the registry holds nothing to measure it with.
	TargetNoData = "no_data"
)

// TargetProgress is one target measured on a date: the row of the ledger
// and of a snapshot. It carries the whole target, so a snapshot stays what
// it was when the target is edited later.
type TargetProgress struct {
	Target
	// Unit is the unit of Goal, Actual and Expected (Metric.Unit).
	Unit string `json:"unit"`
	// AsOf is the date measured at: the end of the year, or today in the
	// current year.
	AsOf string `json:"as_of"`
	// DataYear is the fiscal year the figures come from, for metrics read
	// from fiscal years (the latest closed one while the year runs).
	DataYear int `json:"data_year,omitempty"`
	// Actual is nil when the registry has nothing to measure it with.
	Actual *float64 `json:"actual"`
	// Expected is the share of the goal due by AsOf (时序进度), for targets
	// counted by dated events in a running year.
	Expected *float64 `json:"expected,omitempty"`
	// Pipeline counts the firms eligible now for Metric.Program that do not
	// hold the title (储备); nil when the metric has no program.
	Pipeline *int `json:"pipeline"`
	// NearMiss counts the firms one criterion short of the program
	// (rules.Result.NearMiss); nil when the metric has no program.
	NearMiss *int `json:"near_miss"`
	// OnTrack is nil when there is no data.
	OnTrack *bool  `json:"on_track"`
	Status  string `json:"status"`
	// Reason explains the status in Chinese, with the numbers.
	Reason string `json:"reason"`
}

// Snapshot is the ledger of a region and year as it stood when taken, kept
// so that monthly dispatch and quarterly review (月调度、季讲评) can compare
// months. A snapshot is never changed once written.
type Snapshot struct {
	ID         string           `json:"id"`
	RegionCode string           `json:"region_code"`
	Year       int              `json:"year"`
	AsOf       string           `json:"as_of"`
	TakenAt    time.Time        `json:"taken_at"`
	Items      []TargetProgress `json:"items"`
}

// SnapshotID is the key of the snapshot of region and year taken at t.
func SnapshotID(region string, year int, t time.Time) string {
	return fmt.Sprintf("%s-%d-%s", region, year, t.UTC().Format("20060102T150405.000Z"))
}

// Validate checks a snapshot before it is stored. The error is a
// *ValidationError naming every bad field.
func (s *Snapshot) Validate() error {
	var p problems
	if s.RegionCode == "" {
		p.add("region_code", "行政区划代码必填", "required")
	} else {
		checkRegionCode(&p, "region_code", s.RegionCode)
	}
	if s.Year < MinTargetYear || s.Year > MaxTargetYear {
		p.addf("year", "年度应在%d到%d之间", "must be from %d to %d", MinTargetYear, MaxTargetYear)
	}
	if _, err := ParseDate(s.AsOf); err != nil {
		p.add("as_of", "日期格式应为 YYYY-MM-DD", "must be a YYYY-MM-DD date")
	}
	if s.TakenAt.IsZero() {
		p.add("taken_at", "快照时间必填", "required")
	}
	if len(s.Items) == 0 {
		p.add("items", "快照没有目标", "a snapshot needs at least one target")
	}
	for i := range s.Items {
		if s.Items[i].ID == "" {
			p.add(fmt.Sprintf("items[%d].id", i), "目标编号必填", "required")
		}
	}
	return p.err()
}

// SnapshotFilter selects snapshots. Empty fields do not filter.
type SnapshotFilter struct {
	// RegionCode matches exactly: a snapshot belongs to the region it was
	// taken for.
	RegionCode string
	Year       int
}
