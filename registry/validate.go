package registry

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DateLayout is the only date format of the data contract.
const DateLayout = "2006-01-02"

// Limits that keep one profile a reasonable size.
const (
	maxNameRunes  = 200
	maxTextRunes  = 200
	maxYears      = 50
	maxHonors     = 200
	maxIncidents  = 200
	minDateYear   = 1900
	maxDateYear   = 2100
	maxFieldYears = 200
)

var (
	regionCodeRE   = regexp.MustCompile(`^[0-9]{6}$`)
	industryCodeRE = regexp.MustCompile(`^[A-T]([0-9]{2}([0-9]{1,2})?)?$`)
	kindRE         = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// ParseDate parses a contract date ("YYYY-MM-DD") in UTC.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, err
	}
	if t.Year() < minDateYear || t.Year() > maxDateYear {
		return time.Time{}, fmt.Errorf("year %d out of range", t.Year())
	}
	return t, nil
}

// Validate checks a firm for the registry: the USCC and the name are
// required, and every rule of ValidateProfile applies. today bounds "not in
// the future" checks. The error is a *ValidationError naming every bad field.
func (f *Firm) Validate(today time.Time) error {
	var p problems
	if f.USCC == "" {
		p.add("uscc", "统一社会信用代码必填", "required")
	}
	if strings.TrimSpace(f.Name) == "" {
		p.add("name", "企业名称必填", "required")
	}
	f.validate(&p, today)
	return p.err()
}

// ValidateProfile checks a profile for self-check, where the USCC and the
// name are optional. The error is a *ValidationError naming every bad field.
func (f *Firm) ValidateProfile(today time.Time) error {
	var p problems
	f.validate(&p, today)
	return p.err()
}

func (f *Firm) validate(p *problems, today time.Time) {
	if f.USCC != "" {
		if zh, en, ok := CheckUSCC(f.USCC); !ok {
			p.add("uscc", zh, en)
		}
	}
	checkText(p, "name", f.Name, maxNameRunes)
	if f.RegionCode != "" {
		checkRegionCode(p, "region_code", f.RegionCode)
	}
	if f.IndustryCode != "" && !industryCodeRE.MatchString(f.IndustryCode) {
		p.add("industry_code", "行业代码应符合 GB/T 4754-2017，如 C3562", "must be a GB/T 4754-2017 code such as C3562")
	}
	checkText(p, "chain", f.Chain, maxTextRunes)
	if f.Established != "" {
		if d, ok := checkDate(p, "established", f.Established); ok && d.After(dateOf(today)) {
			p.add("established", "成立日期不能晚于今天", "must not be in the future")
		}
	}
	if f.Niche != nil {
		f.Niche.validate(p)
	}
	validateYears(p, f.Years, today)
	if f.IP != nil {
		f.IP.validate(p)
	}
	if len(f.Honors) > maxHonors {
		p.addf("honors", "资质荣誉最多%d条", "at most %d entries", maxHonors)
	}
	for i := range f.Honors {
		f.Honors[i].validate(p, fmt.Sprintf("honors[%d]", i))
	}
	if f.Compliance != nil {
		f.Compliance.validate(p)
	}
}

func checkRegionCode(p *problems, field, code string) {
	if !regionCodeRE.MatchString(code) {
		p.add(field, "行政区划代码应为6位数字", "must be a 6-digit administrative division code")
		return
	}
	if !provincePrefixes[code[:2]] || code[:2] == "10" {
		p.addf(field, "行政区划代码前两位“%s”不是有效的省级代码", "%q is not a valid province prefix", code[:2])
	}
}

// checkText rejects invalid UTF-8, control characters and over-long text.
func checkText(p *problems, field, s string, max int) {
	if s == "" {
		return
	}
	if !utf8.ValidString(s) {
		p.add(field, "包含无效的 UTF-8 字符", "invalid UTF-8")
		return
	}
	if n := utf8.RuneCountInString(s); n > max {
		p.addf(field, "长度不能超过%d个字符", "at most %d characters", max)
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			p.add(field, "包含控制字符或无效字符", "contains control or replacement characters")
			return
		}
	}
}

