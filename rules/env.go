package rules

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/peiyu/peiyu/registry"
)

// Env is the derived view of one firm at one as_of date: the typed
// environment every pack expression is compiled against. It is computed once
// per firm and evaluation, in Go, so expressions stay comparisons.
//
// Each field is a metric named by its expr tag. A metric the profile cannot
// supply is unknown (see Known); an expression that needs an unknown metric
// evaluates to "missing", never to a silent false.
//
// Year metrics: "_prev" is the fiscal year a rule calls 上年度 (the year
// before as_of's year), "_prev2" the one before it, "_prev3" the one before
// that. A fiscal year that ended before the firm was established counts as
// known zero for amounts: the firm did not exist.
type Env struct {
	// Fiscal year as_of.Year()-1.
	EmployeesPrev            float64 `expr:"employees_prev"`
	TechStaffPrev            float64 `expr:"tech_staff_prev"`
	RDStaffPrev              float64 `expr:"rd_staff_prev"`
	RevenuePrev              float64 `expr:"revenue_prev"`
	MainRevenuePrev          float64 `expr:"main_revenue_prev"`
	HighTechRevenuePrev      float64 `expr:"high_tech_revenue_prev"`
	TotalCostPrev            float64 `expr:"total_cost_prev"`
	RDExpensePrev            float64 `expr:"rd_expense_prev"`
	DomesticRDExpensePrev    float64 `expr:"domestic_rd_expense_prev"`
	TotalAssetsPrev          float64 `expr:"total_assets_prev"`
	TotalLiabilitiesPrev     float64 `expr:"total_liabilities_prev"`
	NetProfitPrev            float64 `expr:"net_profit_prev"`
	EquityFinancingPrev      float64 `expr:"equity_financing_prev"`
	TechContractTurnoverPrev float64 `expr:"tech_contract_turnover_prev"`
	SRDIScorePrev            float64 `expr:"srdi_score_prev"`
	DigitalLevelPrev         float64 `expr:"digital_level_prev"`
	// Fiscal year as_of.Year()-2.
	EmployeesPrev2            float64 `expr:"employees_prev2"`
	TechStaffPrev2            float64 `expr:"tech_staff_prev2"`
	RDStaffPrev2              float64 `expr:"rd_staff_prev2"`
	RevenuePrev2              float64 `expr:"revenue_prev2"`
	MainRevenuePrev2          float64 `expr:"main_revenue_prev2"`
	HighTechRevenuePrev2      float64 `expr:"high_tech_revenue_prev2"`
	TotalCostPrev2            float64 `expr:"total_cost_prev2"`
	RDExpensePrev2            float64 `expr:"rd_expense_prev2"`
	DomesticRDExpensePrev2    float64 `expr:"domestic_rd_expense_prev2"`
	TotalAssetsPrev2          float64 `expr:"total_assets_prev2"`
	TotalLiabilitiesPrev2     float64 `expr:"total_liabilities_prev2"`
	NetProfitPrev2            float64 `expr:"net_profit_prev2"`
	EquityFinancingPrev2      float64 `expr:"equity_financing_prev2"`
	TechContractTurnoverPrev2 float64 `expr:"tech_contract_turnover_prev2"`
	SRDIScorePrev2            float64 `expr:"srdi_score_prev2"`
	DigitalLevelPrev2         float64 `expr:"digital_level_prev2"`
	// Fiscal year as_of.Year()-3.
	EmployeesPrev3            float64 `expr:"employees_prev3"`
	TechStaffPrev3            float64 `expr:"tech_staff_prev3"`
	RDStaffPrev3              float64 `expr:"rd_staff_prev3"`
	RevenuePrev3              float64 `expr:"revenue_prev3"`
	MainRevenuePrev3          float64 `expr:"main_revenue_prev3"`
	HighTechRevenuePrev3      float64 `expr:"high_tech_revenue_prev3"`
	TotalCostPrev3            float64 `expr:"total_cost_prev3"`
	RDExpensePrev3            float64 `expr:"rd_expense_prev3"`
	DomesticRDExpensePrev3    float64 `expr:"domestic_rd_expense_prev3"`
	TotalAssetsPrev3          float64 `expr:"total_assets_prev3"`
	TotalLiabilitiesPrev3     float64 `expr:"total_liabilities_prev3"`
	NetProfitPrev3            float64 `expr:"net_profit_prev3"`
	EquityFinancingPrev3      float64 `expr:"equity_financing_prev3"`
	TechContractTurnoverPrev3 float64 `expr:"tech_contract_turnover_prev3"`
	SRDIScorePrev3            float64 `expr:"srdi_score_prev3"`
	DigitalLevelPrev3         float64 `expr:"digital_level_prev3"`

	// SRDIScoreLatest is the 专精特新发展评价 score of as_of's own year when
	// the profile has it, else of the previous year; SRDIScoreBest2 the
	// higher of that year's and the year before's (the 复核 rule).
	SRDIScoreLatest float64 `expr:"srdi_score_latest"`
	SRDIScoreBest2  float64 `expr:"srdi_score_best2"`

	DaysEstablished  float64 `expr:"days_established"`
	YearsEstablished float64 `expr:"years_established"`
	YearsInNiche     float64 `expr:"years_in_niche"`
	YearsInField     float64 `expr:"years_in_field"`
	NicheShare       float64 `expr:"niche_share"`
	DomesticRank     float64 `expr:"domestic_rank"`
	GlobalRank       float64 `expr:"global_rank"`

	KeyField          bool `expr:"key_field"`
	StrategicEmerging bool `expr:"strategic_emerging"`
	GapFilling        bool `expr:"gap_filling"`

	IPClass1              float64 `expr:"ip_class1"`
	IPClass1HighValue     float64 `expr:"ip_class1_high_value"`
	IPClass1SelfDeveloped float64 `expr:"ip_class1_self_developed"`
	IPClass2              float64 `expr:"ip_class2"`

	RDInstitutionLevel float64 `expr:"rd_institution_level"`
	QualityItems       float64 `expr:"quality_items"`

	AbnormalList         bool    `expr:"abnormal_list"`
	SeriousDishonesty    bool    `expr:"serious_dishonesty"`
	ProhibitedIndustry   bool    `expr:"prohibited_industry"`
	MajorIncidents1Y     float64 `expr:"major_incidents_1y"`
	MajorIncidents2Y     float64 `expr:"major_incidents_2y"`
	MajorIncidents3Y     float64 `expr:"major_incidents_3y"`
	Manufacturing        bool    `expr:"manufacturing"`
	Industrial           bool    `expr:"industrial"`
	SuperDeductionBarred bool    `expr:"superdeduction_excluded"`
	SME                  bool    `expr:"sme"`
	MainlandEnterprise   bool    `expr:"mainland_enterprise"`

	known   bitset
	firm    *registry.Firm
	asOf    time.Time
	smeNote string
}

