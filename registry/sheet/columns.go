package sheet

import (
	"strings"
	"unicode"

	"github.com/peiyu/peiyu/registry"
)

// Kind is one of the workbook's sheets.
type Kind int

// The sheets, in workbook order.
const (
	Firms Kind = iota
	Years
	Honors
	Incidents
	numKinds
)

// Kinds lists every sheet, in workbook order.
var Kinds = []Kind{Firms, Years, Honors, Incidents}

// Name is the sheet's Chinese name, as in the workbook ("企业").
func (k Kind) Name() string { return sheets[k].name }

// Key is the sheet's English name ("firms"), also accepted as its name.
func (k Kind) Key() string { return sheets[k].key }

// ParseKind returns the sheet named s, in Chinese or English.
func ParseKind(s string) (Kind, bool) {
	s = strings.TrimSpace(s)
	for _, k := range Kinds {
		if s == sheets[k].name || strings.EqualFold(s, sheets[k].key) {
			return k, true
		}
	}
	return 0, false
}

// Headers returns the Chinese column headers of sheet k, in order.
func Headers(k Kind) []string {
	out := make([]string, len(sheets[k].cols))
	for i, c := range sheets[k].cols {
		out[i] = c.header
	}
	return out
}

// Keys returns the keys of sheet k's columns, in order: the path of each
// column's field inside the sheet's record ("niche.share", "tech_staff").
func Keys(k Kind) []string {
	out := make([]string, len(sheets[k].cols))
	for i, c := range sheets[k].cols {
		out[i] = c.key
	}
	return out
}

// instructionsSheet describes the columns; Parse skips it.
const instructionsSheet = "填写说明"

// sheetDef is one sheet: its names, the validator's path prefix of its
// records ("years" for years[i]), and its columns, the USCC first.
type sheetDef struct {
	name, key string
	path      string
	// what the sheet's rows are, for the instructions.
	about string
	cols  []column
}

// cellKind says how a cell is read and written.
type cellKind int

const (
	kText      cellKind = iota // free text, trimmed
	kUSCC                      // a USCC, normalized (full-width, case)
	kCode                      // a code: trimmed, upper-cased
	kCount                     // an integer
	kAmount                    // an integer amount in yuan
	kNumber                    // a decimal
	kFraction                  // a decimal fraction; "12%" reads as 0.12
	kBool                      // 是/否
	kDate                      // YYYY-MM-DD, or an Excel date cell
	kHonorKind                 // an honor kind code, or its Chinese name
	kLevel                     // a level code, or its Chinese name
)

// column is one column of a sheet: its key (the path of its field inside
// the row's record, "niche.share" or "tech_staff"), its Chinese header, how
// its cells read, and the field it fills.
type column struct {
	key      string
	header   string
	kind     cellKind
	required bool
	// aliases are other headers accepted for the column.
	aliases []string
	note    string
	// field returns the cell's field inside rec (a *registry.Firm, *Year,
	// *Honor or *Incident): a *string, **int, **int64, **float64, **bool,
	// *int or *bool. Without alloc it returns nil where the parent struct
	// (niche, ip, compliance) is absent; with alloc it creates the parent.
	// The USCC column of the sheets other than 企业 has no field: the
	// parser reads it to join the row to its firm.
	field func(rec any, alloc bool) any
}

