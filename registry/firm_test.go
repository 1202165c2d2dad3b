package registry_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
)

// specProfile is the example of SPEC §3, copied verbatim. Its USCC
// "91431202MA4L0XXXXX" is a placeholder: the check character should be U.
const specProfile = "testdata/spec_profile.json"

// decodeStrict decodes one firm the way the API does: unknown fields are an
// error, and nothing may follow the value.
func decodeStrict(data []byte) (registry.Firm, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f registry.Firm
	if err := dec.Decode(&f); err != nil {
		return f, err
	}
	if _, err := dec.Token(); err == nil {
		return f, errTrailing
	}
	return f, nil
}

var errTrailing = errors.New("trailing data after the profile")

func readSpecProfile(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(specProfile)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSpecProfileRoundTrip(t *testing.T) {
	data := readSpecProfile(t)
	f, err := decodeStrict(data)
	if err != nil {
		t.Fatalf("decoding %s: %v", specProfile, err)
	}

	// Spot-check that every part landed where SPEC §3 says.
	if got, want := f.Name, "怀化某某科技有限公司"; got != want {
		t.Errorf("Name = %q, want %q", got, want)
	}
	if f.Niche == nil || f.Niche.GlobalRank == nil || *f.Niche.GlobalRank != 0 || f.Niche.GapFilling == nil || *f.Niche.GapFilling {
		t.Errorf("Niche = %+v, want global_rank 0 and gap_filling false present (explicit zeros are values, not absent)", f.Niche)
	}
	y := f.Year(2025)
	if y == nil || y.EquityFinancing == nil || *y.EquityFinancing != 0 || y.SRDIScore == nil || *y.SRDIScore != 63.5 {
		t.Errorf("Year(2025) = %+v, want equity_financing 0 and srdi_score 63.5", y)
	}
	if y != nil && y.TotalCost != nil && *y.TotalCost != 45000000 {
		t.Errorf("Year(2025).TotalCost = %d, want 45000000", *y.TotalCost)
	}
	if len(f.Honors) != 4 || f.Honors[1].Rank == nil || *f.Honors[1].Rank != 2 || f.Honors[3].Level != "industry" {
		t.Errorf("Honors = %+v, want the four honors of the example", f.Honors)
	}
	if f.Compliance == nil || len(f.Compliance.Incidents) != 1 || !f.Compliance.Incidents[0].Major {
		t.Errorf("Compliance = %+v, want one major incident", f.Compliance)
	}

	// Re-encoding gives the same JSON value: no field lost, renamed or
	// invented, and explicit zeros and falses kept.
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("re-encoded profile differs (-spec +re-encoded):\n%s", diff)
	}

	// And decoding the re-encoded form gives the same firm.
	f2, err := decodeStrict(out)
	if err != nil {
		t.Fatalf("decoding the re-encoded profile: %v", err)
	}
	if diff := cmp.Diff(f, f2); diff != "" {
		t.Errorf("second round trip differs (-first +second):\n%s", diff)
	}
}

func TestSpecProfileValidates(t *testing.T) {
	f, err := decodeStrict(readSpecProfile(t))
	if err != nil {
		t.Fatal(err)
	}
	// The placeholder USCC is the only thing wrong with the example.
	want := []registry.Problem{{
		Field: "uscc",
		Problem: "第18位校验码错误：按前17位应为“U”，实为“X”" +
			" (position 18: check character should be 'U' for the first 17 characters, got 'X')",
	}}
	if diff := cmp.Diff(want, problemsOf(t, f.Validate(today))); diff != "" {
		t.Errorf("Validate(spec example) mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, problemsOf(t, f.ValidateProfile(today))); diff != "" {
		t.Errorf("ValidateProfile(spec example) mismatch (-want +got):\n%s", diff)
	}

	// With the placeholder's check character fixed, the example is valid.
	f.USCC = withCheck(t, f.USCC[:17])
	if f.USCC != "91431202MA4L0XXXXU" {
		t.Fatalf("fixed USCC = %q, want 91431202MA4L0XXXXU", f.USCC)
	}
	if err := f.Validate(today); err != nil {
		t.Errorf("Validate(spec example, fixed USCC) = %v, want nil", err)
	}
}

func TestDecodeRejectsUnknownFields(t *testing.T) {
	for _, in := range []string{
		`{"uscc": "91350100M000100Y43", "nmae": "x"}`,
		`{"years": [{"year": 2025, "revenu": 1}]}`,
		`{"niche": {"share_pct": 12}}`,
		`{"honors": [{"kind": "hnte", "valid_until": "2027-11-30"}]}`,
		`{"compliance": {"incidents": [{"date": "2023-07-01", "kind": "x", "severe": true}]}}`,
	} {
		if _, err := decodeStrict([]byte(in)); err == nil || !strings.Contains(err.Error(), "unknown field") {
			t.Errorf("decodeStrict(%s) = %v, want an unknown field error", in, err)
		}
	}
}

// TestAbsentIsNotZero: an absent amount decodes to nil and stays absent on
// encoding, while an explicit 0 stays 0 (SPEC §3: unknown values are absent).
func TestAbsentIsNotZero(t *testing.T) {
	f, err := decodeStrict([]byte(`{"years": [{"year": 2025, "rd_expense": 0}]}`))
	if err != nil {
		t.Fatal(err)
	}
	y := f.Year(2025)
	if y.RDExpense == nil || *y.RDExpense != 0 {
		t.Errorf("rd_expense = %v, want a present 0", y.RDExpense)
	}
	if y.Revenue != nil {
		t.Errorf("revenue = %v, want absent (nil)", *y.Revenue)
	}
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), `{"years":[{"year":2025,"rd_expense":0}]}`; got != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
}