// Units of metrics. The unit decides how a gap is worded and rounded.
const (
	unitYuan   = "yuan"
	unitPeople = "people"
	unitCount  = "count"
	unitRatio  = "ratio"
	unitYears  = "years"
	unitDays   = "days"
	unitScore  = "score"
	unitLevel  = "level"
	unitRank   = "rank"
	unitBool   = "bool"
	unitPoints = "points"
)

// integral reports whether a unit counts whole things, so a gap in it is
// rounded up to a whole number.
func integral(unit string) bool {
	switch unit {
	case unitYuan, unitPeople, unitCount, unitYears, unitDays, unitLevel, unitRank:
		return true
	}
	return false
}

// Metric describes one field of Env: its name in expressions, its unit and
// its Chinese title. Offset is the fiscal-year offset (1 for "_prev") of a
// year metric, 0 otherwise.
type Metric struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Unit   string `json:"unit"`
	Offset int    `json:"year_offset,omitempty"`
	Bool   bool   `json:"bool,omitempty"`
	index  int
	field  int
}

// TitleAt is the metric's title with its fiscal year spelled out for asOf.
func (m *Metric) TitleAt(asOf time.Time) string {
	if m.Offset == 0 || asOf.IsZero() {
		return m.Title
	}
	return fmt.Sprintf("%d年%s", asOf.Year()-m.Offset, m.Title)
}

