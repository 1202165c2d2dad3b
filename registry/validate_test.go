package registry_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
)

// today is the fixed "now" of the validation tests.
var today = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// baseFirm is a valid firm shaped like the SPEC §3 example, with two fiscal
// years so that paths such as "years[1].tech_staff" are exercised.
func baseFirm() registry.Firm {
	return registry.Firm{
		USCC:         "91350100M000100Y43",
		Name:         "怀化某某科技有限公司",
		RegionCode:   "431202",
		IndustryCode: "C3562",
		Chain:        "机械装备",
		Established:  "2015-03-01",
		Niche: &registry.Niche{
			Market: "精密轴承", Since: "2016-01-01", Share: ptr(0.12),
			DomesticRank: ptr(3), GlobalRank: ptr(0),
			KeyField: ptr(true), StrategicEmerging: ptr(true), GapFilling: ptr(false),
			YearsInField: ptr(12),
		},
		Years: []registry.Year{
			{
				Year: 2024, Employees: ptr[int64](110), TechStaff: ptr[int64](28), RDStaff: ptr[int64](22),
				Revenue: ptr[int64](48000000), MainRevenue: ptr[int64](45000000), HighTechRevenue: ptr[int64](30000000),
				RDExpense: ptr[int64](2500000), DomesticRDExpense: ptr[int64](2400000), NetProfit: ptr[int64](4000000),
			},
			{
				Year: 2025, Employees: ptr[int64](120), TechStaff: ptr[int64](30), RDStaff: ptr[int64](25),
				Revenue: ptr[int64](56000000), MainRevenue: ptr[int64](52000000), HighTechRevenue: ptr[int64](40000000),
				TotalCost: ptr[int64](45000000), RDExpense: ptr[int64](3000000), DomesticRDExpense: ptr[int64](3000000),
				TotalAssets: ptr[int64](80000000), TotalLiabilities: ptr[int64](30000000), NetProfit: ptr[int64](5000000),
				EquityFinancing: ptr[int64](0), TechContractTurnover: ptr[int64](0),
				SRDIScore: ptr(63.5), DigitalLevel: ptr(2),
			},
		},
		IP: &registry.IP{Class1: ptr(3), Class1HighValue: ptr(0), Class1SelfDeveloped: ptr(3), Class2: ptr(10)},
		Honors: []registry.Honor{
			{Kind: "hnte", Level: "national", Issued: "2024-12-01", Expires: "2027-11-30", Number: "GR202443000123"},
			{Kind: "sci_award", Level: "provincial", Issued: "2024-05-01", Rank: ptr(2)},
			{Kind: "rd_institution", Level: "provincial", Issued: "2021-09-01"},
			{Kind: "standard_led", Level: "industry", Issued: "2023-03-01"},
		},
		Compliance: &registry.Compliance{
			Incidents:    []registry.Incident{{Date: "2023-07-01", Kind: "environment", Major: true}},
			AbnormalList: ptr(false), SeriousDishonesty: ptr(false), ProhibitedIndustry: ptr(false),
		},
	}
}

// problemsOf returns the problems of a validation error, failing the test if
// err is not nil and not a *ValidationError matching ErrInvalid.
func problemsOf(t *testing.T, err error) []registry.Problem {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *registry.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *registry.ValidationError", err, err)
	}
	if !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = false, want true", err)
	}
	if len(ve.Problems) == 0 {
		t.Errorf("ValidationError with no problems: %v", err)
	}
	for _, p := range ve.Problems {
		if p.Field == "" || p.Problem == "" {
			t.Errorf("problem %+v has an empty field or text", p)
		}
	}
	return ve.Problems
}

// fieldsOf returns the sorted field paths of a validation error.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var fields []string
	for _, p := range problemsOf(t, err) {
		fields = append(fields, p.Field)
	}
	slices.Sort(fields)
	return fields
}

func TestBaseFirmIsValid(t *testing.T) {
	f := baseFirm()
	if err := f.Validate(today); err != nil {
		t.Fatalf("Validate(base) = %v, want nil", err)
	}
	if err := f.ValidateProfile(today); err != nil {
		t.Fatalf("ValidateProfile(base) = %v, want nil", err)
	}
}

