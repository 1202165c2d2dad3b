package sheet

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/peiyu/peiyu/registry"
)

// set reads a cell into the column's field of rec. An empty cell leaves the
// field absent. It returns the problem with the cell, "" when there is none.
// A value that is of the right type but not valid (a date like 2025-13-01, a
// negative amount) is stored as it is, for the validator to explain.
func (c *column) set(rec any, raw string, date1904 bool) string {
	s := strings.TrimSpace(halfWidth(raw))
	if s == "" {
		return ""
	}
	if utf8.RuneCountInString(s) > maxCellRunes {
		return bilingual(fmt.Sprintf("内容过长（超过%d个字符）", maxCellRunes), fmt.Sprintf("more than %d characters", maxCellRunes))
	}
	switch p := c.field(rec, true).(type) {
	case *string:
		v, problem := c.text(strings.TrimSpace(raw), s, date1904)
		if problem == "" {
			*p = v
		}
		return problem
	case **int:
		n, problem := readInt(s, c.kind)
		if problem == "" {
			if n < math.MinInt32 || n > math.MaxInt32 {
				return bilingual("数值超出范围", "number out of range")
			}
			v := int(n)
			*p = &v
		}
		return problem
	case *int:
		n, problem := readInt(strings.TrimSuffix(s, "年"), c.kind)
		if problem == "" {
			if n < math.MinInt32 || n > math.MaxInt32 {
				return bilingual("数值超出范围", "number out of range")
			}
			*p = int(n)
		}
		return problem
	case **int64:
		n, problem := readInt(s, c.kind)
		if problem == "" {
			*p = &n
		}
		return problem
	case **float64:
		v, problem := readFloat(s, c.kind == kFraction)
		if problem == "" {
			*p = &v
		}
		return problem
	case **bool:
		v, problem := readBool(s)
		if problem == "" {
			*p = &v
		}
		return problem
	case *bool:
		v, problem := readBool(s)
		if problem == "" {
			*p = v
		}
		return problem
	}
	panic("sheet: column " + c.key + " has a field of an unknown type")
}

// text reads a text-valued cell: raw is the trimmed cell, s the same in
// half-width characters.
func (c *column) text(raw, s string, date1904 bool) (string, string) {
	switch c.kind {
	case kUSCC:
		return registry.NormalizeUSCC(s), ""
	case kCode:
		return strings.ToUpper(strings.TrimSuffix(s, ".0")), ""
	case kDate:
		return readDate(s, date1904), ""
	case kHonorKind:
		return readHonorKind(s)
	case kLevel:
		return readLevel(s), ""
	}
	// Free text keeps the characters as typed (full-width included),
	// without the apostrophe WriteCSV puts before formula-like text.
	if strings.HasPrefix(raw, "'") && formulaLike(raw[1:]) {
		raw = raw[1:]
	}
	return raw, ""
}

// separators are the thousands separators and spaces numbers are written
// with.
var separators = strings.NewReplacer(",", "", "，", "", " ", "")

// readInt reads an integer: "1200", "1,200", "1200.0", "1.2E+3", "1200元".
func readInt(s string, kind cellKind) (int64, string) {
	t := separators.Replace(s)
	if kind == kAmount {
		t = strings.TrimSuffix(t, "元")
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		return n, ""
	}
	f, err := strconv.ParseFloat(t, 64)
	const exact = 1 << 53 // beyond it a float64 no longer holds every integer
	switch {
	case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		if kind == kAmount {
			return 0, bilingual(fmt.Sprintf("“%s”不是金额：应为以元为单位的整数", clip(s)), "must be a whole number of yuan")
		}
		return 0, bilingual(fmt.Sprintf("“%s”不是整数", clip(s)), "must be a whole number")
	case f != math.Trunc(f):
		if kind == kAmount {
			return 0, bilingual(fmt.Sprintf("金额“%s”应为以元为单位的整数，不带小数", clip(s)), "amounts are whole yuan, without decimals")
		}
		return 0, bilingual(fmt.Sprintf("“%s”应为整数", clip(s)), "must be a whole number")
	case math.Abs(f) > exact:
		return 0, bilingual("数值超出范围", "number out of range")
	}
	return int64(f), ""
}

// readFloat reads a decimal; a fraction may be written as a percentage.
func readFloat(s string, fraction bool) (float64, string) {
	t := separators.Replace(s)
	pct := fraction && strings.HasSuffix(t, "%")
	t = strings.TrimSuffix(t, "%")
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		if fraction {
			return 0, bilingual(fmt.Sprintf("“%s”不是数字：应为小数（0.12）或百分数（12%%）", clip(s)), "must be a fraction such as 0.12 or a percentage such as 12%")
		}
		return 0, bilingual(fmt.Sprintf("“%s”不是数字", clip(s)), "must be a number")
	}
	if pct {
		f /= 100
	}
	return f, ""
}

var boolWords = map[string]bool{
	"是": true, "否": false, "y": true, "n": false, "yes": true, "no": false,
	"true": true, "false": false, "1": true, "0": false, "√": true, "×": false,
	"✓": true, "✗": false, "有": true, "无": false, "t": true, "f": false,
}

func readBool(s string) (bool, string) {
	if v, ok := boolWords[strings.ToLower(s)]; ok {
		return v, ""
	}
	return false, bilingual(fmt.Sprintf("“%s”应填“是”或“否”", clip(s)), "must be 是 (yes) or 否 (no)")
}