var yearFields = []struct{ name, title, unit string }{
	{"employees", "职工总数", unitPeople},
	{"tech_staff", "科技人员数", unitPeople},
	{"rd_staff", "研发人员数", unitPeople},
	{"revenue", "营业收入", unitYuan},
	{"main_revenue", "主营业务收入", unitYuan},
	{"high_tech_revenue", "高新技术产品（服务）收入", unitYuan},
	{"total_cost", "成本费用总额", unitYuan},
	{"rd_expense", "研发费用", unitYuan},
	{"domestic_rd_expense", "境内研发费用", unitYuan},
	{"total_assets", "资产总额", unitYuan},
	{"total_liabilities", "负债总额", unitYuan},
	{"net_profit", "净利润", unitYuan},
	{"equity_financing", "合格机构投资者实缴股权融资", unitYuan},
	{"tech_contract_turnover", "技术合同成交额", unitYuan},
	{"srdi_score", "专精特新发展评价得分", unitScore},
	{"digital_level", "数字化水平等级", unitLevel},
}

var firmFields = map[string]struct{ title, unit string }{
	"srdi_score_latest":        {"最近一年专精特新发展评价得分", unitScore},
	"srdi_score_best2":         {"近两年专精特新发展评价最高得分", unitScore},
	"days_established":         {"成立天数", unitDays},
	"years_established":        {"成立年数", unitYears},
	"years_in_niche":           {"从事细分市场年限（截至上年末）", unitYears},
	"years_in_field":           {"从事相关领域年限（截至上年末）", unitYears},
	"niche_share":              {"主导产品细分市场占有率", unitRatio},
	"domestic_rank":            {"主导产品国内市场排名", unitRank},
	"global_rank":              {"主导产品全球市场排名", unitRank},
	"key_field":                {"主导产品属于重点领域（工业六基、制造强国、网络强国等）", unitBool},
	"strategic_emerging":       {"主导产品属于战略性新兴产业", unitBool},
	"gap_filling":              {"在产业链关键环节补短板、锻长板、填空白", unitBool},
	"ip_class1":                {"Ⅰ类知识产权数", unitCount},
	"ip_class1_high_value":     {"Ⅰ类高价值知识产权数", unitCount},
	"ip_class1_self_developed": {"自主研发Ⅰ类知识产权数", unitCount},
	"ip_class2":                {"Ⅱ类知识产权数", unitCount},
	"rd_institution_level":     {"研发机构级别（4国家级 3省级 2市级 1市级以下 0无）", unitLevel},
	"quality_items":            {"质量管理项（省级以上质量奖、质量体系认证、自主品牌、参与制定标准）", unitCount},
	"abnormal_list":            {"列入经营异常名录", unitBool},
	"serious_dishonesty":       {"列入严重失信主体名单", unitBool},
	"prohibited_industry":      {"产品属于禁止、限制或淘汰类", unitBool},
	"major_incidents_1y":       {"近1年重大安全、质量、环境等事故或违法", unitCount},
	"major_incidents_2y":       {"上年度至今重大安全、质量、环境等事故或违法", unitCount},
	"major_incidents_3y":       {"近3年重大安全、质量、环境等事故或违法", unitCount},
	"manufacturing":            {"属于制造业（国民经济行业门类C）", unitBool},
	"industrial":               {"属于工业（门类B、C、D）", unitBool},
	"superdeduction_excluded":  {"属于不适用研发费用加计扣除的行业", unitBool},
	"sme":                      {"属于中小企业（2011年划型标准）", unitBool},
	"mainland_enterprise":      {"境内登记的企业法人（统一社会信用代码以91开头）", unitBool},
}

// metrics is the catalog of Env fields, in field order; metricByName
// indexes it.
var (
	metrics      []Metric
	metricByName = map[string]*Metric{}
	envType      = reflect.TypeFor[Env]()
)

type bitset [2]uint64

func (b *bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b *bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b *bitset) clear(i int)    { b[i/64] &^= 1 << (i % 64) }

