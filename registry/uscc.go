package registry

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// usccAlphabet is the character set of GB 32100-2015: digits and capital
// letters without I, O, S, V and Z. A character's index is its value.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the weights of positions 1–17 for the check character.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// provincePrefixes are the first two digits of real administrative division
// codes (GB/T 2260), plus "10" used for national-level registrations.
var provincePrefixes = map[string]bool{
	"10": true,
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true,
}

// NormalizeUSCC trims spaces and upper-cases s, so that a code typed in lower
// case is still recognised. It does not validate.
func NormalizeUSCC(s string) string {
	// Chinese input methods often produce full-width letters and digits
	// ("９１４３…"); map them to ASCII before checking.
	s = strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' {
			return r - '！' + '!'
		}
		return r
	}, s)
	return strings.ToUpper(strings.TrimSpace(s))
}

// USCCCheckChar computes the 18th (check) character for the first 17
// characters of a unified social credit code. ok is false when body is not
// 17 characters of the GB 32100 alphabet.
func USCCCheckChar(body string) (c byte, ok bool) {
	if len(body) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccAlphabet, body[i])
		if v < 0 {
			return 0, false
		}
		sum += v * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31], true
}

// CheckUSCC validates a normalized unified social credit code against
// GB 32100-2015: length, character set per position, the administrative
// division code in positions 3–8, and the check character. It returns ok, or
// the reason in Chinese and in English naming the first bad position.
func CheckUSCC(code string) (zh, en string, ok bool) {
	n := len([]rune(code))
	// A stray byte that is not UTF-8 converts to one rune, so the counts can
	// agree; check validity too, or the byte is later shown as a Latin-1 letter.
	if n != len(code) || !utf8.ValidString(code) {
		for i, r := range []rune(code) {
			if r > 127 {
				return fmt.Sprintf("第%d位字符“%c”不在统一社会信用代码字符集内", i+1, r),
					fmt.Sprintf("position %d: character %q is not in the GB 32100 character set", i+1, r), false
			}
		}
	}
	if n != 18 {
		return fmt.Sprintf("统一社会信用代码应为18位，实为%d位", n),
			fmt.Sprintf("must be 18 characters, got %d", n), false
	}
	for i := 0; i < 18; i++ {
		c := code[i]
		if strings.IndexByte(usccAlphabet, c) < 0 {
			hint, enHint := "", ""
			if strings.IndexByte("IOSVZ", c) >= 0 {
				hint, enHint = "（不使用字母 I、O、S、V、Z）", " (letters I, O, S, V, Z are not used)"
			}
			return fmt.Sprintf("第%d位字符“%c”不在统一社会信用代码字符集内%s", i+1, c, hint),
				fmt.Sprintf("position %d: character %q is not in the GB 32100 character set%s", i+1, c, enHint), false
		}
	}
	if code[1] == '0' {
		return "第2位机构类别代码不能为0", "position 2: organization type code must not be 0", false
	}
	for i := 2; i < 8; i++ {
		if code[i] < '0' || code[i] > '9' {
			return fmt.Sprintf("第%d位应为数字（第3–8位是登记管理机关行政区划码）", i+1),
				fmt.Sprintf("position %d: must be a digit (positions 3–8 are the administrative division code)", i+1), false
		}
	}
	if !provincePrefixes[code[2:4]] {
		return fmt.Sprintf("第3–4位“%s”不是有效的省级行政区划代码", code[2:4]),
			fmt.Sprintf("positions 3–4: %q is not a valid province code", code[2:4]), false
	}
	want, _ := USCCCheckChar(code[:17])
	if code[17] != want {
		return fmt.Sprintf("第18位校验码错误：按前17位应为“%c”，实为“%c”", want, code[17]),
			fmt.Sprintf("position 18: check character should be %q for the first 17 characters, got %q", want, code[17]), false
	}
	return "", "", true
}

// ValidUSCC reports whether code (normalized) is a valid USCC.
func ValidUSCC(code string) bool {
	_, _, ok := CheckUSCC(code)
	return ok
}

// ParseUSCC normalizes s and validates it. The error is a *ValidationError
// on field "uscc" naming the bad position.
func ParseUSCC(s string) (string, error) {
	code := NormalizeUSCC(s)
	if zh, en, ok := CheckUSCC(code); !ok {
		return "", Invalid("uscc", zh, en)
	}
	return code, nil
}
