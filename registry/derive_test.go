package registry_test

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
)

var cst = time.FixedZone("CST", 8*3600)

// day is a contract date as ParseDate returns it.
func day(s string) time.Time {
	d, err := registry.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestPrevFiscalYear(t *testing.T) {
	tests := []struct {
		asOf time.Time
		want int
	}{
		{day("2026-06-30"), 2025},
		{day("2026-01-01"), 2025},
		{day("2025-12-31"), 2024},
		{time.Date(2026, 1, 1, 0, 30, 0, 0, cst), 2025}, // still 2025-12-31 in UTC; the caller's zone decides
		{time.Date(2025, 12, 31, 23, 59, 0, 0, cst), 2024},
	}
	for _, tt := range tests {
		if got := registry.PrevFiscalYear(tt.asOf); got != tt.want {
			t.Errorf("PrevFiscalYear(%v) = %d, want %d", tt.asOf, got, tt.want)
		}
	}
}

func TestEndOfPrevYear(t *testing.T) {
	tests := []struct {
		asOf time.Time
		want time.Time
	}{
		{day("2026-06-30"), day("2025-12-31")},
		{day("2026-01-01"), day("2025-12-31")},
		{day("2025-12-31"), day("2024-12-31")},
		{time.Date(2026, 3, 1, 12, 0, 0, 0, cst), day("2025-12-31")},
	}
	for _, tt := range tests {
		if got := registry.EndOfPrevYear(tt.asOf); !got.Equal(tt.want) {
			t.Errorf("EndOfPrevYear(%v) = %v, want %v", tt.asOf, got, tt.want)
		}
	}
}

func TestFirmYear(t *testing.T) {
	f := baseFirm()
	y := f.Year(2025)
	if y == nil || y.Year != 2025 {
		t.Fatalf("Year(2025) = %+v, want the 2025 entry", y)
	}
	// The result points into the firm, so an upsert through it sticks.
	y.Employees = ptr[int64](999)
	if got := *f.Years[1].Employees; got != 999 {
		t.Errorf("after writing through Year(2025), Years[1].Employees = %d, want 999", got)
	}
	for _, absent := range []int{2023, 2026, 0} {
		if got := f.Year(absent); got != nil {
			t.Errorf("Year(%d) = %+v, want nil", absent, got)
		}
	}
	var empty registry.Firm
	if got := empty.Year(2025); got != nil {
		t.Errorf("(empty firm).Year(2025) = %+v, want nil", got)
	}
}

func TestNormalize(t *testing.T) {
	f := registry.Firm{
		USCC: "  91350100m000100y43\n",
		Years: []registry.Year{
			{Year: 2025, Employees: ptr[int64](3)},
			{Year: 2023},
			{Year: 2024, Employees: ptr[int64](1)},
			{Year: 2024, Employees: ptr[int64](2)}, // duplicates keep their order (Validate reports them)
		},
	}
	f.Normalize()
	want := registry.Firm{
		USCC: "91350100M000100Y43",
		Years: []registry.Year{
			{Year: 2023},
			{Year: 2024, Employees: ptr[int64](1)},
			{Year: 2024, Employees: ptr[int64](2)},
			{Year: 2025, Employees: ptr[int64](3)},
		},
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("Normalize mismatch (-want +got):\n%s", diff)
	}
	var empty registry.Firm
	empty.Normalize()
	if diff := cmp.Diff(registry.Firm{}, empty); diff != "" {
		t.Errorf("Normalize(empty) mismatch (-want +got):\n%s", diff)
	}
}

func TestRatio(t *testing.T) {
	tests := []struct {
		num, den *int64
		want     float64
		ok       bool
	}{
		{ptr[int64](30), ptr[int64](120), 0.25, true},
		{ptr[int64](0), ptr[int64](120), 0, true},
		{ptr[int64](-50), ptr[int64](100), -0.5, true},
		{ptr[int64](3000000), ptr[int64](3000000), 1, true},
		{nil, ptr[int64](120), 0, false},
		{ptr[int64](30), nil, 0, false},
		{nil, nil, 0, false},
		{ptr[int64](30), ptr[int64](0), 0, false},
		{ptr[int64](30), ptr[int64](-1), 0, false},
	}
	for _, tt := range tests {
		got, ok := registry.Ratio(tt.num, tt.den)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Ratio(%s, %s) = %v, %v, want %v, %v", show(tt.num), show(tt.den), got, ok, tt.want, tt.ok)
		}
	}
}