func init() {
	yearInfo := map[string]struct {
		title, unit string
		off         int
	}{}
	for off, sfx := range []string{"_prev", "_prev2", "_prev3"} {
		for _, y := range yearFields {
			yearInfo[y.name+sfx] = struct {
				title, unit string
				off         int
			}{y.title, y.unit, off + 1}
		}
	}
	for i := 0; i < envType.NumField(); i++ {
		f := envType.Field(i)
		name := f.Tag.Get("expr")
		if name == "" {
			continue
		}
		m := Metric{Name: name, index: len(metrics), field: i, Bool: f.Type.Kind() == reflect.Bool}
		if y, ok := yearInfo[name]; ok {
			m.Title, m.Unit, m.Offset = y.title, y.unit, y.off
		} else if d, ok := firmFields[name]; ok {
			m.Title, m.Unit = d.title, d.unit
		} else {
			panic("rules: metric without a description: " + name)
		}
		metrics = append(metrics, m)
	}
	if len(metrics) > 128 {
		panic("rules: too many metrics for the known bitset")
	}
	for i := range metrics {
		metricByName[metrics[i].Name] = &metrics[i]
	}
}

// Metrics returns the catalog of metrics every expression may use.
func Metrics() []Metric { return append([]Metric(nil), metrics...) }

// Known reports whether the named metric has a value for this firm.
func (e *Env) Known(name string) bool {
	m, ok := metricByName[name]
	return ok && e.known.has(m.index)
}

func (e *Env) value(m *Metric) float64 {
	v := reflect.ValueOf(e).Elem().Field(m.field)
	if m.Bool {
		if v.Bool() {
			return 1
		}
		return 0
	}
	return v.Float()
}

func (e *Env) setValue(m *Metric, x float64) {
	v := reflect.ValueOf(e).Elem().Field(m.field)
	if m.Bool {
		v.SetBool(x != 0)
	} else {
		v.SetFloat(x)
	}
	e.known.set(m.index)
}

// NewEnv derives the view of firm f at asOf. It does not validate f; an
// invalid date or amount simply leaves its metrics unknown.
func NewEnv(f *registry.Firm, asOf time.Time) *Env {
	e := &Env{}
	e.reset(f, asOf)
	return e
}

func (e *Env) reset(f *registry.Firm, asOf time.Time) {
	*e = Env{firm: f, asOf: asOf}
	var founded time.Time
	if f.Established != "" {
		if t, err := registry.ParseDate(f.Established); err == nil {
			founded = t
			if !t.After(asOf) {
				e.num(&e.DaysEstablished, "days_established", float64(int(asOf.Sub(t).Hours()/24)))
				e.num(&e.YearsEstablished, "years_established", float64(registry.FullYears(t, asOf)))
			}
		}
	}
	prev := asOf.Year() - 1
	for off := 1; off <= 3; off++ {
		e.fillYear(f, prev+1-off, off, founded)
	}
	e.fillSRDI(f, asOf)
	if y, ok := f.YearsInNiche(asOf); ok {
		e.num(&e.YearsInNiche, "years_in_niche", float64(y))
	}
	// The field (领域) can be older than the niche market the firm serves
	// today: the stated years_in_field wins, the niche years stand in.
	if f.Niche != nil && f.Niche.YearsInField != nil {
		e.num(&e.YearsInField, "years_in_field", float64(*f.Niche.YearsInField))
	} else if y, ok := f.YearsInNiche(asOf); ok {
		e.num(&e.YearsInField, "years_in_field", float64(y))
	}
	if n := f.Niche; n != nil {
		e.numPtr(&e.NicheShare, "niche_share", n.Share)
		e.intPtr(&e.DomesticRank, "domestic_rank", n.DomesticRank)
		e.intPtr(&e.GlobalRank, "global_rank", n.GlobalRank)
		e.boolPtr(&e.KeyField, "key_field", n.KeyField)
		e.boolPtr(&e.StrategicEmerging, "strategic_emerging", n.StrategicEmerging)
		e.boolPtr(&e.GapFilling, "gap_filling", n.GapFilling)
	}
	if ip := f.IP; ip != nil {
		e.intPtr(&e.IPClass1, "ip_class1", ip.Class1)
		e.intPtr(&e.IPClass1HighValue, "ip_class1_high_value", ip.Class1HighValue)
		e.intPtr(&e.IPClass1SelfDeveloped, "ip_class1_self_developed", ip.Class1SelfDeveloped)
		e.intPtr(&e.IPClass2, "ip_class2", ip.Class2)
	}
	e.fillHonors(f, asOf)
	e.fillCompliance(f, asOf)
	e.fillIndustry(f)
	if u := registry.NormalizeUSCC(f.USCC); len(u) == 18 {
		// Registration authority 9 (market regulation), type 1 (enterprise).
		e.MainlandEnterprise = u[0] == '9' && u[1] == '1'
		e.mark("mainland_enterprise")
	}
}

