package registry_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
)

// FuzzParseUSCC checks ParseUSCC against the GB 32100 algorithm restated in
// uscc_test.go: it never panics, whatever it accepts is a well-formed code
// whose check character recomputes, whatever it rejects is reported on
// "uscc" with a position, and normalizing first changes nothing.
func FuzzParseUSCC(f *testing.F) {
	for _, code := range realUSCCs {
		f.Add(code)
		f.Add(strings.ToLower(code))
		f.Add(" " + code + "\t")
		f.Add(code[:17])
		f.Add(code + "0")
	}
	for _, s := range []string{
		"", "91431202MA4L0XXXXX", "91431202MA4L0XXXXU", "91431202MA4L0XXXXO",
		"90431202MA4L0ABCD0", "9143120AMA4L0ABCDE", "91991202MA4L0ABCDE",
		"91431202MA4L0专BCDE", "９1431202MA4L0ABCDE", "91431202MA4L0\xffBCDE",
		"\u3000914403001922038216", "91440300708461136ſ", "91440300708461136ı",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		code, err := registry.ParseUSCC(in)
		norm := registry.NormalizeUSCC(in)
		if err == nil {
			if code != norm {
				t.Errorf("ParseUSCC(%q) = %q, want the normalized input %q", in, code, norm)
			}
			if len(code) != 18 {
				t.Fatalf("ParseUSCC(%q) = %q, %d bytes, want 18", in, code, len(code))
			}
			for i := range 18 {
				if strings.IndexByte(gbAlphabet, code[i]) < 0 {
					t.Fatalf("ParseUSCC(%q) = %q: position %d %q is not in the alphabet", in, code, i+1, code[i])
				}
			}
			if got, want := code[17], gbCheck(t, code[:17]); got != want {
				t.Errorf("ParseUSCC(%q) accepted check character %q, want %q", in, got, want)
			}
			for i := 2; i < 8; i++ {
				if code[i] < '0' || code[i] > '9' {
					t.Errorf("ParseUSCC(%q) = %q: position %d is not a digit", in, code, i+1)
				}
			}
			if again, err := registry.ParseUSCC(code); err != nil || again != code {
				t.Errorf("ParseUSCC(ParseUSCC(%q)) = %q, %v, want %q, nil", in, again, err, code)
			}
		} else {
			if code != "" {
				t.Errorf("ParseUSCC(%q) = %q with error %v, want \"\"", in, code, err)
			}
			if !errors.Is(err, registry.ErrInvalid) {
				t.Errorf("ParseUSCC(%q) error %v does not match ErrInvalid", in, err)
			}
			var ve *registry.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Field != "uscc" {
				t.Fatalf("ParseUSCC(%q) error = %#v, want one problem on \"uscc\"", in, err)
			}
			if msg := ve.Problems[0].Problem; !strings.Contains(msg, "position") && !strings.Contains(msg, "must be 18 characters") {
				t.Errorf("ParseUSCC(%q) problem %q names neither a position nor the length", in, msg)
			}
			if !utf8.ValidString(ve.Problems[0].Problem) {
				t.Errorf("ParseUSCC(%q) problem %q is not valid UTF-8", in, ve.Problems[0].Problem)
			}
		}

		// Normalizing first changes nothing.
		if again := registry.NormalizeUSCC(norm); again != norm {
			t.Errorf("NormalizeUSCC is not idempotent: %q → %q → %q", in, norm, again)
		}
		code2, err2 := registry.ParseUSCC(norm)
		if code2 != code || errText(err2) != errText(err) {
			t.Errorf("ParseUSCC(NormalizeUSCC(%q)) = %q, %v, want %q, %v", in, code2, err2, code, err)
		}

		// The raw check agrees with an independent restatement of the
		// standard whenever the input is 18 characters of the alphabet.
		_, _, ok := registry.CheckUSCC(in)
		if ref, decided := referenceUSCC(in); decided && ok != ref {
			t.Errorf("CheckUSCC(%q) ok = %v, reference says %v", in, ok, ref)
		}
		if len(in) >= 17 {
			if c, ok := registry.USCCCheckChar(in[:17]); ok && c != gbCheck(t, in[:17]) {
				t.Errorf("USCCCheckChar(%q) = %q, want %q", in[:17], c, gbCheck(t, in[:17]))
			}
		}
	})
}