// sheets is the column table that the template, the parser and the export
// share.
var sheets = [numKinds]sheetDef{
	Firms: {name: "企业", key: "firms", about: "每家企业一行（必填：统一社会信用代码、企业名称）", cols: []column{
		{key: "uscc", header: "统一社会信用代码", kind: kUSCC, required: true, aliases: []string{"信用代码", "社会信用代码"},
			field: firmField(func(f *registry.Firm) *string { return &f.USCC })},
		{key: "name", header: "企业名称", kind: kText, aliases: []string{"名称"},
			field: firmField(func(f *registry.Firm) *string { return &f.Name })},
		{key: "region_code", header: "所属区县代码", kind: kCode, aliases: []string{"行政区划代码", "区划代码", "所属区县"},
			note:  "6位行政区划代码，如 431202（鹤城区）",
			field: firmField(func(f *registry.Firm) *string { return &f.RegionCode })},
		{key: "industry_code", header: "国民经济行业代码", kind: kCode, aliases: []string{"行业代码", "所属行业代码"},
			note:  "GB/T 4754-2017 门类字母加数字，如 C3562",
			field: firmField(func(f *registry.Firm) *string { return &f.IndustryCode })},
		{key: "chain", header: "所属产业链", kind: kText, aliases: []string{"产业链"},
			note:  "如 机械装备、中医药、竹业",
			field: firmField(func(f *registry.Firm) *string { return &f.Chain })},
		{key: "established", header: "成立日期", kind: kDate,
			field: firmField(func(f *registry.Firm) *string { return &f.Established })},
		{key: "niche.market", header: "主导产品所属细分市场", kind: kText, aliases: []string{"细分市场"},
			field: nicheField(func(n *registry.Niche) *string { return &n.Market })},
		{key: "niche.since", header: "进入细分市场日期", kind: kDate,
			field: nicheField(func(n *registry.Niche) *string { return &n.Since })},
		{key: "niche.share", header: "细分市场占有率", kind: kFraction,
			note:  "小数，0.12 表示 12%（也可填 12%）",
			field: nicheField(func(n *registry.Niche) **float64 { return &n.Share })},
		{key: "niche.domestic_rank", header: "细分市场国内排名", kind: kCount,
			field: nicheField(func(n *registry.Niche) **int { return &n.DomesticRank })},
		{key: "niche.global_rank", header: "细分市场全球排名", kind: kCount,
			field: nicheField(func(n *registry.Niche) **int { return &n.GlobalRank })},
		{key: "niche.key_field", header: "主导产品属于重点领域", kind: kBool,
			note:  "工业六基、制造强国、网络强国等重点领域",
			field: nicheField(func(n *registry.Niche) **bool { return &n.KeyField })},
		{key: "niche.strategic_emerging", header: "主导产品属于战略性新兴产业", kind: kBool,
			field: nicheField(func(n *registry.Niche) **bool { return &n.StrategicEmerging })},
		{key: "niche.gap_filling", header: "补短板锻长板填空白", kind: kBool,
			note:  "在产业链关键环节补短板、锻长板、填空白",
			field: nicheField(func(n *registry.Niche) **bool { return &n.GapFilling })},
		{key: "niche.years_in_field", header: "从事特定细分市场年限", kind: kCount,
			field: nicheField(func(n *registry.Niche) **int { return &n.YearsInField })},
		{key: "ip.class1", header: "Ⅰ类知识产权数", kind: kCount,
			note:  "与主导产品相关的有效发明专利等",
			field: ipField(func(ip *registry.IP) **int { return &ip.Class1 })},
		{key: "ip.class1_high_value", header: "其中高价值Ⅰ类知识产权数", kind: kCount,
			field: ipField(func(ip *registry.IP) **int { return &ip.Class1HighValue })},
		{key: "ip.class1_self_developed", header: "其中自主研发Ⅰ类知识产权数", kind: kCount,
			field: ipField(func(ip *registry.IP) **int { return &ip.Class1SelfDeveloped })},
		{key: "ip.class2", header: "Ⅱ类知识产权数", kind: kCount,
			note:  "实用新型、外观设计、软件著作权等",
			field: ipField(func(ip *registry.IP) **int { return &ip.Class2 })},
		{key: "compliance.abnormal_list", header: "列入经营异常名录", kind: kBool,
			field: complianceField(func(c *registry.Compliance) **bool { return &c.AbnormalList })},
		{key: "compliance.serious_dishonesty", header: "列入严重失信主体名单", kind: kBool,
			field: complianceField(func(c *registry.Compliance) **bool { return &c.SeriousDishonesty })},
		{key: "compliance.prohibited_industry", header: "产品属于禁止限制或淘汰类", kind: kBool,
			note:  "提供的产品（服务）属于国家禁止、限制或淘汰类",
			field: complianceField(func(c *registry.Compliance) **bool { return &c.ProhibitedIndustry })},
	}},
	Years: {name: "财务年度", key: "years", path: "years", about: "每家企业每个会计年度一行（必填：统一社会信用代码、年度）；金额单位为元，填整数", cols: []column{
		usccColumn,
		{key: "year", header: "年度", kind: kCount, required: true, aliases: []string{"会计年度", "财务年度"},
			field: yearField(func(y *registry.Year) *int { return &y.Year })},
		{key: "employees", header: "职工总数", kind: kCount, aliases: []string{"从业人员数", "职工人数"},
			field: yearField(func(y *registry.Year) **int64 { return &y.Employees })},
		{key: "tech_staff", header: "科技人员数", kind: kCount,
			field: yearField(func(y *registry.Year) **int64 { return &y.TechStaff })},
		{key: "rd_staff", header: "研发人员数", kind: kCount,
			field: yearField(func(y *registry.Year) **int64 { return &y.RDStaff })},
		{key: "revenue", header: "营业收入（元）", kind: kAmount,
			field: yearField(func(y *registry.Year) **int64 { return &y.Revenue })},
		{key: "main_revenue", header: "主营业务收入（元）", kind: kAmount,
			field: yearField(func(y *registry.Year) **int64 { return &y.MainRevenue })},
		{key: "high_tech_revenue", header: "高新技术产品（服务）收入（元）", kind: kAmount,
			field: yearField(func(y *registry.Year) **int64 { return &y.HighTechRevenue })},
		{key: "total_cost", header: "成本费用总额（元）", kind: kAmount,
			field: yearField(func(y *registry.Year) **int64 { return &y.TotalCost })},
		{key: "rd_expense", header: "研发费用总额（元）", kind: kAmount, aliases: []string{"研发费用"},
			field: yearField(func(y *registry.Year) **int64 { return &y.RDExpense })},
		{key: "domestic_rd_expense", header: "境内研发费用（元）", kind: kAmount,
			field: yearField(func(y *registry.Year) **int64 { return &y.DomesticRDExpense })},
		{key: "total_assets", header: "资产总额（元）", kind: kAmount,
			field: yearField(func(y *registry.Year) **int64 { return &y.TotalAssets })},
		{key: "total_liabilities", header: "负债总额（元）", kind: kAmount,
			field: yearField(func(y *registry.Year) **int64 { return &y.TotalLiabilities })},
		{key: "net_profit", header: "净利润（元）", kind: kAmount, note: "亏损填负数",
			field: yearField(func(y *registry.Year) **int64 { return &y.NetProfit })},
		{key: "equity_financing", header: "股权融资额（元）", kind: kAmount, note: "当年合格机构投资者实缴的股权融资",
			field: yearField(func(y *registry.Year) **int64 { return &y.EquityFinancing })},
		{key: "tech_contract_turnover", header: "技术合同成交额（元）", kind: kAmount,
			field: yearField(func(y *registry.Year) **int64 { return &y.TechContractTurnover })},
		{key: "srdi_score", header: "专精特新发展评价得分", kind: kNumber, note: "工信部平台的评价得分，0–100",
			field: yearField(func(y *registry.Year) **float64 { return &y.SRDIScore })},
		{key: "digital_level", header: "数字化水平等级", kind: kCount, note: "0–4 级",
			field: yearField(func(y *registry.Year) **int { return &y.DigitalLevel })},
	}},
	Honors: {name: "资质荣誉", key: "honors", path: "honors", about: "每项资质、称号或奖项一行（必填：统一社会信用代码、资质类型）", cols: []column{
		usccColumn,
		{key: "kind", header: "资质类型", kind: kHonorKind, required: true, aliases: []string{"类型", "资质名称"},
			note:  "代码或中文名称，见下表，如 hnte 或 高新技术企业",
			field: honorField(func(h *registry.Honor) *string { return &h.Kind })},
		{key: "level", header: "级别", kind: kLevel, note: "national/provincial/city/county/international/industry，或 国家级、省级、市级、县级、国际、行业",
			field: honorField(func(h *registry.Honor) *string { return &h.Level })},
		{key: "issued", header: "认定日期", kind: kDate, aliases: []string{"发证日期", "获得日期"},
			field: honorField(func(h *registry.Honor) *string { return &h.Issued })},
		{key: "expires", header: "有效期至", kind: kDate, aliases: []string{"有效期截止日期", "到期日期"}, note: "长期有效留空",
			field: honorField(func(h *registry.Honor) *string { return &h.Expires })},
		{key: "number", header: "证书编号", kind: kText, aliases: []string{"编号"},
			field: honorField(func(h *registry.Honor) *string { return &h.Number })},
		{key: "rank", header: "获奖排名", kind: kCount, aliases: []string{"排名"}, note: "科学技术奖的完成单位排名",
			field: honorField(func(h *registry.Honor) **int { return &h.Rank })},
	}},
	Incidents: {name: "合规事件", key: "incidents", path: "compliance.incidents", about: "每起安全、质量、环境、税务等事故或违法违规一行（必填：统一社会信用代码、发生日期、事件类型）", cols: []column{
		usccColumn,
		{key: "date", header: "发生日期", kind: kDate, required: true, aliases: []string{"日期"},
			field: incidentField(func(i *registry.Incident) *string { return &i.Date })},
		{key: "kind", header: "事件类型", kind: kText, required: true, aliases: []string{"类型"}, note: "如 safety、quality、environment、tax",
			field: incidentField(func(i *registry.Incident) *string { return &i.Kind })},
		{key: "major", header: "是否重大", kind: kBool, aliases: []string{"重大"},
			field: incidentField(func(i *registry.Incident) *bool { return &i.Major })},
	}},
}