func TestGrowth(t *testing.T) {
	tests := []struct {
		cur, prev *int64
		want      float64
		ok        bool
	}{
		{ptr[int64](120), ptr[int64](100), 0.2, true},
		{ptr[int64](100), ptr[int64](100), 0, true},
		{ptr[int64](50), ptr[int64](100), -0.5, true},
		{ptr[int64](0), ptr[int64](100), -1, true},
		{ptr[int64](-100), ptr[int64](100), -2, true}, // net profit turned to a loss
		{nil, ptr[int64](100), 0, false},
		{ptr[int64](100), nil, 0, false},
		{ptr[int64](100), ptr[int64](0), 0, false}, // growth from nothing is undefined
		{ptr[int64](100), ptr[int64](-100), 0, false},
	}
	for _, tt := range tests {
		got, ok := registry.Growth(tt.cur, tt.prev)
		if math.Abs(got-tt.want) > 1e-12 || ok != tt.ok {
			t.Errorf("Growth(%s, %s) = %v, %v, want %v, %v", show(tt.cur), show(tt.prev), got, ok, tt.want, tt.ok)
		}
	}
}

// TestGrowthExtremesKeepTheirSign: amounts are not bounded by Validate (and
// net_profit may be negative), so cur − prev must not wrap around.
func TestGrowthExtremesKeepTheirSign(t *testing.T) {
	if g, ok := registry.Growth(ptr[int64](math.MinInt64), ptr[int64](1)); !ok || g >= 0 {
		t.Errorf("Growth(MinInt64, 1) = %v, %v, want a negative growth", g, ok)
	}
	if g, ok := registry.Growth(ptr[int64](math.MaxInt64), ptr[int64](1)); !ok || g <= 0 {
		t.Errorf("Growth(MaxInt64, 1) = %v, %v, want a positive growth", g, ok)
	}
}

func show(p *int64) string {
	if p == nil {
		return "nil"
	}
	return strconv.FormatInt(*p, 10)
}

func TestHonorValidAt(t *testing.T) {
	hnte := registry.Honor{Kind: "hnte", Issued: "2024-12-01", Expires: "2027-11-30"}
	tests := []struct {
		name string
		h    registry.Honor
		d    time.Time
		want bool
	}{
		{"day before issue", hnte, day("2024-11-30"), false},
		{"issue day", hnte, day("2024-12-01"), true},
		{"in between", hnte, day("2026-06-30"), true},
		{"expiry day", hnte, day("2027-11-30"), true},
		{"day after expiry", hnte, day("2027-12-01"), false},
		{"no dates", registry.Honor{Kind: "own_brand"}, day("2026-06-30"), true},
		{"no expiry", registry.Honor{Kind: "rd_institution", Issued: "2021-09-01"}, day("2099-01-01"), true},
		{"no expiry before issue", registry.Honor{Kind: "rd_institution", Issued: "2021-09-01"}, day("2021-08-31"), false},
		{"no issue date", registry.Honor{Kind: "qms_cert", Expires: "2026-06-30"}, day("2026-06-30"), true},
		{"no issue date expired", registry.Honor{Kind: "qms_cert", Expires: "2026-06-29"}, day("2026-06-30"), false},
		{"malformed issued", registry.Honor{Kind: "hnte", Issued: "2024-12"}, day("2026-06-30"), false},
		{"malformed expires", registry.Honor{Kind: "hnte", Issued: "2024-12-01", Expires: "2027-02-30"}, day("2026-06-30"), false},
		// Rules pass contract dates; the store passes time.Now(). A date is
		// the whole calendar day in d's own zone.
		{"expiry day afternoon CST", hnte, time.Date(2027, 11, 30, 15, 0, 0, 0, cst), true},
		{"expiry day late UTC", hnte, time.Date(2027, 11, 30, 23, 59, 59, 0, time.UTC), true},
		{"issue day early CST", hnte, time.Date(2024, 12, 1, 0, 30, 0, 0, cst), true},
		{"day before issue late CST", hnte, time.Date(2024, 11, 30, 23, 59, 0, 0, cst), false},
		{"day after expiry early CST", hnte, time.Date(2027, 12, 1, 0, 1, 0, 0, cst), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.ValidAt(tt.d); got != tt.want {
				t.Errorf("%+v.ValidAt(%v) = %v, want %v", tt.h, tt.d, got, tt.want)
			}
		})
	}
}

