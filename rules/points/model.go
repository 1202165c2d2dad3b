// Package points scores innovation points (创新积分, program
// innovation-points@2024) as policy/finance.md §5.1 proposes: a firm's
// indicators are ranked within its cohort — the firms of its region at its
// stage of development — and the percentile ranks, weighted by category and
// stage, make a score out of 1000; the cohort's top 5%, 10% and 20% form the
// bands 领跑, 竞跑 and 进取, each with an indicative 积分贷 ceiling.
//
// Ranking needs the whole cohort, so the program is not a rule pack but Go
// code in two passes. Pass 1 (Builder, Screener.Build) measures every firm
// of the registry and stores each cohort's distribution; pass 2
// (Program.Evaluate) places one firm against a distribution: the one its
// screening just built, or for a self-check the latest stored one, which
// the result then calls an estimate.
//
// Every number of the model is a parameter of Model, labelled in Pack as
// official or engine-default exactly as finance.md labels it: the three
// categories and the three stage names are the national trial version's;
// everything else (stage thresholds, weights, the percentile method, the
// bands, the ceilings) is the engine's default.
package points

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sync"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
)

// The program's identity in the API contract (SPEC §2).
const (
	ProgramID = "innovation-points"
	Edition   = "2024"
)

// Model is the scoring model: what Default returns, and what a preset may
// change. A Model is read-only once in use.
type Model struct {
	ID        string
	Edition   string
	Name      rules.Text
	Effective rules.Period
	Basis     []string
	// Stages split firms by the previous fiscal year's revenue, smallest
	// first; each begins at MinRevenue and ends where the next begins.
	Stages     []Stage
	Categories []Category
	Indicators []Indicator
	// Bands are the ranking bands, best (smallest Top) first.
	Bands []Band
	// MinCohort is the smallest cohort a firm is ranked in: below it the
	// firm is compared at the next wider level (county → city → province).
	MinCohort int
	// Tiers score a recognition by its level (national 1.0, provincial 0.6,
	// municipal 0.3); levels not listed score 0.
	Tiers map[string]float64
	// AwardYears is how long a science and technology award counts after it
	// is issued.
	AwardYears int
	// Winsor is the share cut at each end of a winsorised indicator before
	// ranking (0.05: the 5th and 95th percentiles).
	Winsor float64
	// MaxValues bounds the distinct values a stored distribution keeps; a
	// larger cohort keeps evenly spaced ones (see registry.Distribution).
	MaxValues int
}

// Stage is a stage of development (发展阶段).
type Stage struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	MinRevenue float64 `json:"min_revenue"`
}

// Category is a first-level indicator category with its weight in each
// stage. Its indicators share the weight equally.
type Category struct {
	ID      string             `json:"id"`
	Name    string             `json:"name"`
	Weights map[string]float64 `json:"weights"`
}

// Band is a ranking band: the cohort's top share Top, and the indicative
// 积分贷 ceiling in yuan of a firm in it.
type Band struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Top     float64 `json:"top"`
	Ceiling float64 `json:"ceiling"`
}

// Kind says how an indicator is scored.
type Kind string

// Indicator kinds.
const (
	// Level is an amount, count or ratio, scored by its percentile rank in
	// the cohort; a value of zero or less scores 0.
	Level Kind = "level"
	// Growth is a growth rate, winsorised at the model's Winsor before its
	// percentile rank is taken; it may be negative.
	Growth Kind = "growth"
	// Tiered is a recognition, scored by its level (Model.Tiers).
	Tiered Kind = "tiered"
)

// Indicator is one second-level indicator.
type Indicator struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Category string `json:"category"`
	Unit     string `json:"unit"`
	Kind     Kind   `json:"kind"`
	// Verified says a source names the indicator (finance.md §1.3); the
	// other slots come from memory and are marked unverified.
	Verified bool   `json:"verified"`
	Basis    string `json:"basis"`

	measure func(*input) value
}

// ranked reports whether the indicator is scored by percentile rank.
func (ind *Indicator) ranked() bool { return ind.Kind != Tiered }

// Engine-default labels, as finance.md §5 tags every parameter.
const (
	official      = "official"
	engineDefault = "engine-default"
)