// usccColumn joins a row of the sheets other than 企业 to its firm.
var usccColumn = column{key: "uscc", header: "统一社会信用代码", kind: kUSCC, required: true, aliases: []string{"信用代码", "社会信用代码"}}

func firmField[T any](sel func(*registry.Firm) *T) func(any, bool) any {
	return func(rec any, _ bool) any { return sel(rec.(*registry.Firm)) }
}

func nicheField[T any](sel func(*registry.Niche) *T) func(any, bool) any {
	return func(rec any, alloc bool) any {
		f := rec.(*registry.Firm)
		if f.Niche == nil {
			if !alloc {
				return nil
			}
			f.Niche = &registry.Niche{}
		}
		return sel(f.Niche)
	}
}

func ipField[T any](sel func(*registry.IP) *T) func(any, bool) any {
	return func(rec any, alloc bool) any {
		f := rec.(*registry.Firm)
		if f.IP == nil {
			if !alloc {
				return nil
			}
			f.IP = &registry.IP{}
		}
		return sel(f.IP)
	}
}

func complianceField[T any](sel func(*registry.Compliance) *T) func(any, bool) any {
	return func(rec any, alloc bool) any {
		f := rec.(*registry.Firm)
		if f.Compliance == nil {
			if !alloc {
				return nil
			}
			f.Compliance = &registry.Compliance{}
		}
		return sel(f.Compliance)
	}
}

