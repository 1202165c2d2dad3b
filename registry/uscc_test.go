package registry_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
)

// gbAlphabet and gbWeights restate GB 32100-2015 independently of the
// package, so that a mistake in uscc.go cannot hide behind itself.
const gbAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var gbWeights = []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// gbCheck computes the check character of a 17-character body, or panics.
func gbCheck(t testing.TB, body string) byte {
	t.Helper()
	if len(body) != 17 {
		t.Fatalf("gbCheck(%q): body must be 17 characters", body)
	}
	sum := 0
	for i := range 17 {
		v := strings.IndexByte(gbAlphabet, body[i])
		if v < 0 {
			t.Fatalf("gbCheck(%q): %q is not in the alphabet", body, body[i])
		}
		sum += v * gbWeights[i]
	}
	return gbAlphabet[(31-sum%31)%31]
}

// withCheck completes a 17-character body with its check character.
func withCheck(t testing.TB, body string) string {
	t.Helper()
	return body + string(gbCheck(t, body))
}

// replaceAt returns s with the byte at 1-based position pos replaced by c.
func replaceAt(s string, pos int, c byte) string {
	b := []byte(s)
	b[pos-1] = c
	return string(b)
}

// realUSCCs are published codes of well-known firms. Each was checked against
// the GB 32100 algorithm above (TestRealUSCCsFollowTheStandard), so they
// serve as ground truth for both the algorithm and the package.
var realUSCCs = []string{
	"91350100M000100Y43", // the example commonly cited for the standard
	"914403001922038216", // 华为技术有限公司
	"91440300708461136T", // 深圳市腾讯计算机系统有限公司
	"91330100799655058B", // 阿里巴巴（中国）有限公司
	"91110108551385082Q", // 北京小米科技有限责任公司
}

func TestRealUSCCsFollowTheStandard(t *testing.T) {
	for _, code := range realUSCCs {
		if got, want := gbCheck(t, code[:17]), code[17]; got != want {
			t.Errorf("gbCheck(%q) = %q, want %q (published code)", code[:17], got, want)
		}
	}
}

func TestUSCCCheckChar(t *testing.T) {
	bodies := []string{
		"91431202MA4L0ABCD",
		"91431202MA4L0XXXX",
		"92431221000000000",
		"93431281YYYYYYYYY",
		"11100000000000001",
		"Y1650100123456789",
		"52430000MJ0000000",
	}
	for _, code := range realUSCCs {
		bodies = append(bodies, code[:17])
	}
	for _, body := range bodies {
		got, ok := registry.USCCCheckChar(body)
		if want := gbCheck(t, body); !ok || got != want {
			t.Errorf("USCCCheckChar(%q) = %q, %v, want %q, true", body, got, ok, want)
		}
	}
}

// TestUSCCCheckCharAllValues makes sure every value 0–30 of the check
// character occurs, by varying the last body character.
func TestUSCCCheckCharAllValues(t *testing.T) {
	seen := map[byte]bool{}
	for i := range len(gbAlphabet) {
		for j := range len(gbAlphabet) {
			body := "914312020000000" + string(gbAlphabet[i]) + string(gbAlphabet[j])
			got, ok := registry.USCCCheckChar(body)
			if want := gbCheck(t, body); !ok || got != want {
				t.Fatalf("USCCCheckChar(%q) = %q, %v, want %q, true", body, got, ok, want)
			}
			seen[got] = true
		}
	}
	if len(seen) != 31 {
		t.Errorf("check characters seen = %d distinct, want 31", len(seen))
	}
}

func TestUSCCCheckCharRejects(t *testing.T) {
	for _, body := range []string{
		"",
		"91431202MA4L0ABC",   // 16
		"91431202MA4L0ABCDE", // 18
		"91431202MA4L0ABCI",  // I is not in the alphabet
		"91431202MA4L0ABCa",  // lower case is not normalized here
		"91431202MA4L0AB-D",
		"9143120２MA4L0ABC", // full-width digit: 17 bytes but not 17 characters of the alphabet
	} {
		if got, ok := registry.USCCCheckChar(body); ok {
			t.Errorf("USCCCheckChar(%q) = %q, true, want false", body, got)
		}
	}
}

func TestParseUSCCValid(t *testing.T) {
	codes := append([]string{}, realUSCCs...)
	codes = append(codes,
		withCheck(t, "91431202MA4L0ABCD"),
		withCheck(t, "92431221000000000"), // 个体工商户
		withCheck(t, "93431281YYYYYYYYY"), // 农民专业合作社
		withCheck(t, "Y1100000000000001"),
		withCheck(t, "91810000ABCDEFGHJ"), // Hong Kong prefix
		withCheck(t, "91100000KLMNPQRTU"), // national-level registration
	)
	for _, code := range codes {
		got, err := registry.ParseUSCC(code)
		if err != nil || got != code {
			t.Errorf("ParseUSCC(%q) = %q, %v, want %q, nil", code, got, err, code)
		}
		if !registry.ValidUSCC(code) {
			t.Errorf("ValidUSCC(%q) = false, want true", code)
		}
	}
}