func TestValidate(t *testing.T) {
	long := strings.Repeat("企", 201)
	tests := []struct {
		name   string
		mutate func(f *registry.Firm)
		want   []string // fields reported by Validate
		// profile is what ValidateProfile reports when it differs from want
		// (only for the uscc and name "required" rules).
		profile []string
		same    bool // ValidateProfile reports the same as Validate
	}{
		// Identity.
		{name: "missing uscc", mutate: func(f *registry.Firm) { f.USCC = "" }, want: []string{"uscc"}, profile: nil},
		{name: "missing name", mutate: func(f *registry.Firm) { f.Name = "" }, want: []string{"name"}, profile: nil},
		{name: "blank name", mutate: func(f *registry.Firm) { f.Name = "   " }, want: []string{"name"}, profile: nil},
		{name: "missing both", mutate: func(f *registry.Firm) { f.USCC, f.Name = "", "" }, want: []string{"name", "uscc"}, profile: nil},
		{name: "bad uscc check", mutate: func(f *registry.Firm) { f.USCC = "91350100M000100Y44" }, want: []string{"uscc"}, same: true},
		{name: "bad uscc letter", mutate: func(f *registry.Firm) { f.USCC = "91350100M000100YO3" }, want: []string{"uscc"}, same: true},
		{name: "short uscc", mutate: func(f *registry.Firm) { f.USCC = "91350100M000100Y4" }, want: []string{"uscc"}, same: true},
		{name: "name invalid UTF-8", mutate: func(f *registry.Firm) { f.Name = "怀化\xff科技" }, want: []string{"name"}, same: true},
		{name: "name NUL", mutate: func(f *registry.Firm) { f.Name = "怀化\x00科技" }, want: []string{"name"}, same: true},
		{name: "name newline", mutate: func(f *registry.Firm) { f.Name = "怀化\n科技" }, want: []string{"name"}, same: true},
		{name: "name DEL", mutate: func(f *registry.Firm) { f.Name = "怀化\x7f科技" }, want: []string{"name"}, same: true},
		{name: "name C1 control", mutate: func(f *registry.Firm) { f.Name = "怀化\u0085科技" }, want: []string{"name"}, same: true},
		{name: "name replacement char", mutate: func(f *registry.Firm) { f.Name = "怀化\ufffd科技" }, want: []string{"name"}, same: true},
		{name: "name too long", mutate: func(f *registry.Firm) { f.Name = long }, want: []string{"name"}, same: true},
		{name: "name at limit", mutate: func(f *registry.Firm) { f.Name = long[len("企"):] }, want: nil, same: true},
		{name: "chain control", mutate: func(f *registry.Firm) { f.Chain = "机械\t装备" }, want: []string{"chain"}, same: true},
		{name: "region 5 digits", mutate: func(f *registry.Firm) { f.RegionCode = "43120" }, want: []string{"region_code"}, same: true},
		{name: "region letters", mutate: func(f *registry.Firm) { f.RegionCode = "43120A" }, want: []string{"region_code"}, same: true},
		{name: "region trailing newline", mutate: func(f *registry.Firm) { f.RegionCode = "431202\n" }, want: []string{"region_code"}, same: true},
		{name: "region bad province", mutate: func(f *registry.Firm) { f.RegionCode = "991202" }, want: []string{"region_code"}, same: true},
		{name: "region national prefix", mutate: func(f *registry.Firm) { f.RegionCode = "100000" }, want: []string{"region_code"}, same: true},
		{name: "industry lower case", mutate: func(f *registry.Firm) { f.IndustryCode = "c3562" }, want: []string{"industry_code"}, same: true},
		{name: "industry too long", mutate: func(f *registry.Firm) { f.IndustryCode = "C35621" }, want: []string{"industry_code"}, same: true},
		{name: "industry bad section", mutate: func(f *registry.Firm) { f.IndustryCode = "U35" }, want: []string{"industry_code"}, same: true},
		{name: "industry one digit", mutate: func(f *registry.Firm) { f.IndustryCode = "C3" }, want: []string{"industry_code"}, same: true},
		{name: "industry section only", mutate: func(f *registry.Firm) { f.IndustryCode = "C" }, want: nil, same: true},
		{name: "industry division", mutate: func(f *registry.Firm) { f.IndustryCode = "C35" }, want: nil, same: true},
		{name: "industry group", mutate: func(f *registry.Firm) { f.IndustryCode = "I651" }, want: nil, same: true},

		// Dates.
		{name: "established format", mutate: func(f *registry.Firm) { f.Established = "2015-3-1" }, want: []string{"established"}, same: true},
		{name: "established slashes", mutate: func(f *registry.Firm) { f.Established = "2015/03/01" }, want: []string{"established"}, same: true},
		{name: "established with time", mutate: func(f *registry.Firm) { f.Established = "2015-03-01T00:00:00Z" }, want: []string{"established"}, same: true},
		{name: "established Feb 30", mutate: func(f *registry.Firm) { f.Established = "2025-02-30" }, want: []string{"established"}, same: true},
		{name: "established Feb 29 non-leap", mutate: func(f *registry.Firm) { f.Established = "2023-02-29" }, want: []string{"established"}, same: true},
		{name: "established Feb 29 leap", mutate: func(f *registry.Firm) { f.Established = "2024-02-29" }, want: nil, same: true},
		{name: "established year 1899", mutate: func(f *registry.Firm) { f.Established = "1899-12-31" }, want: []string{"established"}, same: true},
		{name: "established year 1900", mutate: func(f *registry.Firm) { f.Established = "1900-01-01" }, want: nil, same: true},
		{name: "established year 2101", mutate: func(f *registry.Firm) { f.Established = "2101-01-01" }, want: []string{"established"}, same: true},
		{name: "established tomorrow", mutate: func(f *registry.Firm) { f.Established = "2026-07-01" }, want: []string{"established"}, same: true},
		{name: "established today", mutate: func(f *registry.Firm) { f.Established = "2026-06-30" }, want: nil, same: true},
		{name: "niche since", mutate: func(f *registry.Firm) { f.Niche.Since = "2016-01" }, want: []string{"niche.since"}, same: true},
		{name: "honor issued", mutate: func(f *registry.Firm) { f.Honors[0].Issued = "2024-13-01" }, want: []string{"honors[0].issued"}, same: true},
		{name: "honor expires", mutate: func(f *registry.Firm) { f.Honors[0].Expires = "2027-11-31" }, want: []string{"honors[0].expires"}, same: true},
		{name: "honor expires before issued", mutate: func(f *registry.Firm) { f.Honors[0].Expires = "2024-11-30" }, want: []string{"honors[0].expires"}, same: true},
		{name: "honor expires on issue day", mutate: func(f *registry.Firm) { f.Honors[0].Expires = "2024-12-01" }, want: nil, same: true},
		{name: "incident date", mutate: func(f *registry.Firm) { f.Compliance.Incidents[0].Date = "2023-07-00" }, want: []string{"compliance.incidents[0].date"}, same: true},
		{name: "incident no date", mutate: func(f *registry.Firm) { f.Compliance.Incidents[0].Date = "" }, want: []string{"compliance.incidents[0].date"}, same: true},
		{name: "incident no kind", mutate: func(f *registry.Firm) { f.Compliance.Incidents[0].Kind = "" }, want: []string{"compliance.incidents[0].kind"}, same: true},
		{name: "incident long kind", mutate: func(f *registry.Firm) { f.Compliance.Incidents[0].Kind = strings.Repeat("x", 41) }, want: []string{"compliance.incidents[0].kind"}, same: true},

		// Niche.
		{name: "share above 1", mutate: func(f *registry.Firm) { f.Niche.Share = ptr(1.2) }, want: []string{"niche.share"}, same: true},
		{name: "share as percent", mutate: func(f *registry.Firm) { f.Niche.Share = ptr(12.0) }, want: []string{"niche.share"}, same: true},
		{name: "share negative", mutate: func(f *registry.Firm) { f.Niche.Share = ptr(-0.01) }, want: []string{"niche.share"}, same: true},
		{name: "share NaN", mutate: func(f *registry.Firm) { f.Niche.Share = ptr(math.NaN()) }, want: []string{"niche.share"}, same: true},
		{name: "share 1", mutate: func(f *registry.Firm) { f.Niche.Share = ptr(1.0) }, want: nil, same: true},
		{name: "share 0", mutate: func(f *registry.Firm) { f.Niche.Share = ptr(0.0) }, want: nil, same: true},
		{name: "domestic rank negative", mutate: func(f *registry.Firm) { f.Niche.DomesticRank = ptr(-1) }, want: []string{"niche.domestic_rank"}, same: true},
		{name: "global rank negative", mutate: func(f *registry.Firm) { f.Niche.GlobalRank = ptr(-1) }, want: []string{"niche.global_rank"}, same: true},
		{name: "years in field negative", mutate: func(f *registry.Firm) { f.Niche.YearsInField = ptr(-1) }, want: []string{"niche.years_in_field"}, same: true},
		{name: "years in field too many", mutate: func(f *registry.Firm) { f.Niche.YearsInField = ptr(201) }, want: []string{"niche.years_in_field"}, same: true},
		{name: "market too long", mutate: func(f *registry.Firm) { f.Niche.Market = long }, want: []string{"niche.market"}, same: true},

		// Fiscal years.
		{name: "tech staff above employees", mutate: func(f *registry.Firm) { f.Years[1].TechStaff = ptr[int64](121) }, want: []string{"years[1].tech_staff"}, same: true},
		{name: "tech staff equals employees", mutate: func(f *registry.Firm) { f.Years[1].TechStaff = ptr[int64](120) }, want: nil, same: true},
		{name: "rd staff above employees", mutate: func(f *registry.Firm) { f.Years[0].RDStaff = ptr[int64](111) }, want: []string{"years[0].rd_staff"}, same: true},
		{name: "main revenue above revenue", mutate: func(f *registry.Firm) { f.Years[1].MainRevenue = ptr[int64](56000001) }, want: []string{"years[1].main_revenue"}, same: true},
		{name: "main revenue equals revenue", mutate: func(f *registry.Firm) { f.Years[1].MainRevenue = ptr[int64](56000000) }, want: nil, same: true},
		{name: "high tech revenue above revenue", mutate: func(f *registry.Firm) { f.Years[1].HighTechRevenue = ptr[int64](60000000) }, want: []string{"years[1].high_tech_revenue"}, same: true},
		{name: "domestic rd above rd", mutate: func(f *registry.Firm) { f.Years[1].DomesticRDExpense = ptr[int64](3000001) }, want: []string{"years[1].domestic_rd_expense"}, same: true},
		{name: "consistency needs both values", mutate: func(f *registry.Firm) {
			f.Years[1].Employees = nil
			f.Years[1].Revenue = nil
			f.Years[1].RDExpense = nil
		}, want: nil, same: true},
		{name: "duplicate year", mutate: func(f *registry.Firm) { f.Years[1].Year = 2024 }, want: []string{"years[1].year"}, same: true},
		{name: "future year", mutate: func(f *registry.Firm) { f.Years[1].Year = 2027 }, want: []string{"years[1].year"}, same: true},
		{name: "current year", mutate: func(f *registry.Firm) { f.Years[1].Year = 2026 }, want: nil, same: true},
		{name: "year 0", mutate: func(f *registry.Firm) { f.Years[1].Year = 0 }, want: []string{"years[1].year"}, same: true},
		{name: "two years 0", mutate: func(f *registry.Firm) { f.Years[0].Year, f.Years[1].Year = 0, 0 }, want: []string{"years[0].year", "years[1].year"}, same: true},
		{name: "year 1899", mutate: func(f *registry.Firm) { f.Years[0].Year = 1899 }, want: []string{"years[0].year"}, same: true},
		{name: "year negative", mutate: func(f *registry.Firm) { f.Years[0].Year = -2025 }, want: []string{"years[0].year"}, same: true},
		{name: "srdi above 100", mutate: func(f *registry.Firm) { f.Years[1].SRDIScore = ptr(100.5) }, want: []string{"years[1].srdi_score"}, same: true},
		{name: "srdi negative", mutate: func(f *registry.Firm) { f.Years[1].SRDIScore = ptr(-1.0) }, want: []string{"years[1].srdi_score"}, same: true},
		{name: "srdi NaN", mutate: func(f *registry.Firm) { f.Years[1].SRDIScore = ptr(math.NaN()) }, want: []string{"years[1].srdi_score"}, same: true},
		{name: "srdi infinite", mutate: func(f *registry.Firm) { f.Years[1].SRDIScore = ptr(math.Inf(1)) }, want: []string{"years[1].srdi_score"}, same: true},
		{name: "srdi 100", mutate: func(f *registry.Firm) { f.Years[1].SRDIScore = ptr(100.0) }, want: nil, same: true},
		{name: "digital level 5", mutate: func(f *registry.Firm) { f.Years[1].DigitalLevel = ptr(5) }, want: []string{"years[1].digital_level"}, same: true},
		{name: "digital level -1", mutate: func(f *registry.Firm) { f.Years[1].DigitalLevel = ptr(-1) }, want: []string{"years[1].digital_level"}, same: true},
		{name: "digital level 4", mutate: func(f *registry.Firm) { f.Years[1].DigitalLevel = ptr(4) }, want: nil, same: true},
		{name: "net profit negative", mutate: func(f *registry.Firm) { f.Years[1].NetProfit = ptr[int64](-3000000) }, want: nil, same: true},
		{
			name:   "too many years",
			mutate: func(f *registry.Firm) { f.Years = manyYears(51) },
			want:   []string{"years"}, same: true,
		},
		{name: "50 years", mutate: func(f *registry.Firm) { f.Years = manyYears(50) }, want: nil, same: true},

		// Intellectual property.
		{name: "high value above class1", mutate: func(f *registry.Firm) { f.IP.Class1HighValue = ptr(4) }, want: []string{"ip.class1_high_value"}, same: true},
		{name: "self developed above class1", mutate: func(f *registry.Firm) { f.IP.Class1SelfDeveloped = ptr(4) }, want: []string{"ip.class1_self_developed"}, same: true},
		{name: "class2 negative", mutate: func(f *registry.Firm) { f.IP.Class2 = ptr(-1) }, want: []string{"ip.class2"}, same: true},
		{name: "class1 negative", mutate: func(f *registry.Firm) { f.IP.Class1 = ptr(-1) }, want: []string{"ip.class1"}, same: true},

		// Honors.
		{name: "unknown level", mutate: func(f *registry.Firm) { f.Honors[1].Level = "province" }, want: []string{"honors[1].level"}, same: true},
		{name: "level in Chinese", mutate: func(f *registry.Firm) { f.Honors[1].Level = "省级" }, want: []string{"honors[1].level"}, same: true},
		{name: "international level", mutate: func(f *registry.Firm) { f.Honors[3].Level = "international" }, want: nil, same: true},
		{name: "no level", mutate: func(f *registry.Firm) { f.Honors[3].Level = "" }, want: nil, same: true},
		{name: "kind upper case", mutate: func(f *registry.Firm) { f.Honors[0].Kind = "HNTE" }, want: []string{"honors[0].kind"}, same: true},
		{name: "kind in Chinese", mutate: func(f *registry.Firm) { f.Honors[0].Kind = "高新技术企业" }, want: []string{"honors[0].kind"}, same: true},
		{name: "kind with dash", mutate: func(f *registry.Firm) { f.Honors[0].Kind = "little-giant" }, want: []string{"honors[0].kind"}, same: true},
		{name: "kind too long", mutate: func(f *registry.Firm) { f.Honors[0].Kind = "a" + strings.Repeat("b", 40) }, want: []string{"honors[0].kind"}, same: true},
		{name: "kind missing", mutate: func(f *registry.Firm) { f.Honors[2].Kind = "" }, want: []string{"honors[2].kind"}, same: true},
		{name: "kind extension", mutate: func(f *registry.Firm) { f.Honors[2].Kind = "green_factory" }, want: nil, same: true},
		{name: "rank 0", mutate: func(f *registry.Firm) { f.Honors[1].Rank = ptr(0) }, want: []string{"honors[1].rank"}, same: true},
		{name: "number too long", mutate: func(f *registry.Firm) { f.Honors[0].Number = strings.Repeat("9", 65) }, want: []string{"honors[0].number"}, same: true},
		{
			name:   "too many honors",
			mutate: func(f *registry.Firm) { f.Honors = slices.Repeat([]registry.Honor{{Kind: "qms_cert"}}, 201) },
			want:   []string{"honors"}, same: true,
		},
		{
			name: "too many incidents",
			mutate: func(f *registry.Firm) {
				f.Compliance.Incidents = slices.Repeat([]registry.Incident{{Date: "2023-07-01", Kind: "safety"}}, 201)
			},
			want: []string{"compliance.incidents"}, same: true,
		},

		// Absent is not invalid.
		{name: "empty profile parts", mutate: func(f *registry.Firm) {
			f.Niche, f.IP, f.Compliance, f.Years, f.Honors = nil, nil, nil, nil, nil
			f.RegionCode, f.IndustryCode, f.Chain, f.Established = "", "", "", ""
		}, want: nil, same: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := baseFirm()
			tt.mutate(&f)
			if diff := cmp.Diff(tt.want, fieldsOf(t, f.Validate(today))); diff != "" {
				t.Errorf("Validate fields mismatch (-want +got):\n%s", diff)
			}
			wantProfile := tt.profile
			if tt.same {
				wantProfile = tt.want
			}
			if diff := cmp.Diff(wantProfile, fieldsOf(t, f.ValidateProfile(today))); diff != "" {
				t.Errorf("ValidateProfile fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// manyYears returns n valid, distinct fiscal years ending at 2025.
func manyYears(n int) []registry.Year {
	ys := make([]registry.Year, n)
	for i := range ys {
		ys[i] = registry.Year{Year: 2025 - i, Employees: ptr[int64](10)}
	}
	return ys
}

// TestValidateNegativeAmounts sets each amount of a fiscal year negative in
// turn. net_profit is the one amount that may be negative.
func TestValidateNegativeAmounts(t *testing.T) {
	fields := []struct {
		name string
		at   func(y *registry.Year) **int64
	}{
		{"employees", func(y *registry.Year) **int64 { return &y.Employees }},
		{"tech_staff", func(y *registry.Year) **int64 { return &y.TechStaff }},
		{"rd_staff", func(y *registry.Year) **int64 { return &y.RDStaff }},
		{"revenue", func(y *registry.Year) **int64 { return &y.Revenue }},
		{"main_revenue", func(y *registry.Year) **int64 { return &y.MainRevenue }},
		{"high_tech_revenue", func(y *registry.Year) **int64 { return &y.HighTechRevenue }},
		{"total_cost", func(y *registry.Year) **int64 { return &y.TotalCost }},
		{"rd_expense", func(y *registry.Year) **int64 { return &y.RDExpense }},
		{"domestic_rd_expense", func(y *registry.Year) **int64 { return &y.DomesticRDExpense }},
		{"total_assets", func(y *registry.Year) **int64 { return &y.TotalAssets }},
		{"total_liabilities", func(y *registry.Year) **int64 { return &y.TotalLiabilities }},
		{"equity_financing", func(y *registry.Year) **int64 { return &y.EquityFinancing }},
		{"tech_contract_turnover", func(y *registry.Year) **int64 { return &y.TechContractTurnover }},
		{"net_profit", func(y *registry.Year) **int64 { return &y.NetProfit }},
	}
	for _, fd := range fields {
		t.Run(fd.name, func(t *testing.T) {
			// A year holding only this one field, so that no consistency
			// rule fires alongside the sign rule.
			f := baseFirm()
			f.Years[1] = registry.Year{Year: 2025}
			*fd.at(&f.Years[1]) = ptr[int64](-1)
			var want []string
			if fd.name != "net_profit" {
				want = []string{"years[1]." + fd.name}
			}
			if diff := cmp.Diff(want, fieldsOf(t, f.Validate(today))); diff != "" {
				t.Errorf("Validate fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidateAllProblemsAtOnce breaks several rules in one firm and expects
// every one of them reported in a single error.
func TestValidateAllProblemsAtOnce(t *testing.T) {
	f := baseFirm()
	f.USCC = "91350100M000100Y44"
	f.Name = ""
	f.RegionCode = "4312"
	f.Established = "2025-02-30"
	f.Niche.Share = ptr(12.0)
	f.Years[0].Year = 2025 // duplicates years[1]
	f.Years[1].TechStaff = ptr[int64](200)
	f.Years[1].Revenue = ptr[int64](-1)
	f.Years[1].DigitalLevel = ptr(5)
	f.IP.Class1HighValue = ptr(9)
	f.Honors[0].Expires = "2020-01-01"
	f.Honors[1].Level = "province"
	f.Compliance.Incidents[0].Kind = ""

	err := f.Validate(today)
	want := []string{
		"compliance.incidents[0].kind",
		"established",
		"honors[0].expires",
		"honors[1].level",
		"ip.class1_high_value",
		"name",
		"niche.share",
		"region_code",
		"uscc",
		"years[1].digital_level",
		"years[1].revenue",
		"years[1].tech_staff",
		"years[1].year",
	}
	if diff := cmp.Diff(want, fieldsOf(t, err)); diff != "" {
		t.Errorf("Validate fields mismatch (-want +got):\n%s", diff)
	}
	// The message lists every problem, in the order found.
	msg := err.Error()
	if !strings.HasPrefix(msg, "invalid input: name: ") || strings.Count(msg, "; ") != len(want)-1 {
		t.Errorf("Error() = %q, want \"invalid input: name: …\" with %d problems joined by \"; \"", msg, len(want))
	}
}

// TestValidateMessages pins the exact text of a few problems clerks see.
func TestValidateMessages(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *registry.Firm)
		want   []registry.Problem
	}{
		{
			name:   "duplicate year names the other entry",
			mutate: func(f *registry.Firm) { f.Years[1].Year = 2024 },
			want: []registry.Problem{{
				Field:   "years[1].year",
				Problem: "年度2024重复（与 years[0] 相同） (duplicate year 2024 (also years[0]))",
			}},
		},
		{
			name:   "tech staff",
			mutate: func(f *registry.Firm) { f.Years[1].TechStaff = ptr[int64](130) },
			want: []registry.Problem{{
				Field:   "years[1].tech_staff",
				Problem: "科技人员数（130）不能大于职工总数（120） (tech_staff (130) must not exceed employees (120))",
			}},
		},
		{
			name:   "domestic rd expense",
			mutate: func(f *registry.Firm) { f.Years[1].DomesticRDExpense = ptr[int64](3100000) },
			want: []registry.Problem{{
				Field:   "years[1].domestic_rd_expense",
				Problem: "境内研发费用（3100000）不能大于研发费用总额（3000000） (domestic_rd_expense (3100000) must not exceed rd_expense (3000000))",
			}},
		},
		{
			name:   "future year",
			mutate: func(f *registry.Firm) { f.Years[0].Year = 2030 },
			want: []registry.Problem{{
				Field:   "years[0].year",
				Problem: "年度2030是未来年份 (year 2030 is in the future)",
			}},
		},
		{
			name:   "bad date",
			mutate: func(f *registry.Firm) { f.Established = "2025-02-30" },
			want: []registry.Problem{{
				Field:   "established",
				Problem: "日期“2025-02-30”格式应为 YYYY-MM-DD 且为有效日期 (date \"2025-02-30\" must be a valid YYYY-MM-DD date)",
			}},
		},
		{
			name:   "expires before issued",
			mutate: func(f *registry.Firm) { f.Honors[0].Expires = "2024-01-01" },
			want: []registry.Problem{{
				Field:   "honors[0].expires",
				Problem: "有效期截止日不能早于发证日期 (expires must not be before issued)",
			}},
		},
		{
			name:   "unknown level lists every level in both languages",
			mutate: func(f *registry.Firm) { f.Honors[1].Level = "province" },
			want: []registry.Problem{{
				Field: "honors[1].level",
				Problem: "级别“province”无效，应为 national、provincial、city、county、international、industry 之一" +
					" (unknown level \"province\" (national, provincial, city, county, international, industry))",
			}},
		},
		{
			name:   "negative total is reported once",
			mutate: func(f *registry.Firm) { f.Years[1].Revenue = ptr[int64](-1) },
			want: []registry.Problem{{
				Field:   "years[1].revenue",
				Problem: "不能为负数 (must not be negative)",
			}},
		},
		{
			name:   "required",
			mutate: func(f *registry.Firm) { f.USCC = ""; f.Name = "" },
			want: []registry.Problem{
				{Field: "uscc", Problem: "统一社会信用代码必填 (required)"},
				{Field: "name", Problem: "企业名称必填 (required)"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := baseFirm()
			tt.mutate(&f)
			if diff := cmp.Diff(tt.want, problemsOf(t, f.Validate(today))); diff != "" {
				t.Errorf("Validate problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidateDuplicateYearsThreeTimes: each repeat names an earlier entry
// with the same year, and the first occurrence is not blamed.
func TestValidateDuplicateYearsThreeTimes(t *testing.T) {
	f := baseFirm()
	f.Years = []registry.Year{{Year: 2025}, {Year: 2024}, {Year: 2025}, {Year: 2025}}
	got := problemsOf(t, f.Validate(today))
	want := []registry.Problem{
		{Field: "years[2].year", Problem: "年度2025重复（与 years[0] 相同） (duplicate year 2025 (also years[0]))"},
		{Field: "years[3].year", Problem: "年度2025重复（与 years[2] 相同） (duplicate year 2025 (also years[2]))"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Validate problems mismatch (-want +got):\n%s", diff)
	}
}

// TestValidateDoesNotMutate: validation is a pure check; normalizing is
// Normalize's job.
func TestValidateDoesNotMutate(t *testing.T) {
	f := baseFirm()
	f.USCC = "91350100m000100y43"
	f.Years[0], f.Years[1] = f.Years[1], f.Years[0]
	before := baseFirm()
	before.USCC = f.USCC
	before.Years[0], before.Years[1] = before.Years[1], before.Years[0]
	_ = f.Validate(today)
	_ = f.ValidateProfile(today)
	if diff := cmp.Diff(before, f); diff != "" {
		t.Errorf("Validate changed the firm (-before +after):\n%s", diff)
	}
}

// TestNormalizeThenValidate is the store's order: a lower-case USCC with
// spaces is accepted once normalized.
func TestNormalizeThenValidate(t *testing.T) {
	f := baseFirm()
	f.USCC = " 91350100m000100y43 "
	if diff := cmp.Diff([]string{"uscc"}, fieldsOf(t, f.Validate(today))); diff != "" {
		t.Errorf("Validate before Normalize (-want +got):\n%s", diff)
	}
	f.Normalize()
	if err := f.Validate(today); err != nil {
		t.Errorf("Validate after Normalize = %v, want nil", err)
	}
}

// TestValidateTodayIsADate: "today" is a calendar day in the caller's time
// zone, whatever the time of day. The store passes time.Now(); a clerk in
// Huaihua (UTC+8) entering a firm established today at 07:00 must not be told
// the date is in the future.
func TestValidateTodayIsADate(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	for _, now := range []time.Time{
		time.Date(2026, 6, 30, 0, 0, 0, 0, cst),
		time.Date(2026, 6, 30, 7, 0, 0, 0, cst),
		time.Date(2026, 6, 30, 23, 59, 59, 0, cst),
		time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC),
	} {
		f := baseFirm()
		f.Established = "2026-06-30"
		if err := f.Validate(now); err != nil {
			t.Errorf("Validate(%v) with established today = %v, want nil", now, err)
		}
		f.Established = "2026-07-01"
		if diff := cmp.Diff([]string{"established"}, fieldsOf(t, f.Validate(now))); diff != "" {
			t.Errorf("Validate(%v) with established tomorrow (-want +got):\n%s", now, diff)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-06-30", time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), true},
		{"2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"1900-01-01", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"2100-12-31", time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC), true},
		{"", time.Time{}, false},
		{"2025-02-30", time.Time{}, false},
		{"2025-04-31", time.Time{}, false},
		{"2025-00-10", time.Time{}, false},
		{"2025-6-30", time.Time{}, false},
		{"25-06-30", time.Time{}, false},
		{"2026-06-30 ", time.Time{}, false},
		{" 2026-06-30", time.Time{}, false},
		{"2026-06-30T00:00:00Z", time.Time{}, false},
		{"20260630", time.Time{}, false},
		{"1899-12-31", time.Time{}, false},
		{"2101-01-01", time.Time{}, false},
		{"0000-01-01", time.Time{}, false},
		{"２０２６-06-30", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := registry.ParseDate(tt.in)
		if (err == nil) != tt.ok || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %v, %v, want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestValidationError(t *testing.T) {
	err := registry.Invalid("uscc", "统一社会信用代码必填", "required")
	if got, want := err.Error(), "invalid input: uscc: 统一社会信用代码必填 (required)"; got != want {
		t.Errorf("Invalid(...).Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("errors.Is(Invalid(...), ErrInvalid) = false, want true")
	}
	for _, other := range []error{registry.ErrNotFound, registry.ErrConflict, registry.ErrUnavailable} {
		if errors.Is(err, other) {
			t.Errorf("errors.Is(Invalid(...), %v) = true, want false", other)
		}
	}
	wrapped := errors.Join(errors.New("create firm"), err)
	var ve *registry.ValidationError
	if !errors.Is(wrapped, registry.ErrInvalid) || !errors.As(wrapped, &ve) {
		t.Errorf("wrapped ValidationError does not match ErrInvalid / *ValidationError")
	}
	// An English part may be empty: no empty parentheses.
	if got, want := registry.Invalid("name", "必填", "").Error(), "invalid input: name: 必填"; got != want {
		t.Errorf("Invalid(name, 必填, \"\").Error() = %q, want %q", got, want)
	}
}