// dateOf is t's calendar date (in t's own location) as a contract date:
// midnight UTC, the form ParseDate returns. Comparing a contract date with a
// wall-clock time directly would make "today" depend on the hour and zone.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func checkDate(p *problems, field, s string) (time.Time, bool) {
	d, err := ParseDate(s)
	if err != nil {
		if len(s) > 20 {
			s = s[:20] + "…"
		}
		p.addf(field, "日期“%s”格式应为 YYYY-MM-DD 且为有效日期", "date %q must be a valid YYYY-MM-DD date", s)
		return time.Time{}, false
	}
	return d, true
}

func checkNonNeg[T int | int64](p *problems, field string, v *T) {
	if v != nil && *v < 0 {
		p.add(field, "不能为负数", "must not be negative")
	}
}

func (n *Niche) validate(p *problems) {
	checkText(p, "niche.market", n.Market, maxTextRunes)
	if n.Since != "" {
		checkDate(p, "niche.since", n.Since)
	}
	// Written as !(in range) so that NaN (strconv.ParseFloat accepts "NaN"
	// from an imported sheet) is rejected too.
	if n.Share != nil && !(*n.Share >= 0 && *n.Share <= 1) {
		p.add("niche.share", "市场占有率应为0到1之间的小数（如 0.12 表示12%）", "must be a fraction between 0 and 1 (0.12 means 12%)")
	}
	checkNonNeg(p, "niche.domestic_rank", n.DomesticRank)
	checkNonNeg(p, "niche.global_rank", n.GlobalRank)
	checkNonNeg(p, "niche.years_in_field", n.YearsInField)
	if n.YearsInField != nil && *n.YearsInField > maxFieldYears {
		p.addf("niche.years_in_field", "从业年限不能超过%d年", "at most %d years", maxFieldYears)
	}
}

func validateYears(p *problems, years []Year, today time.Time) {
	if len(years) > maxYears {
		p.addf("years", "财务年度最多%d条", "at most %d fiscal years", maxYears)
	}
	seen := make(map[int]int, len(years))
	for i := range years {
		y := &years[i]
		at := fmt.Sprintf("years[%d]", i)
		if j, dup := seen[y.Year]; dup && y.Year != 0 {
			p.addf(at+".year", "年度%d重复（与 years[%d] 相同）", "duplicate year %d (also years[%d])", y.Year, j)
		}
		seen[y.Year] = i
		y.validate(p, at, today)
	}
}

func (y *Year) validate(p *problems, at string, today time.Time) {
	switch {
	case y.Year == 0:
		p.add(at+".year", "年度必填", "required")
	case y.Year < minDateYear:
		p.addf(at+".year", "年度%d早于%d年", "year %d is before %d", y.Year, minDateYear)
	case y.Year > today.Year():
		p.addf(at+".year", "年度%d是未来年份", "year %d is in the future", y.Year)
	}
	for _, f := range []struct {
		name string
		v    *int64
	}{
		{"employees", y.Employees}, {"tech_staff", y.TechStaff}, {"rd_staff", y.RDStaff},
		{"revenue", y.Revenue}, {"main_revenue", y.MainRevenue}, {"high_tech_revenue", y.HighTechRevenue},
		{"total_cost", y.TotalCost}, {"rd_expense", y.RDExpense}, {"domestic_rd_expense", y.DomesticRDExpense},
		{"total_assets", y.TotalAssets}, {"total_liabilities", y.TotalLiabilities},
		{"equity_financing", y.EquityFinancing}, {"tech_contract_turnover", y.TechContractTurnover},
	} {
		checkNonNeg(p, at+"."+f.name, f.v)
	}
	notAbove := func(small, big *int64, smallName, bigName, zh string) {
		// A negative value is reported on its own; comparing it again
		// would only add a second, confusing problem.
		if small != nil && big != nil && *small >= 0 && *big >= 0 && *small > *big {
			p.add(at+"."+smallName,
				fmt.Sprintf("%s（%d）不能大于%s（%d）", zh, *small, bigLabel[bigName], *big),
				fmt.Sprintf("%s (%d) must not exceed %s (%d)", smallName, *small, bigName, *big))
		}
	}
	notAbove(y.TechStaff, y.Employees, "tech_staff", "employees", "科技人员数")
	notAbove(y.RDStaff, y.Employees, "rd_staff", "employees", "研发人员数")
	notAbove(y.MainRevenue, y.Revenue, "main_revenue", "revenue", "主营业务收入")
	notAbove(y.HighTechRevenue, y.Revenue, "high_tech_revenue", "revenue", "高新技术产品（服务）收入")
	notAbove(y.DomesticRDExpense, y.RDExpense, "domestic_rd_expense", "rd_expense", "境内研发费用")
	if y.SRDIScore != nil && !(*y.SRDIScore >= 0 && *y.SRDIScore <= 100) {
		p.add(at+".srdi_score", "专精特新发展评价得分应在0到100之间", "must be between 0 and 100")
	}
	if y.DigitalLevel != nil && (*y.DigitalLevel < 0 || *y.DigitalLevel > 4) {
		p.add(at+".digital_level", "数字化水平应为0到4级", "must be a level from 0 to 4")
	}
}