func TestParseUSCCNormalizes(t *testing.T) {
	want := withCheck(t, "91431202MA4L0ABCD")
	for _, in := range []string{
		strings.ToLower(want),
		"  " + want + "\t",
		"\n" + strings.ToLower(want[:10]) + want[10:] + " ",
		"\u3000" + want, // ideographic space, as typed with a Chinese IME
		strings.Map(func(r rune) rune { return r - '!' + '！' }, want), // full-width, as typed with a Chinese IME
	} {
		got, err := registry.ParseUSCC(in)
		if err != nil || got != want {
			t.Errorf("ParseUSCC(%q) = %q, %v, want %q, nil", in, got, err, want)
		}
	}
	if got := registry.NormalizeUSCC(" 91350100m000100y43 "); got != "91350100M000100Y43" {
		t.Errorf("NormalizeUSCC = %q, want %q", got, "91350100M000100Y43")
	}
}

func TestParseUSCCInvalid(t *testing.T) {
	valid := withCheck(t, "91431202MA4L0ABCD")
	// A wrong check character: the next one in the alphabet.
	right := valid[17]
	wrong := gbAlphabet[(strings.IndexByte(gbAlphabet, right)+1)%31]

	tests := []struct {
		name string
		in   string
		want string // the whole Problem text; "" to check wantSub only
		sub  []string
	}{
		{
			name: "check character",
			in:   replaceAt(valid, 18, wrong),
			want: "第18位校验码错误：按前17位应为“" + string(right) + "”，实为“" + string(wrong) + "”" +
				" (position 18: check character should be '" + string(right) + "' for the first 17 characters, got '" + string(wrong) + "')",
		},
		{
			name: "placeholder from SPEC §3",
			in:   "91431202MA4L0XXXXX",
			want: "第18位校验码错误：按前17位应为“U”，实为“X”" +
				" (position 18: check character should be 'U' for the first 17 characters, got 'X')",
		},
		{
			name: "too short",
			in:   valid[:17],
			want: "统一社会信用代码应为18位，实为17位 (must be 18 characters, got 17)",
		},
		{
			name: "too long",
			in:   valid + "0",
			want: "统一社会信用代码应为18位，实为19位 (must be 18 characters, got 19)",
		},
		{
			name: "empty",
			in:   "",
			want: "统一社会信用代码应为18位，实为0位 (must be 18 characters, got 0)",
		},
		{
			name: "forbidden letter O",
			in:   replaceAt(valid, 10, 'O'),
			want: "第10位字符“O”不在统一社会信用代码字符集内（不使用字母 I、O、S、V、Z）" +
				" (position 10: character 'O' is not in the GB 32100 character set (letters I, O, S, V, Z are not used))",
		},
		{
			name: "hyphen",
			in:   replaceAt(valid, 13, '-'),
			want: "第13位字符“-”不在统一社会信用代码字符集内" +
				" (position 13: character '-' is not in the GB 32100 character set)",
		},
		{
			name: "non-ASCII",
			in:   "91431202MA4L0专BCDE",
			want: "第14位字符“专”不在统一社会信用代码字符集内" +
				" (position 14: character '专' is not in the GB 32100 character set)",
		},
		{
			name: "invalid UTF-8",
			in:   "91431202MA4L0\xffBCDE",
			sub:  []string{"第14位", "position 14:", `'�'`},
		},
		{
			name: "invalid UTF-8 as long as a code",
			in:   "91431202MA4L0\xff\xfeCDE",
			sub:  []string{"第14位", "position 14:", `'�'`},
		},
		{
			name: "organization type 0",
			in:   withCheck(t, "90431202MA4L0ABCD"),
			want: "第2位机构类别代码不能为0 (position 2: organization type code must not be 0)",
		},
		{
			name: "letter in admin code",
			in:   withCheck(t, "9143120AMA4L0ABCD"),
			want: "第8位应为数字（第3–8位是登记管理机关行政区划码） (position 8: must be a digit (positions 3–8 are the administrative division code))",
		},
		{
			name: "bad province",
			in:   withCheck(t, "91991202MA4L0ABCD"),
			want: "第3–4位“99”不是有效的省级行政区划代码 (positions 3–4: \"99\" is not a valid province code)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := registry.ParseUSCC(tt.in)
			if err == nil {
				t.Fatalf("ParseUSCC(%q) = %q, nil, want an error", tt.in, got)
			}
			if got != "" {
				t.Errorf("ParseUSCC(%q) = %q, want \"\" with the error", tt.in, got)
			}
			if !errors.Is(err, registry.ErrInvalid) {
				t.Errorf("ParseUSCC(%q) error %v does not match ErrInvalid", tt.in, err)
			}
			var ve *registry.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != 1 {
				t.Fatalf("ParseUSCC(%q) error = %#v, want a *ValidationError with one problem", tt.in, err)
			}
			p := ve.Problems[0]
			if p.Field != "uscc" {
				t.Errorf("ParseUSCC(%q) field = %q, want \"uscc\"", tt.in, p.Field)
			}
			if tt.want != "" {
				if diff := cmp.Diff(tt.want, p.Problem); diff != "" {
					t.Errorf("ParseUSCC(%q) problem mismatch (-want +got):\n%s", tt.in, diff)
				}
			}
			for _, s := range tt.sub {
				if !strings.Contains(p.Problem, s) {
					t.Errorf("ParseUSCC(%q) problem = %q, want it to contain %q", tt.in, p.Problem, s)
				}
			}
		})
	}
}