var defaultModel = sync.OnceValue(func() *Model {
	levelIndicators := []Indicator{
		// 技术创新
		{ID: "rd-intensity", Title: "研发投入强度", Category: "tech", Unit: "ratio", Kind: Level, Verified: true,
			Basis: "研发费用占营业收入比重；指标名见科技日报2023-06 [S7]", measure: rdIntensity},
		{ID: "rd-expense", Title: "研发费用总额", Category: "tech", Unit: "yuan", Kind: Level,
			Basis: "指标槽位（finance.md §5.1 注*：金额指标可能存在，凭记忆）", measure: yearAmount("rd_expense_prev", "研发费用", func(e *env) float64 { return e.RDExpensePrev })},
		{ID: "tech-staff-share", Title: "科技人员占比", Category: "tech", Unit: "ratio", Kind: Level, Verified: true,
			Basis: "科技人员占职工总数比例；唯一的人才指标 [S11]", measure: techStaffShare},
		{ID: "tech-staff", Title: "科技人员数", Category: "tech", Unit: "people", Kind: Level,
			Basis: "指标槽位（finance.md §5.1，凭记忆，未核实）", measure: yearAmount("tech_staff_prev", "科技人员数", func(e *env) float64 { return e.TechStaffPrev })},
		{ID: "ip-class1", Title: "有效Ⅰ类知识产权（发明专利等）数", Category: "tech", Unit: "count", Kind: Level,
			Basis: "指标槽位（finance.md §5.1，凭记忆，未核实）", measure: ipClass1},
		{ID: "tech-contracts", Title: "技术合同成交额", Category: "tech", Unit: "yuan", Kind: Level, Verified: true,
			Basis: "指标名见科技日报2023-06 [S7]", measure: yearAmount("tech_contract_turnover_prev", "技术合同成交额", func(e *env) float64 { return e.TechContractTurnoverPrev })},
		// 成长经营
		{ID: "revenue", Title: "营业收入", Category: "growth", Unit: "yuan", Kind: Level,
			Basis: "指标槽位（finance.md §5.1，凭记忆，未核实）", measure: yearAmount("revenue_prev", "营业收入", func(e *env) float64 { return e.RevenuePrev })},
		{ID: "revenue-growth", Title: "营业收入增长率", Category: "growth", Unit: "ratio", Kind: Growth,
			Basis: "指标槽位（finance.md §5.1，凭记忆，未核实）；按群体第5、95百分位缩尾", measure: revenueGrowth},
		{ID: "net-profit", Title: "净利润", Category: "growth", Unit: "yuan", Kind: Level,
			Basis: "指标槽位（finance.md §5.1，凭记忆，未核实）", measure: yearAmount("net_profit_prev", "净利润", func(e *env) float64 { return e.NetProfitPrev })},
		{ID: "high-tech-revenue", Title: "高新技术产品（服务）收入", Category: "growth", Unit: "yuan", Kind: Level, Verified: true,
			Basis: "指标名见科技日报2023-06 [S7]", measure: yearAmount("high_tech_revenue_prev", "高新技术产品（服务）收入", func(e *env) float64 { return e.HighTechRevenuePrev })},
		// 辅助
		{ID: "equity-financing", Title: "股权融资额", Category: "aux", Unit: "yuan", Kind: Level,
			Basis: "指标槽位（finance.md §5.1，凭记忆，未核实）", measure: yearAmount("equity_financing_prev", "合格机构投资者实缴股权融资", func(e *env) float64 { return e.EquityFinancingPrev })},
		{ID: "rd-platform", Title: "研发机构或创新平台", Category: "aux", Unit: "score", Kind: Tiered,
			Basis: "指标槽位（finance.md §5.1，凭记忆，未核实）；有效期内研发机构、创新平台的最高级别", measure: platforms},
		{ID: "sci-award", Title: "科学技术奖", Category: "aux", Unit: "score", Kind: Tiered,
			Basis: "指标槽位（finance.md §5.1，凭记忆，未核实）；近3年获奖的最高级别", measure: sciAwards},
		{ID: "qualification", Title: "企业资质（高新技术企业、科技型/创新型中小企业、专精特新等）", Category: "aux", Unit: "score", Kind: Tiered,
			Basis: "指标槽位（finance.md §5.1，凭记忆，未核实）；有效期内资质的最高级别", measure: qualifications},
		{ID: "standards", Title: "主导或参与制定标准", Category: "aux", Unit: "score", Kind: Tiered,
			Basis: "指标槽位（finance.md §5.1，凭记忆，未核实）；已发布标准的最高级别", measure: standards},
	}
	return &Model{
		ID:      ProgramID,
		Edition: Edition,
		Name:    rules.Text{ZH: "创新积分", EN: "Innovation points"},
		// The national trial version was issued in August 2024; 2024-08-13
		// is the day Xinhua and achie.org published it [S2][S4].
		Effective: rules.Period{From: "2024-08-13"},
		Basis: []string{
			"《“创新积分制”工作指引（全国试行版）》（科技部办公厅，2024年8月）：3类一级指标、18项二级指标，分初创期、成长期、稳定期设权重",
			"policy/finance.md §5.1 创新积分默认模型（引擎默认，非官方规则）",
		},
		Stages: []Stage{
			{ID: "startup", Name: "初创期", MinRevenue: 0},
			{ID: "growth", Name: "成长期", MinRevenue: 5_000_000},
			{ID: "stable", Name: "稳定期", MinRevenue: 200_000_000},
		},
		Categories: []Category{
			{ID: "tech", Name: "技术创新", Weights: map[string]float64{"startup": 0.60, "growth": 0.55, "stable": 0.50}},
			{ID: "growth", Name: "成长经营", Weights: map[string]float64{"startup": 0.25, "growth": 0.35, "stable": 0.40}},
			{ID: "aux", Name: "辅助", Weights: map[string]float64{"startup": 0.15, "growth": 0.10, "stable": 0.10}},
		},
		Indicators: levelIndicators,
		Bands: []Band{
			{ID: "leading", Name: "领跑", Top: 0.05, Ceiling: 10_000_000},
			{ID: "competing", Name: "竞跑", Top: 0.10, Ceiling: 5_000_000},
			{ID: "advancing", Name: "进取", Top: 0.20, Ceiling: 3_000_000},
		},
		MinCohort: 20,
		Tiers: map[string]float64{
			registry.LevelInternational: 1.0, registry.LevelNational: 1.0,
			registry.LevelIndustry: 0.6, registry.LevelProvincial: 0.6,
			registry.LevelCity: 0.3,
		},
		AwardYears: 3,
		Winsor:     0.05,
		MaxValues:  2000,
	}
})