func TestHonorIssuedWithin(t *testing.T) {
	asOf := day("2026-06-30")
	tests := []struct {
		issued string
		d      time.Time
		years  int
		want   bool
	}{
		{"2026-06-30", asOf, 1, true},  // the day itself
		{"2025-07-01", asOf, 1, true},  // the first day of the window
		{"2025-06-30", asOf, 1, false}, // exactly a year before: outside (d − years < issued)
		{"2023-07-01", asOf, 3, true},
		{"2023-06-30", asOf, 3, false},
		{"2026-07-01", asOf, 3, false}, // after d
		{"2026-06-30", asOf, 0, false}, // an empty window
		{"", asOf, 3, false},
		{"2024-13-01", asOf, 3, false},
		{"2026-06-30", time.Date(2026, 6, 30, 9, 0, 0, 0, cst), 1, true},
		{"2026-06-30", time.Date(2026, 6, 30, 7, 0, 0, 0, cst), 1, true}, // 2026-06-29 in UTC
		{"2026-07-01", time.Date(2026, 6, 30, 23, 0, 0, 0, time.UTC), 1, false},
		{"2025-07-01", time.Date(2026, 6, 30, 23, 0, 0, 0, cst), 1, true},
	}
	for _, tt := range tests {
		h := registry.Honor{Kind: "sci_award", Issued: tt.issued}
		if got := h.IssuedWithin(tt.d, tt.years); got != tt.want {
			t.Errorf("Honor{Issued: %q}.IssuedWithin(%v, %d) = %v, want %v", tt.issued, tt.d, tt.years, got, tt.want)
		}
	}
}

func TestValidHonors(t *testing.T) {
	f := baseFirm()
	f.Honors = append(f.Honors,
		registry.Honor{Kind: "tech_sme", Level: "national", Issued: "2025-04-01", Expires: "2025-12-31"},
		registry.Honor{Kind: "specialized_sme", Level: "provincial", Issued: "2026-07-15", Expires: "2029-07-14"},
	)
	var kinds []string
	for _, h := range f.ValidHonors(day("2026-06-30")) {
		kinds = append(kinds, h.Kind)
	}
	want := []string{"hnte", "sci_award", "rd_institution", "standard_led"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("ValidHonors kinds mismatch (-want +got):\n%s", diff)
	}
	var none registry.Firm
	if got := none.ValidHonors(day("2026-06-30")); len(got) != 0 {
		t.Errorf("(no honors).ValidHonors = %v, want empty", got)
	}
}

func TestHolds(t *testing.T) {
	f := registry.Firm{Honors: []registry.Honor{
		{Kind: "hnte", Level: "national", Issued: "2024-12-01", Expires: "2027-11-30"},
		{Kind: "specialized_sme", Level: "provincial", Issued: "2023-01-01", Expires: "2025-12-31"},
		{Kind: "specialized_sme", Level: "city", Issued: "2025-06-01", Expires: "2028-05-31"},
		{Kind: "standard_led", Level: "industry", Issued: "2023-03-01"},
		{Kind: "own_brand", Issued: "2020-01-01"},
	}}
	asOf := day("2026-06-30")
	tests := []struct {
		kind, min string
		d         time.Time
		want      bool
	}{
		{"hnte", "", asOf, true},
		{"hnte", "national", asOf, true},
		{"hnte", "provincial", asOf, true}, // provincial or higher accepts national
		{"hnte", "county", asOf, true},
		{"hnte", "international", asOf, false},
		{"hnte", "", day("2027-12-01"), false},
		{"specialized_sme", "", asOf, true},            // the city one is in force
		{"specialized_sme", "provincial", asOf, false}, // the provincial one expired
		{"specialized_sme", "provincial", day("2025-12-31"), true},
		{"specialized_sme", "city", asOf, true},
		{"standard_led", "provincial", asOf, true}, // industry sits above provincial
		{"standard_led", "national", asOf, false},
		{"own_brand", "", asOf, true},
		{"own_brand", "county", asOf, false}, // no level is below every level
		{"little_giant", "", asOf, false},
		{"HNTE", "", asOf, false},
	}
	for _, tt := range tests {
		if got := f.Holds(tt.kind, tt.min, tt.d); got != tt.want {
			t.Errorf("Holds(%q, %q, %v) = %v, want %v", tt.kind, tt.min, tt.d.Format(registry.DateLayout), got, tt.want)
		}
	}
}