// TestParseUSCCForbiddenLetters puts each of I, O, S, V and Z at several
// positions and expects the message to name the position and the letter.
func TestParseUSCCForbiddenLetters(t *testing.T) {
	valid := withCheck(t, "91431202MA4L0ABCD")
	for _, c := range []byte("IOSVZ") {
		for _, pos := range []int{1, 2, 3, 8, 9, 12, 17, 18} {
			in := replaceAt(valid, pos, c)
			zh, en, ok := registry.CheckUSCC(in)
			if ok {
				t.Errorf("CheckUSCC(%q) ok, want rejected", in)
				continue
			}
			wantZh := "第" + strconv.Itoa(pos) + "位字符“" + string(c) + "”"
			wantEn := "position " + strconv.Itoa(pos) + ": character '" + string(c) + "'"
			if !strings.HasPrefix(zh, wantZh) || !strings.Contains(zh, "不使用字母 I、O、S、V、Z") {
				t.Errorf("CheckUSCC(%q) zh = %q, want prefix %q and the I/O/S/V/Z hint", in, zh, wantZh)
			}
			if !strings.HasPrefix(en, wantEn) || !strings.Contains(en, "I, O, S, V, Z") {
				t.Errorf("CheckUSCC(%q) en = %q, want prefix %q and the I/O/S/V/Z hint", in, en, wantEn)
			}
		}
	}
}

// TestParseUSCCAdminCodeDigits puts a letter at each of positions 3–8.
func TestParseUSCCAdminCodeDigits(t *testing.T) {
	for pos := 3; pos <= 8; pos++ {
		body := replaceAt("91431202MA4L0ABCD", pos, 'A')
		in := withCheck(t, body)
		_, en, ok := registry.CheckUSCC(in)
		if want := "position " + strconv.Itoa(pos) + ": must be a digit"; ok || !strings.HasPrefix(en, want) {
			t.Errorf("CheckUSCC(%q) = %q, %v, want prefix %q, false", in, en, ok, want)
		}
	}
}

func TestParseUSCCProvince(t *testing.T) {
	for _, tt := range []struct {
		prefix string
		ok     bool
	}{
		{"11", true}, {"43", true}, {"65", true}, {"71", true}, {"81", true}, {"82", true}, {"10", true},
		{"00", false}, {"16", false}, {"20", false}, {"24", false}, {"30", false}, {"47", false},
		{"55", false}, {"66", false}, {"70", false}, {"83", false}, {"99", false},
	} {
		in := withCheck(t, "91"+tt.prefix+"1202MA4L0ABCD")
		_, en, ok := registry.CheckUSCC(in)
		if ok != tt.ok {
			t.Errorf("CheckUSCC(%q) = %q, %v, want ok %v", in, en, ok, tt.ok)
		}
	}
}

// TestCheckUSCCInvalidUTF8 checks the raw path (Validate calls CheckUSCC on
// the profile as sent): a stray byte is reported as the replacement
// character, not as the Latin-1 letter with the same byte value.
func TestCheckUSCCInvalidUTF8(t *testing.T) {
	for _, tt := range []struct {
		in     string
		zh, en string
	}{
		{"91431202MA4L0\xffBCDE", "第14位字符“�”", "position 14: character '�'"},
		{"\xe4\xb8BCDEFGHJKLMNPQRTU", "第1位字符“�”", "position 1: character '�'"},
		{"91431202MA4L0ABCD\x80", "第18位字符“�”", "position 18: character '�'"},
	} {
		zh, en, ok := registry.CheckUSCC(tt.in)
		if ok || !strings.HasPrefix(zh, tt.zh) || !strings.HasPrefix(en, tt.en) {
			t.Errorf("CheckUSCC(%q) = %q, %q, %v, want prefixes %q, %q, false", tt.in, zh, en, ok, tt.zh, tt.en)
		}
	}
}

// TestCheckUSCCIsNotNormalizing pins the contract that CheckUSCC and
// ValidUSCC take a normalized code: callers normalize first.
func TestCheckUSCCIsNotNormalizing(t *testing.T) {
	code := withCheck(t, "91431202MA4L0ABCD")
	for _, in := range []string{strings.ToLower(code), " " + code} {
		if registry.ValidUSCC(in) {
			t.Errorf("ValidUSCC(%q) = true, want false (not normalized)", in)
		}
	}
}
