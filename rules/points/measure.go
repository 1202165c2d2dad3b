package points

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

type env = rules.Env

// state says whether an indicator could be measured.
type state uint8

const (
	known     state = iota
	missing         // an input is absent from the profile
	undefined       // the inputs are known, the value is not (a ratio over zero)
)

// value is one indicator of one firm.
type value struct {
	v  float64
	st state
	// why names the absent inputs (missing) or the zero denominator
	// (undefined); for a tiered indicator, the recognition that scored.
	why string
	// fields are the absent inputs' profile fields (SPEC §3).
	fields []string
}

// input is what the indicators read: the firm's derived view and its
// recognitions at as_of.
type input struct {
	env  *env
	firm *registry.Firm
	asOf time.Time
	fy   int // the fiscal year 上年度
	m    *Model
}

// Measures is one firm measured at as_of: its stage, its indicators in the
// model's order and its negative-list hits.
type Measures struct {
	Revenue      float64
	RevenueKnown bool
	Stage        *Stage
	values       []value
	// Vetoes are the negative-list items that apply; VetoUnknown those
	// the profile does not say (no compliance record), vetoFields their
	// profile fields.
	Vetoes      []string
	VetoUnknown []string
	vetoFields  []string
}

// Vetoed reports whether the firm is on the negative list.
func (ms *Measures) Vetoed() bool { return len(ms.Vetoes) > 0 }

// Measure measures firm f at asOf.
func (m *Model) Measure(f *registry.Firm, asOf time.Time) *Measures {
	e := rules.NewEnv(f, asOf)
	in := &input{env: e, firm: f, asOf: asOf, fy: asOf.Year() - 1, m: m}
	ms := &Measures{values: make([]value, len(m.Indicators))}
	if e.Known("revenue_prev") {
		ms.Revenue, ms.RevenueKnown = e.RevenuePrev, true
		ms.Stage = m.StageOf(e.RevenuePrev)
	}
	for i := range m.Indicators {
		ms.values[i] = m.Indicators[i].measure(in)
	}
	check := func(metric string, hit bool, text string) {
		switch {
		case !e.Known(metric):
			ms.VetoUnknown = append(ms.VetoUnknown, text)
			field := "compliance." + metric
			if metric == "major_incidents_2y" {
				field = "compliance.incidents"
			}
			ms.vetoFields = append(ms.vetoFields, field)
		case hit:
			ms.Vetoes = append(ms.Vetoes, text)
		}
	}
	check("serious_dishonesty", e.SeriousDishonesty, "列入严重失信主体名单")
	check("abnormal_list", e.AbnormalList, "列入经营异常名录")
	incidents := "上年度至今重大安全、环境、质量事故或重大违法行为"
	if e.Known("major_incidents_2y") && e.MajorIncidents2Y > 0 {
		incidents = fmt.Sprintf("%s%g起", incidents, e.MajorIncidents2Y)
	}
	check("major_incidents_2y", e.MajorIncidents2Y > 0, incidents)
	return ms
}

func missingValue(what string, fields ...string) value {
	return value{st: missing, why: what, fields: fields}
}

// yearField is the profile field of a fiscal-year metric ("years[2025].revenue").
func yearField(metric string, year int) string {
	name := strings.TrimSuffix(strings.TrimSuffix(metric, "_prev2"), "_prev")
	return fmt.Sprintf("years[%d].%s", year, name)
}

// yearAmount measures a figure of the previous fiscal year.
func yearAmount(metric, title string, get func(*env) float64) func(*input) value {
	return func(in *input) value {
		if !in.env.Known(metric) {
			return missingValue(fmt.Sprintf("%d年%s", in.fy, title), yearField(metric, in.fy))
		}
		return value{v: get(in.env)}
	}
}

// ratio measures num/den of the previous fiscal year.
func ratio(num, numTitle, den, denTitle string, get func(*env) (float64, float64)) func(*input) value {
	return func(in *input) value {
		var absent, fields []string
		for _, x := range [][2]string{{num, numTitle}, {den, denTitle}} {
			if !in.env.Known(x[0]) {
				absent = append(absent, fmt.Sprintf("%d年%s", in.fy, x[1]))
				fields = append(fields, yearField(x[0], in.fy))
			}
		}
		if len(absent) > 0 {
			return missingValue(strings.Join(absent, "、"), fields...)
		}
		n, d := get(in.env)
		if d <= 0 {
			return value{st: undefined, why: fmt.Sprintf("%d年%s为0", in.fy, denTitle)}
		}
		return value{v: n / d}
	}
}