func (e *Env) mark(name string) { e.known.set(metricByName[name].index) }

func (e *Env) num(dst *float64, name string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	*dst = v
	e.mark(name)
}

func (e *Env) numPtr(dst *float64, name string, v *float64) {
	if v != nil {
		e.num(dst, name, *v)
	}
}

func intPtrOf[T int | int64](v *T) *float64 {
	if v == nil {
		return nil
	}
	x := float64(*v)
	return &x
}

func (e *Env) intPtr(dst *float64, name string, v *int) { e.numPtr(dst, name, intPtrOf(v)) }

func (e *Env) boolPtr(dst *bool, name string, v *bool) {
	if v != nil {
		*dst = *v
		e.mark(name)
	}
}

// fillYear sets the metrics of fiscal year y under suffix offset off.
func (e *Env) fillYear(f *registry.Firm, y, off int, founded time.Time) {
	sfx := [...]string{"", "_prev", "_prev2", "_prev3"}[off]
	set := func(field string, v *float64) {
		m := metricByName[field+sfx]
		if v != nil {
			e.setValue(m, *v)
		}
	}
	fy := f.Year(y)
	if fy == nil {
		// A year wholly before the firm was founded is known: it had
		// nothing. Amounts are zero; headcounts and scores stay unknown.
		if !founded.IsZero() && founded.Year() > y {
			zero := 0.0
			for _, name := range []string{"revenue", "main_revenue", "high_tech_revenue", "total_cost",
				"rd_expense", "domestic_rd_expense", "net_profit", "equity_financing", "tech_contract_turnover"} {
				set(name, &zero)
			}
		}
		return
	}
	set("employees", intPtrOf(fy.Employees))
	set("tech_staff", intPtrOf(fy.TechStaff))
	set("rd_staff", intPtrOf(fy.RDStaff))
	set("revenue", intPtrOf(fy.Revenue))
	set("main_revenue", intPtrOf(fy.MainRevenue))
	set("high_tech_revenue", intPtrOf(fy.HighTechRevenue))
	set("total_cost", intPtrOf(fy.TotalCost))
	set("rd_expense", intPtrOf(fy.RDExpense))
	set("domestic_rd_expense", intPtrOf(fy.DomesticRDExpense))
	set("total_assets", intPtrOf(fy.TotalAssets))
	set("total_liabilities", intPtrOf(fy.TotalLiabilities))
	set("net_profit", intPtrOf(fy.NetProfit))
	set("equity_financing", intPtrOf(fy.EquityFinancing))
	set("tech_contract_turnover", intPtrOf(fy.TechContractTurnover))
	set("srdi_score", fy.SRDIScore)
	set("digital_level", intPtrOf(fy.DigitalLevel))
}

func (e *Env) fillSRDI(f *registry.Firm, asOf time.Time) {
	latest := asOf.Year()
	y := f.Year(latest)
	if y == nil || y.SRDIScore == nil {
		latest--
		y = f.Year(latest)
	}
	if y == nil || y.SRDIScore == nil {
		return
	}
	e.num(&e.SRDIScoreLatest, "srdi_score_latest", *y.SRDIScore)
	best := *y.SRDIScore
	if b := f.Year(latest - 1); b != nil && b.SRDIScore != nil {
		best = max(best, *b.SRDIScore)
	}
	e.num(&e.SRDIScoreBest2, "srdi_score_best2", best)
}