func TestLevelAtLeast(t *testing.T) {
	order := []string{"county", "city", "provincial", "industry", "national", "international"}
	for i, level := range order {
		for j, min := range order {
			if got, want := registry.LevelAtLeast(level, min), i >= j; got != want {
				t.Errorf("LevelAtLeast(%q, %q) = %v, want %v", level, min, got, want)
			}
		}
		for _, unknown := range []string{"", "province", "National"} {
			if registry.LevelAtLeast(unknown, level) {
				t.Errorf("LevelAtLeast(%q, %q) = true, want false (unknown level)", unknown, level)
			}
		}
	}
}

func TestYearsInNiche(t *testing.T) {
	asOf := day("2026-06-30")
	tests := []struct {
		name  string
		niche *registry.Niche
		asOf  time.Time
		want  int
		ok    bool
	}{
		{"no niche", nil, asOf, 0, false},
		{"nothing known", &registry.Niche{Market: "轴承"}, asOf, 0, false},
		// Counted through 31 December of the previous year.
		{"since 1 January", &registry.Niche{Since: "2023-01-01"}, asOf, 3, true},
		{"since 2 January", &registry.Niche{Since: "2023-01-02"}, asOf, 2, true},
		{"since 31 December", &registry.Niche{Since: "2022-12-31"}, asOf, 3, true},
		{"since 1 January as of 1 January", &registry.Niche{Since: "2023-01-01"}, day("2026-01-01"), 3, true},
		{"since 1 January as of 31 December", &registry.Niche{Since: "2023-01-01"}, day("2026-12-31"), 3, true},
		{"since last year", &registry.Niche{Since: "2025-06-01"}, asOf, 0, true},
		{"since this year", &registry.Niche{Since: "2026-03-01"}, asOf, 0, true},
		{"since the future", &registry.Niche{Since: "2030-01-01"}, asOf, 0, true},
		{"spec example", &registry.Niche{Since: "2016-01-01", YearsInField: ptr(12)}, asOf, 10, true},
		{"since wins over years_in_field", &registry.Niche{Since: "2023-01-01", YearsInField: ptr(12)}, asOf, 3, true},
		{"years_in_field fallback", &registry.Niche{YearsInField: ptr(12)}, asOf, 12, true},
		{"years_in_field zero", &registry.Niche{YearsInField: ptr(0)}, asOf, 0, true},
		{"malformed since falls back", &registry.Niche{Since: "2023-02-30", YearsInField: ptr(5)}, asOf, 5, true},
		{"malformed since alone", &registry.Niche{Since: "2023"}, asOf, 0, false},
		{"as of in CST", &registry.Niche{Since: "2023-01-01"}, time.Date(2026, 1, 1, 0, 30, 0, 0, cst), 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := registry.Firm{Niche: tt.niche}
			got, ok := f.YearsInNiche(tt.asOf)
			if got != tt.want || ok != tt.ok {
				t.Errorf("YearsInNiche(%v) = %d, %v, want %d, %v", tt.asOf.Format(registry.DateLayout), got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFullYears(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2015-03-01", "2026-06-30", 11},
		{"2015-03-01", "2026-03-01", 11}, // the anniversary itself completes the year
		{"2015-03-01", "2026-02-28", 10},
		{"2015-07-01", "2026-06-30", 10},
		{"2026-06-30", "2026-06-30", 0},
		{"2026-07-01", "2026-06-30", 0}, // b before a
		{"2030-01-01", "2026-06-30", 0},
		{"2020-02-29", "2021-02-28", 0}, // a leap-day start completes its year on 1 March
		{"2020-02-29", "2021-03-01", 1},
		{"2020-02-29", "2024-02-29", 4},
		{"2023-01-01", "2026-01-01", 3},
		{"2023-01-01", "2025-12-31", 2},
	}
	for _, tt := range tests {
		if got := registry.FullYears(day(tt.a), day(tt.b)); got != tt.want {
			t.Errorf("FullYears(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