// Default returns the model of finance.md §5.1. It is shared: do not modify
// it; copy it for a preset.
func Default() *Model { return defaultModel() }

// Key is "id@edition".
func (m *Model) Key() string { return m.ID + "@" + m.Edition }

// StageOf returns the stage of a firm with the given revenue.
func (m *Model) StageOf(revenue float64) *Stage {
	var out *Stage
	for i := range m.Stages {
		if revenue >= m.Stages[i].MinRevenue {
			out = &m.Stages[i]
		}
	}
	if out == nil && len(m.Stages) > 0 {
		out = &m.Stages[0] // a negative revenue: the first stage
	}
	return out
}

func (m *Model) stage(id string) *Stage {
	for i := range m.Stages {
		if m.Stages[i].ID == id {
			return &m.Stages[i]
		}
	}
	return nil
}

func (m *Model) category(id string) *Category {
	for i := range m.Categories {
		if m.Categories[i].ID == id {
			return &m.Categories[i]
		}
	}
	return nil
}

// weight is an indicator's share of the total in a stage: its category's
// weight divided equally among the category's indicators.
func (m *Model) weight(ind *Indicator, stage string) float64 {
	c := m.category(ind.Category)
	if c == nil {
		return 0
	}
	n := 0
	for i := range m.Indicators {
		if m.Indicators[i].Category == c.ID {
			n++
		}
	}
	return c.Weights[stage] / float64(n)
}

