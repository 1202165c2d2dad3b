package rules

import "strings"

// smeRule is one sector's ceiling in 《中小企业划型标准规定》(工信部联企业
// 〔2011〕300号): a firm is a small or medium enterprise (中小微型) when any
// of the given measures is below its limit. A zero limit is not a measure of
// that sector. Amounts in yuan.
type smeRule struct {
	sector          string
	prefixes        []string // GB/T 4754-2017 codes that fall in the sector
	employees       float64
	revenue, assets float64
}

// smeRules follows 300号 第四条. Industry (工业) and software are confirmed
// in criteria.md §8.2 [C2]; the other rows are the engine's reading of the
// same article [M], labelled an engine default in the packs that use "sme".
var smeRules = []smeRule{
	{"农、林、牧、渔业", []string{"A"}, 0, 200e6, 0},
	{"工业", []string{"B", "C", "D"}, 1000, 400e6, 0},
	{"建筑业", []string{"E"}, 0, 800e6, 800e6},
	{"批发业", []string{"F51"}, 200, 400e6, 0},
	{"零售业", []string{"F52"}, 300, 200e6, 0},
	{"仓储业", []string{"G59"}, 200, 300e6, 0},
	{"邮政业", []string{"G60"}, 1000, 300e6, 0},
	{"交通运输业", []string{"G"}, 1000, 300e6, 0},
	{"住宿业", []string{"H61"}, 300, 100e6, 0},
	{"餐饮业", []string{"H62"}, 300, 100e6, 0},
	{"软件和信息技术服务业", []string{"I65"}, 300, 100e6, 0},
	{"信息传输业", []string{"I63", "I64"}, 2000, 1000e6, 0},
	{"房地产开发经营", []string{"K701"}, 0, 2000e6, 100e6},
	{"物业管理", []string{"K702"}, 1000, 50e6, 0},
	{"租赁和商务服务业", []string{"L"}, 300, 0, 1200e6},
	{"其他未列明行业", nil, 300, 0, 0},
}

// sectorOf returns the 300号 sector of a GB/T 4754-2017 code: the rule with
// the longest matching prefix, "other" when none matches.
func sectorOf(code string) *smeRule {
	var best *smeRule
	bestLen := -1
	for i := range smeRules {
		r := &smeRules[i]
		for _, p := range r.prefixes {
			if strings.HasPrefix(code, p) && len(p) > bestLen {
				best, bestLen = r, len(p)
			}
		}
	}
	if best == nil {
		best = &smeRules[len(smeRules)-1]
	}
	return best
}

// test applies the rule: sme is the answer, ok false when a needed measure
// is unknown and no known one settles it.
func (r *smeRule) test(emp, rev, assets *float64) (sme, ok bool) {
	unknown := false
	check := func(limit float64, v *float64) bool {
		if limit == 0 {
			return false
		}
		if v == nil {
			unknown = true
			return false
		}
		return *v < limit
	}
	if check(r.employees, emp) || check(r.revenue, rev) || check(r.assets, assets) {
		return true, true
	}
	return false, !unknown
}

// classifySME answers "is this firm an SME under the 2011 standard" from the
// previous fiscal year's headcount, revenue and assets. Without an industry
// code it answers only when every sector gives the same answer.
func classifySME(code string, emp, rev, assets *float64) (sme, ok bool, note string) {
	if code != "" {
		r := sectorOf(code)
		sme, ok = r.test(emp, rev, assets)
		return sme, ok, "按" + r.sector + "标准划型"
	}
	yes, no := 0, 0
	for i := range smeRules {
		s, k := smeRules[i].test(emp, rev, assets)
		switch {
		case !k:
			return false, false, ""
		case s:
			yes++
		default:
			no++
		}
	}
	switch {
	case no == 0:
		return true, true, "未填行业代码；按任一行业标准均属中小企业"
	case yes == 0:
		return false, true, "未填行业代码；按任一行业标准均不属中小企业"
	}
	return false, false, ""
}