var (
	dateRE     = regexp.MustCompile(`^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$`)
	dateTimeRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[T ]00:00(:00(\.0+)?)?(Z|[+-]00:00)?$`)
	compactRE  = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	serialRE   = regexp.MustCompile(`^\d{1,7}(\.\d+)?$`)
)

// readDate normalizes a date to YYYY-MM-DD: "2015/3/1", "2015年3月1日",
// "20150301", a midnight timestamp, or an Excel date serial (the raw value
// of a date cell). Anything else is kept for the validator to refuse.
func readDate(s string, date1904 bool) string {
	if m := dateRE.FindStringSubmatch(s); m != nil {
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return fmt.Sprintf("%s-%02d-%02d", m[1], mo, d)
	}
	if m := dateTimeRE.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if m := compactRE.FindStringSubmatch(s); m != nil {
		return m[1] + "-" + m[2] + "-" + m[3]
	}
	if serialRE.MatchString(s) {
		// 1 is 1900-01-01; 73415 is 2100-12-31. A date cell with a time
		// keeps its date.
		if v, err := strconv.ParseFloat(s, 64); err == nil && v >= 1 && v < 73416 {
			if t, err := excelize.ExcelDateToTime(math.Floor(v), date1904); err == nil {
				return t.Format(registry.DateLayout)
			}
		}
	}
	return s
}

// honorByLabel finds an honor kind by its Chinese name, compared without
// quotes or spaces, plus the names bureau staff use in everyday speech.
var honorByLabel = func() map[string]string {
	m := map[string]string{
		"高企": registry.HonorHNTE, "国家高新技术企业": registry.HonorHNTE,
		"科小": registry.HonorTechSME, "科技型中小企业": registry.HonorTechSME,
		"专精特新": registry.HonorSpecializedSME, "专精特新企业": registry.HonorSpecializedSME,
		"小巨人": registry.HonorLittleGiant, "专精特新小巨人": registry.HonorLittleGiant,
		"单项冠军": registry.HonorChampion, "制造业单项冠军企业": registry.HonorChampion,
	}
	for code, label := range registry.KnownHonorKinds {
		m[labelKey(label)] = code
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[labelKey(k)] = v
	}
	return out
}()

func labelKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '“', '”', '"', '\'', '‘', '’', ' ', '「', '」':
			return -1
		}
		return r
	}, s)
}

var asciiKindRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// readHonorKind reads an honor kind: a code (hnte) in any case, or a
// Chinese name (高新技术企业).
func readHonorKind(s string) (string, string) {
	if asciiKindRE.MatchString(s) {
		return strings.ToLower(s), ""
	}
	if code, ok := honorByLabel[labelKey(s)]; ok {
		return code, ""
	}
	return "", bilingual(fmt.Sprintf("未知的资质类型“%s”：请填写代码或“%s”表中的名称", clip(s), instructionsSheet),
		"unknown honor kind: use a code or a name listed in "+instructionsSheet)
}

var levelByLabel = map[string]string{
	"国家级": registry.LevelNational, "国家": registry.LevelNational,
	"省级": registry.LevelProvincial, "省": registry.LevelProvincial, "省部级": registry.LevelProvincial,
	"市级": registry.LevelCity, "市": registry.LevelCity, "地市级": registry.LevelCity, "州级": registry.LevelCity,
	"县级": registry.LevelCounty, "县": registry.LevelCounty, "区县级": registry.LevelCounty, "区级": registry.LevelCounty,
	"国际": registry.LevelInternational, "国际级": registry.LevelInternational,
	"行业": registry.LevelIndustry, "行业级": registry.LevelIndustry,
}

// levelLabels are the Chinese names of the levels, for the instructions.
var levelLabels = []struct{ code, label string }{
	{registry.LevelNational, "国家级"}, {registry.LevelProvincial, "省级"}, {registry.LevelCity, "市级"},
	{registry.LevelCounty, "县级"}, {registry.LevelInternational, "国际"}, {registry.LevelIndustry, "行业"},
}

// readLevel reads a level code or its Chinese name; anything else is kept
// for the validator to refuse with the list of levels.
func readLevel(s string) string {
	if code, ok := levelByLabel[s]; ok {
		return code
	}
	if asciiKindRE.MatchString(s) {
		return strings.ToLower(s)
	}
	return s
}

// clip shortens a cell for a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) > 20 {
		return string([]rune(s)[:20]) + "…"
	}
	return s
}

// value is the cell of the column for rec in an XLSX file: a string, an
// int64, a float64, or nil for an empty cell.
func (c *column) value(rec any) any {
	switch p := c.field(rec, false).(type) {
	case nil:
		return nil
	case *string:
		if *p == "" {
			return nil
		}
		return *p
	case **int:
		if *p == nil {
			return nil
		}
		return int64(**p)
	case *int:
		if *p == 0 {
			return nil
		}
		return int64(*p)
	case **int64:
		if *p == nil {
			return nil
		}
		return **p
	case **float64:
		if *p == nil {
			return nil
		}
		return **p
	case **bool:
		if *p == nil {
			return nil
		}
		return yesNo(**p)
	case *bool:
		return yesNo(*p)
	}
	panic("sheet: column " + c.key + " has a field of an unknown type")
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}