// Hash identifies the model's parameters: stored results carry it.
func (m *Model) Hash() string {
	b, _ := json.Marshal(struct {
		Key        string
		Stages     []Stage
		Categories []Category
		Indicators []Indicator
		Bands      []Band
		MinCohort  int
		Tiers      map[string]float64
		AwardYears int
		Winsor     float64
		MaxValues  int
	}{m.Key(), m.Stages, m.Categories, m.Indicators, m.Bands, m.MinCohort, m.Tiers, m.AwardYears, m.Winsor, m.MaxValues})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

// Pack describes the model in the shape of a rule pack, for the program
// endpoints: every parameter with its label and basis, the categories as
// score groups, and one criterion per indicator and condition. It has no
// expressions and is never compiled: the Go code of this package evaluates
// it.
func (m *Model) Pack() *rules.Pack {
	p := &rules.Pack{
		ID: m.ID, Edition: m.Edition, Name: m.Name, Effective: m.Effective, Basis: m.Basis,
		Notes: []string{
			"群体内百分位评分需要整个群体：由筛查先形成群体分布（第一遍），再逐户评分（第二遍）；自查与企业资格查询对照最新存储的分布估算",
			"百分位 = 群体中该指标不高于本企业的企业所占比例（含并列）；数值为0或缺失的指标计0分",
			fmt.Sprintf("群体少于%d家时改用上一级地区（县→市→省）的同阶段群体；最宽一级仍不足时不排名（数据不足）", m.MinCohort),
			"负面清单企业积分计0，不进入任何档次（不符合积分贷预审）",
			"档次：群体内积分排名前5%领跑、前10%竞跑、前20%进取（名次 ≤ ceil(比例×群体户数)，并列取较好名次）；进入前20%即符合积分贷预审",
			"全国试行版18项二级指标中，承担科技计划项目、当年新增知识产权两项不在企业画像中，未计；第18项名称未见于来源",
		},
		Parameters: map[string]rules.Parameter{},
		Groups:     map[string]string{},
	}
	param := func(name string, v float64, unit, title, source, basis string) {
		p.Parameters[name] = rules.Parameter{Value: v, Unit: unit, Title: title, Source: source, Basis: basis}
	}
	for i, s := range m.Stages {
		if i > 0 {
			param("stage_"+s.ID+"_min_revenue", s.MinRevenue, "yuan", s.Name+"起点（上年度营业收入）", engineDefault,
				"finance.md §5.1：合并长沙高新区5档阶段为全国3档 [S8]；全国阶段门槛未公开")
		}
	}
	for _, c := range m.Categories {
		p.Groups[c.ID] = c.Name
		for _, s := range m.Stages {
			param("weight_"+c.ID+"_"+s.ID, c.Weights[s.ID], "ratio", c.Name+"类权重（"+s.Name+"）", engineDefault,
				"finance.md §5.1：体现“突出创新能力、兼顾成长经营、分阶段设权重”的官方导向 [S1][S2][S3]；官方权重表未读到 [S4]")
		}
	}
	for _, b := range m.Bands {
		param("band_"+b.ID+"_top", b.Top, "ratio", b.Name+"：群体内积分排名前"+formatShare(b.Top), engineDefault,
			"finance.md §5.1：温州 温龙政发〔2022〕12号 领跑榜、竞跑榜、进取榜 [S9]")
		param("band_"+b.ID+"_ceiling", b.Ceiling, "yuan", b.Name+"档积分贷指示性额度上限", engineDefault,
			"finance.md §5.1 积分贷映射；成都积分贷最高1000万元 [S14]；实际额度由银行审批")
	}
	param("min_cohort", float64(m.MinCohort), "count", "可排名群体的最少企业数", engineDefault,
		"引擎默认：少于此数时每户相差数个百分位，改用上一级地区")
	for _, lv := range []string{registry.LevelNational, registry.LevelProvincial, registry.LevelCity} {
		param("tier_"+lv, m.Tiers[lv], "ratio", "资质、平台、奖项、标准按级别计分："+levelNames[lv], engineDefault,
			"finance.md §5.1：二元或分级项目国家级1.0、省级0.6、市级0.3")
	}
	param("award_years", float64(m.AwardYears), "years", "科学技术奖计分年限", engineDefault, "引擎默认")
	param("winsor", m.Winsor, "ratio", "增长率缩尾比例（两端）", engineDefault, "finance.md §5.1：增长率先按p5/p95缩尾")
	param("scale", 1000, "points", "总分（千分制）", engineDefault, "finance.md §5.1；龙岩千分制 [S10]")
	p.Criteria = append(p.Criteria,
		rules.Criterion{ID: "stage", Title: "发展阶段（按上年度营业收入划分）", Kind: rules.KindHard, Unit: "yuan",
			Basis: "阶段名称：全国试行版（official，[S2][S3]）；门槛：finance.md §5.1（engine-default）"},
		rules.Criterion{ID: "cohort", Title: "对比群体（同地区、同阶段企业）", Kind: rules.KindHard, Unit: "count",
			Basis: "finance.md §5.1：同级比较（长沙 [S8]）、分阶段排名（温州 [S9]）"},
		rules.Criterion{ID: "negative-list", Title: negativeTitle, Kind: rules.KindVeto,
			Basis: "finance.md §5.1 负面清单：严重失信、重大行政处罚、安全或环境事故、经营异常名录 → 积分计0，不符合积分贷"},
	)
	for i := range m.Indicators {
		ind := &m.Indicators[i]
		note := ""
		if !ind.Verified {
			note = "未核实的指标槽位（finance.md §1.3：来源未见，凭记忆）"
		}
		p.Criteria = append(p.Criteria, rules.Criterion{ID: ind.ID, Title: ind.Title, Kind: rules.KindScored, Group: ind.Category,
			Unit: ind.Unit, Basis: ind.Basis, Note: note})
	}
	p.Criteria = append(p.Criteria, rules.Criterion{ID: "band", Title: bandTitle(m), Kind: rules.KindHard, Unit: "points",
		Basis: "finance.md §5.1：积分贷预审取群体前" + formatShare(m.Bands[len(m.Bands)-1].Top) + "（温州分档 [S9]）"})
	return p
}

var levelNames = map[string]string{
	registry.LevelInternational: "国际", registry.LevelNational: "国家级", registry.LevelIndustry: "行业",
	registry.LevelProvincial: "省级", registry.LevelCity: "市级", registry.LevelCounty: "县级",
}

const negativeTitle = "不在负面清单（严重失信、经营异常名录、重大事故或违法）"

func bandTitle(m *Model) string {
	last := m.Bands[len(m.Bands)-1]
	return "积分进入本群体前" + formatShare(last.Top) + "（" + last.Name + "档及以上，积分贷预审）"
}

func formatShare(v float64) string {
	return fmt.Sprintf("%g%%", math.Round(v*1000)/10)
}