// institutionLevel maps an honor level to the 0–4 scale of
// rd_institution_level.
func institutionLevel(level string) float64 {
	switch {
	case registry.LevelAtLeast(level, registry.LevelNational):
		return 4
	case level == registry.LevelIndustry || level == registry.LevelProvincial:
		return 3
	case level == registry.LevelCity:
		return 2
	case level != "":
		return 1
	}
	return 1
}

func (e *Env) fillHonors(f *registry.Firm, asOf time.Time) {
	var level float64
	var quality [4]bool
	for i := range f.Honors {
		h := &f.Honors[i]
		switch h.Kind {
		case registry.HonorRDInstitution:
			if h.ValidAt(asOf) {
				level = max(level, institutionLevel(h.Level))
			}
		case registry.HonorQualityAward:
			quality[0] = quality[0] || (registry.LevelAtLeast(h.Level, registry.LevelProvincial) && h.ValidAt(asOf))
		case registry.HonorQMSCert:
			quality[1] = quality[1] || h.ValidAt(asOf)
		case registry.HonorOwnBrand:
			quality[2] = quality[2] || h.ValidAt(asOf)
		case registry.HonorStandardLed:
			quality[3] = quality[3] || h.ValidAt(asOf)
		}
	}
	e.num(&e.RDInstitutionLevel, "rd_institution_level", level)
	n := 0
	for _, q := range quality {
		if q {
			n++
		}
	}
	e.num(&e.QualityItems, "quality_items", float64(n))
}

func (e *Env) fillCompliance(f *registry.Firm, asOf time.Time) {
	c := f.Compliance
	if c == nil {
		return
	}
	e.boolPtr(&e.AbnormalList, "abnormal_list", c.AbnormalList)
	e.boolPtr(&e.SeriousDishonesty, "serious_dishonesty", c.SeriousDishonesty)
	e.boolPtr(&e.ProhibitedIndustry, "prohibited_industry", c.ProhibitedIndustry)
	// The incident list is authoritative once compliance is given: no
	// entries means none.
	var n1, n2, n3 float64
	startPrevYear := time.Date(asOf.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, inc := range c.Incidents {
		d, err := registry.ParseDate(inc.Date)
		if err != nil || !inc.Major || d.After(asOf) {
			continue
		}
		if d.After(asOf.AddDate(-1, 0, 0)) {
			n1++
		}
		if !d.Before(startPrevYear) {
			n2++
		}
		if d.After(asOf.AddDate(-3, 0, 0)) {
			n3++
		}
	}
	e.num(&e.MajorIncidents1Y, "major_incidents_1y", n1)
	e.num(&e.MajorIncidents2Y, "major_incidents_2y", n2)
	e.num(&e.MajorIncidents3Y, "major_incidents_3y", n3)
}

// superDeductionExcluded are the GB/T 4754-2017 divisions and sections
// excluded from the R&D super-deduction (财税〔2015〕119号 第四条): tobacco
// (C16), accommodation and catering (H), wholesale and retail (F), real
// estate (K), leasing and business services (L), entertainment (R90).
// The list is the engine's reading [M] of criteria.md §1.1 B5'.
var superDeductionExcluded = []string{"C16", "H", "F", "K", "L", "R90"}

func (e *Env) fillIndustry(f *registry.Firm) {
	code := f.IndustryCode
	if code != "" {
		sec := code[:1]
		e.Manufacturing = sec == "C"
		e.mark("manufacturing")
		e.Industrial = sec == "B" || sec == "C" || sec == "D"
		e.mark("industrial")
		for _, p := range superDeductionExcluded {
			if strings.HasPrefix(code, p) {
				e.SuperDeductionBarred = true
			}
		}
		e.mark("superdeduction_excluded")
	}
	if sme, ok, note := classifySME(code, e.metricPtr("employees_prev"), e.metricPtr("revenue_prev"), e.metricPtr("total_assets_prev")); ok {
		e.SME = sme
		e.mark("sme")
		e.smeNote = note
	}
}

func (e *Env) metricPtr(name string) *float64 {
	m := metricByName[name]
	if !e.known.has(m.index) {
		return nil
	}
	v := e.value(m)
	return &v
}