var rdIntensity = ratio("rd_expense_prev", "研发费用", "revenue_prev", "营业收入",
	func(e *env) (float64, float64) { return e.RDExpensePrev, e.RevenuePrev })

var techStaffShare = ratio("tech_staff_prev", "科技人员数", "employees_prev", "职工总数",
	func(e *env) (float64, float64) { return e.TechStaffPrev, e.EmployeesPrev })

func ipClass1(in *input) value {
	if !in.env.Known("ip_class1") {
		return missingValue("Ⅰ类知识产权数", "ip.class1")
	}
	return value{v: in.env.IPClass1}
}

// revenueGrowth is the previous fiscal year's revenue over the year
// before's, less one.
func revenueGrowth(in *input) value {
	var absent, fields []string
	for off, metric := range []string{"revenue_prev", "revenue_prev2"} {
		if !in.env.Known(metric) {
			absent = append(absent, fmt.Sprintf("%d年营业收入", in.fy-off))
			fields = append(fields, yearField(metric, in.fy-off))
		}
	}
	if len(absent) > 0 {
		return missingValue(strings.Join(absent, "、"), fields...)
	}
	if in.env.RevenuePrev2 <= 0 {
		return value{st: undefined, why: fmt.Sprintf("%d年营业收入为0", in.fy-1)}
	}
	return value{v: in.env.RevenuePrev/in.env.RevenuePrev2 - 1}
}

// defaultLevel is the level of a title whose record lacks one.
var defaultLevel = map[string]string{
	registry.HonorHNTE: registry.LevelNational, registry.HonorLittleGiant: registry.LevelNational,
	registry.HonorChampion: registry.LevelNational, registry.HonorSpecializedSME: registry.LevelProvincial,
	registry.HonorInnovativeSME: registry.LevelProvincial, registry.HonorTechSME: registry.LevelProvincial,
}

// validTitle reports whether a title is in force at d. A record without an
// expiry date lasts as the rule packs assume (criteria.md §9.6): 科技型
// until the end of its year, the ladder titles and HNTE three years.
func validTitle(h *registry.Honor, d time.Time) bool {
	if !h.ValidAt(d) {
		return false
	}
	if h.Expires != "" || h.Issued == "" {
		return true
	}
	issued, err := registry.ParseDate(h.Issued)
	if err != nil {
		return false
	}
	switch h.Kind {
	case registry.HonorTechSME:
		return !d.After(time.Date(issued.Year(), 12, 31, 0, 0, 0, 0, time.UTC))
	case registry.HonorInnovativeSME, registry.HonorSpecializedSME, registry.HonorLittleGiant,
		registry.HonorChampion, registry.HonorHNTE:
		return !d.After(issued.AddDate(3, 0, -1))
	}
	return true
}

// tiered scores the best recognition of the given kinds that counts at
// as_of by its level.
func tiered(kinds []string, counts func(in *input, h *registry.Honor) bool) func(*input) value {
	return func(in *input) value {
		best := value{}
		for i := range in.firm.Honors {
			h := &in.firm.Honors[i]
			if !slices.Contains(kinds, h.Kind) || !counts(in, h) {
				continue
			}
			level := h.Level
			if level == "" {
				level = defaultLevel[h.Kind]
			}
			name := registry.KnownHonorKinds[h.Kind]
			if name == "" {
				name = h.Kind
			}
			if t := in.m.Tiers[level]; best.why == "" || t > best.v {
				best = value{v: t, why: levelNames[level] + name}
			}
		}
		return best
	}
}

var platforms = tiered([]string{registry.HonorRDInstitution, registry.HonorInnovationPlatform},
	func(in *input, h *registry.Honor) bool { return h.ValidAt(in.asOf) })

var sciAwards = tiered([]string{registry.HonorSciAward},
	func(in *input, h *registry.Honor) bool { return h.IssuedWithin(in.asOf, in.m.AwardYears) })

var qualifications = tiered([]string{registry.HonorHNTE, registry.HonorTechSME, registry.HonorInnovativeSME,
	registry.HonorSpecializedSME, registry.HonorLittleGiant, registry.HonorChampion},
	func(in *input, h *registry.Honor) bool { return validTitle(h, in.asOf) })

var standards = tiered([]string{registry.HonorStandardLed},
	func(in *input, h *registry.Honor) bool { return h.ValidAt(in.asOf) })