// referenceUSCC decides validity for inputs it fully understands: 18
// characters of the alphabet with a province prefix from a short list of
// real ones or obviously unused ones. decided is false otherwise.
func referenceUSCC(s string) (valid, decided bool) {
	if len(s) != 18 {
		return false, false
	}
	for i := range 18 {
		if strings.IndexByte(gbAlphabet, s[i]) < 0 {
			return false, true
		}
	}
	if s[1] == '0' {
		return false, true
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false, true
		}
	}
	switch s[2:4] {
	case "11", "31", "43", "44", "65":
	case "00", "99", "20", "30":
		return false, true
	default:
		return false, false
	}
	sum := 0
	for i := range 17 {
		sum += strings.IndexByte(gbAlphabet, s[i]) * gbWeights[i]
	}
	return s[17] == gbAlphabet[(31-sum%31)%31], true
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// FuzzFirmDecodeValidate decodes arbitrary bytes as a firm profile the way
// the API does and validates the result: nothing panics, every problem names
// a field, Validate is ValidateProfile plus the two "required" rules, and a
// firm that passes survives a JSON round trip and still passes.
func FuzzFirmDecodeValidate(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range seeds {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	base, err := json.Marshal(baseFirm())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(base)
	for _, s := range []string{
		`{}`, `null`, `[]`, `""`, `{"uscc": null}`,
		`{"uscc": "91350100m000100y43", "name": " "}`,
		`{"name": "怀化\u0000科技", "region_code": "101202", "industry_code": "c35"}`,
		`{"established": "2025-02-30", "niche": {"since": "2016", "share": 12, "years_in_field": -1}}`,
		`{"years": [{"year": 2025, "employees": 10, "tech_staff": 11, "revenue": -1, "main_revenue": 5}]}`,
		`{"years": [{"year": 2025}, {"year": 2025}, {"year": 0}, {"year": 3000}]}`,
		`{"years": [{"year": 2025, "srdi_score": 1e308, "digital_level": 5, "net_profit": -9223372036854775808}]}`,
		`{"years": [{"year": 2025, "revenue": 9223372036854775808}]}`,
		`{"ip": {"class1": -1, "class1_high_value": 2}}`,
		`{"honors": [{"kind": "", "level": "province", "issued": "2024-12-01", "expires": "2024-11-30", "rank": 0}]}`,
		`{"honors": [{"kind": "hnte", "issued": "2024-12-01", "expires": "2027-11-30"}], "compliance": {"incidents": [{"date": "", "kind": ""}]}}`,
		`{"name": "\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		firm, err := decodeStrict(data)
		if err != nil {
			return
		}
		before, err := json.Marshal(firm)
		if err != nil {
			t.Fatalf("json.Marshal(decoded firm): %v", err)
		}

		verr := firm.Validate(today)
		perr := firm.ValidateProfile(today)
		vp := fuzzProblems(t, "Validate", verr)
		pp := fuzzProblems(t, "ValidateProfile", perr)

		// Validate = the "required" rules for uscc and name, then exactly
		// what ValidateProfile finds.
		var rest []registry.Problem
		for _, p := range vp {
			if (p.Field == "uscc" || p.Field == "name") && strings.HasSuffix(p.Problem, "(required)") {
				continue
			}
			rest = append(rest, p)
		}
		if diff := cmp.Diff(pp, rest); diff != "" {
			t.Errorf("Validate beyond the required rules differs from ValidateProfile (-profile +validate):\n%s", diff)
		}

		after, err := json.Marshal(firm)
		if err != nil || string(after) != string(before) {
			t.Errorf("validation changed the firm:\nbefore %s\nafter  %s", before, after)
		}

		// The derived helpers must cope with anything that decodes.
		firm.YearsInNiche(today)
		firm.ValidHonors(today)
		for _, h := range firm.Honors {
			firm.Holds(h.Kind, h.Level, today)
			h.IssuedWithin(today, 3)
		}
		for _, y := range firm.Years {
			registry.Ratio(y.TechStaff, y.Employees)
			registry.Growth(y.Revenue, y.MainRevenue)
		}

		if perr != nil {
			return
		}
		// A valid profile stays valid once normalized and round-tripped.
		firm.Normalize()
		if err := firm.ValidateProfile(today); err != nil {
			t.Errorf("ValidateProfile after Normalize = %v, want nil", err)
		}
		again, err := decodeStrict(after)
		if err != nil {
			t.Fatalf("decoding the re-encoded valid firm %s: %v", after, err)
		}
		if err := again.ValidateProfile(today); err != nil {
			t.Errorf("ValidateProfile after a JSON round trip = %v, want nil", err)
		}
	})
}

func fuzzProblems(t *testing.T, name string, err error) []registry.Problem {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *registry.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, registry.ErrInvalid) {
		t.Fatalf("%s error %v (%T) is not a *ValidationError matching ErrInvalid", name, err, err)
	}
	if len(ve.Problems) == 0 {
		t.Errorf("%s returned a ValidationError with no problems", name)
	}
	for _, p := range ve.Problems {
		if p.Field == "" || p.Problem == "" {
			t.Errorf("%s problem %+v has an empty field or text", name, p)
		}
	}
	return ve.Problems
}