var bigLabel = map[string]string{
	"employees":  "职工总数",
	"revenue":    "营业收入",
	"rd_expense": "研发费用总额",
}

func (ip *IP) validate(p *problems) {
	checkNonNeg(p, "ip.class1", ip.Class1)
	checkNonNeg(p, "ip.class1_high_value", ip.Class1HighValue)
	checkNonNeg(p, "ip.class1_self_developed", ip.Class1SelfDeveloped)
	checkNonNeg(p, "ip.class2", ip.Class2)
	for _, sub := range []struct {
		name string
		v    *int
	}{{"class1_high_value", ip.Class1HighValue}, {"class1_self_developed", ip.Class1SelfDeveloped}} {
		if sub.v != nil && ip.Class1 != nil && *ip.Class1 >= 0 && *sub.v > *ip.Class1 {
			p.addf("ip."+sub.name, "不能大于Ⅰ类知识产权总数（%d）", "must not exceed class1 (%d)", *ip.Class1)
		}
	}
}

func (h *Honor) validate(p *problems, at string) {
	switch {
	case h.Kind == "":
		p.add(at+".kind", "资质类型必填", "required")
	case !kindRE.MatchString(h.Kind):
		p.add(at+".kind", "资质类型应为小写英文标识，如 hnte、specialized_sme", "must be a lower-case identifier such as hnte or specialized_sme")
	}
	if h.Level != "" && levelRank[h.Level] == 0 {
		p.addf(at+".level", "级别“%s”无效，应为 national、provincial、city、county、international、industry 之一", "unknown level %q (national, provincial, city, county, international, industry)", h.Level)
	}
	var issued, expires time.Time
	var okI, okE bool
	if h.Issued != "" {
		issued, okI = checkDate(p, at+".issued", h.Issued)
	}
	if h.Expires != "" {
		expires, okE = checkDate(p, at+".expires", h.Expires)
	}
	if okI && okE && expires.Before(issued) {
		p.add(at+".expires", "有效期截止日不能早于发证日期", "expires must not be before issued")
	}
	checkText(p, at+".number", h.Number, 64)
	if h.Rank != nil && *h.Rank < 1 {
		p.add(at+".rank", "排名应为正整数", "must be a positive integer")
	}
}

func (c *Compliance) validate(p *problems) {
	if len(c.Incidents) > maxIncidents {
		p.addf("compliance.incidents", "最多%d条", "at most %d entries", maxIncidents)
	}
	for i, inc := range c.Incidents {
		at := fmt.Sprintf("compliance.incidents[%d]", i)
		if inc.Date == "" {
			p.add(at+".date", "日期必填", "required")
		} else {
			checkDate(p, at+".date", inc.Date)
		}
		if inc.Kind == "" {
			p.add(at+".kind", "事件类型必填", "required")
		} else {
			checkText(p, at+".kind", inc.Kind, 40)
		}
	}
}