func yearField[T any](sel func(*registry.Year) *T) func(any, bool) any {
	return func(rec any, _ bool) any { return sel(rec.(*registry.Year)) }
}

func honorField[T any](sel func(*registry.Honor) *T) func(any, bool) any {
	return func(rec any, _ bool) any { return sel(rec.(*registry.Honor)) }
}

func incidentField[T any](sel func(*registry.Incident) *T) func(any, bool) any {
	return func(rec any, _ bool) any { return sel(rec.(*registry.Incident)) }
}

// normHeader is the form headers are compared in: half-width, without
// spaces, "*" marks or parenthesized notes ("营业收入（元）" = "营业收入"),
// lower case, with Ⅰ/Ⅱ and 一类/二类 spelt as i/ii.
func normHeader(s string) string {
	s = halfWidth(s)
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0, unicode.IsSpace(r), r == '*', r == '\ufeff':
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return romanClasses.Replace(b.String())
}

var romanClasses = strings.NewReplacer("ⅱ", "ii", "ⅰ", "i", "一类", "i类", "二类", "ii类")

// halfWidth maps full-width ASCII ("１２３", "（", "％") to ASCII, as Chinese
// input methods produce it, and the ideographic space to a space.
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '！' && r <= '～':
			return r - '！' + '!'
		case r == '\u3000':
			return ' '
		}
		return r
	}, s)
}

// headerIndex maps the normalized headers, keys and aliases of each sheet
// to column indexes.
var headerIndex = func() (m [numKinds]map[string]int) {
	for k := range sheets {
		m[k] = map[string]int{}
		for i, c := range sheets[k].cols {
			for _, h := range append([]string{c.header, c.key}, c.aliases...) {
				n := normHeader(h)
				if j, dup := m[k][n]; dup && j != i {
					panic("sheet: header " + h + " of sheet " + sheets[k].name + " is ambiguous")
				}
				m[k][n] = i
			}
		}
	}
	return m
}()

// columnOf finds the column of sheet k for a header.
func columnOf(k Kind, header string) (int, bool) {
	i, ok := headerIndex[k][normHeader(header)]
	return i, ok
}
