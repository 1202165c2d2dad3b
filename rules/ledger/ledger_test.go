package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/ledger"
)

// testPack is a title whose eligibility the tests control exactly: revenue
// and staff of the previous fiscal year, each one criterion, and a platform
// rating that is "review" when absent (so a firm without one is
// needs_review, as HNTE always is).
const testPack = `
id: test-title
edition: "1"
name: {zh: 测试称号, en: Test title}
effective: {from: "2000-01-01"}
basis: [测试]
honor: test_title
parameters:
  min_revenue: {value: 10000000, unit: yuan, source: engine-default, basis: 测试}
  min_employees: {value: 10, unit: people, source: engine-default, basis: 测试}
  min_rating: {value: 0, unit: points, source: engine-default, basis: 测试}
criteria:
  - id: revenue
    title: 上年度营业收入不低于1000万元
    kind: hard
    expr: revenue_prev >= min_revenue
    basis: 测试
  - id: employees
    title: 上年度职工不少于10人
    kind: hard
    expr: employees_prev >= min_employees
    basis: 测试
  - id: rated
    title: 已参加平台评价
    kind: hard
    expr: srdi_score_prev >= min_rating
    if_missing: review
    basis: 测试
`

// testEngine is the embedded packs (above-size among them) plus testPack.
func testEngine(t *testing.T) *rules.Engine {
	t.Helper()
	packs, err := rules.EmbeddedPacks()
	if err != nil {
		t.Fatal(err)
	}
	p, err := rules.ParsePack("test-title-1.yaml", []byte(testPack))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rules.New(append(packs, p))
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func ptr[T any](v T) *T { return &v }

// year is a fiscal year with the figures the tests read.
func year(y int, revenue, employees, rd int64, rated bool) registry.Year {
	fy := registry.Year{Year: y, Revenue: ptr(revenue), MainRevenue: ptr(revenue), Employees: ptr(employees), RDExpense: ptr(rd)}
	if rated {
		fy.SRDIScore = ptr(60.0)
	}
	return fy
}

func title(issued, expires string) registry.Honor {
	return registry.Honor{Kind: "test_title", Level: "provincial", Issued: issued, Expires: expires}
}

// firms is the hand-built registry of the tests, as of 2026-06-30.
func firms() []registry.Firm {
	return []registry.Firm{
		// A: eligible (rated), not holding; above size in 2025, not in 2024.
		{Name: "A", RegionCode: "431202", IndustryCode: "C3562", Chain: "竹业",
			Years: []registry.Year{year(2024, 15_000_000, 40, 2_000_000, true), year(2025, 50_000_000, 50, 3_000_000, true)}},
		// B: needs_review (no rating), not holding.
		{Name: "B", RegionCode: "431221", IndustryCode: "C3562",
			Years: []registry.Year{year(2025, 12_000_000, 20, 0, false)}},
		// C: one criterion short (revenue 800万 of 1000万): a near-miss.
		{Name: "C", RegionCode: "431202", IndustryCode: "C3562",
			Years: []registry.Year{year(2024, 8_000_000, 20, 1_000_000, true), year(2025, 8_000_000, 20, 1_000_000, true)}},
		// D: two criteria short, and not industrial: far off everything.
		{Name: "D", RegionCode: "431281", IndustryCode: "I6513",
			Years: []registry.Year{year(2025, 1_000_000, 2, 0, true)}},
		// E: holds the title since March 2026; above size both years.
		{Name: "E", RegionCode: "431202", IndustryCode: "C3562",
			Years:  []registry.Year{year(2024, 25_000_000, 30, 500_000, true), year(2025, 30_000_000, 30, 1_000_000, true)},
			Honors: []registry.Honor{title("2026-03-01", "2029-02-28")}},
		// F: held the title from 2024 until April 2025; far off now.
		{Name: "F", RegionCode: "431202", IndustryCode: "C3562",
			Years:  []registry.Year{year(2025, 4_000_000, 4, 0, true)},
			Honors: []registry.Honor{title("2024-05-01", "2025-04-30")}},
		// G: outside Huaihua (Changsha): counted nowhere.
		{Name: "G", RegionCode: "430102", IndustryCode: "C3562", Chain: "竹业",
			Years:  []registry.Year{year(2024, 50_000_000, 50, 9_000_000, true), year(2025, 100_000_000, 90, 9_000_000, true)},
			Honors: []registry.Honor{title("2026-01-10", "")}},
		// H: platforms only, no fiscal years (insufficient data elsewhere).
		{Name: "H", RegionCode: "431202", Honors: []registry.Honor{
			{Kind: "innovation_platform", Level: "city", Issued: "2024-03-01"},
			{Kind: "rd_institution", Level: "county", Issued: "2024-06-01"},
			{Kind: "innovation_platform", Level: "provincial", Issued: "2024-09-01"},
			{Kind: "innovation_platform", Level: "city", Issued: "2025-01-02"},
		}},
	}
}

func target(id, region string, y int, goal float64, cmp string, m registry.Metric) registry.Target {
	return registry.Target{ID: id, RegionCode: region, Year: y, Title: id, Metric: m, Goal: goal, Comparison: cmp,
		Source: registry.TargetSource{Document: "test", Quote: "test"}}
}

// row is what a test checks of a result.
type row struct {
	ID                 string
	AsOf               string
	DataYear           int
	Actual, Expected   *float64
	Pipeline, NearMiss *int
	OnTrack            *bool
	Status, Reason     string
}

func rowOf(p registry.TargetProgress) row {
	return row{p.ID, p.AsOf, p.DataYear, p.Actual, p.Expected, p.Pipeline, p.NearMiss, p.OnTrack, p.Status, p.Reason}
}

var today = time.Date(2026, 6, 30, 15, 4, 5, 0, time.UTC)

func TestLedger(t *testing.T) {
	title := []string{"test_title"}
	tests := []struct {
		target registry.Target
		want   row
	}{
		{
			// A and B are the pipeline (eligible, needs_review); C the
			// near-miss; E holds it. 1 + 2 reaches 3.
			target("stock", "431200", 2026, 3, registry.CompareAtLeast,
				registry.Metric{Kind: registry.MetricHonorCount, Honors: title, Program: "test-title"}),
			row{"stock", "2026-06-30", 0, ptr(1.0), nil, ptr(2), ptr(1), ptr(true), registry.TargetOnTrack,
				"实际1家，目标3家以上；储备2家符合条件、尚未认定，全部认定即可达到目标"},
		},
		{
			// 181 of 365 days: 4 × 0.4959 = 1.98 due, 1 issued, 1 + 2 < 4.
			target("flow", "431200", 2026, 4, registry.CompareAtLeast,
				registry.Metric{Kind: registry.MetricHonorNew, Honors: title, Program: "test-title"}),
			row{"flow", "2026-06-30", 0, ptr(1.0), ptr(1.98), ptr(2), ptr(1), ptr(false), registry.TargetBehind,
				"滞后于时序进度：全年已过49.6%，按时序进度应完成1.98家，实际1家，目标4家以上，差3家；储备2家符合条件、尚未认定"},
		},
		{
			// The same flow, "about 2": 1 reaches 90% of the 0.99 due.
			target("flow-about", "431200", 2026, 2, registry.CompareAbout,
				registry.Metric{Kind: registry.MetricApplications, Honors: title, Program: "test-title"}),
			row{"flow-about", "2026-06-30", 0, ptr(1.0), ptr(0.99), ptr(2), ptr(1), ptr(true), registry.TargetOnTrack,
				"达到时序进度：全年已过49.6%，按时序进度应完成0.99家，实际1家，目标2家左右"},
		},
		{
			// 2024 in the district: F's title, measured at the year's end,
			// when F still held it and nobody had 2023 figures.
			target("past", "431202", 2024, 1, registry.CompareAtLeast,
				registry.Metric{Kind: registry.MetricHonorNew, Honors: title, Program: "test-title"}),
			row{"past", "2024-12-31", 0, ptr(1.0), nil, ptr(0), ptr(0), ptr(true), registry.TargetMet,
				"已完成：实际1家，目标1家以上"},
		},
		{
			// Only E is both above size and a holder; A is the pipeline.
			target("above-size-holders", "431200", 2026, 1, registry.CompareAtLeast,
				registry.Metric{Kind: registry.MetricHonorCount, Honors: title, AboveSize: true, Program: "test-title"}),
			row{"above-size-holders", "2026-06-30", 2025, ptr(1.0), nil, ptr(1), ptr(0), ptr(true), registry.TargetMet,
				"已完成：规模以上按2025年度数据认定，实际1家，目标1家以上（2026年度数据尚未形成，按最近一个完整会计年度测算）"},
		},
		{
			// A crossed 2000万 in 2025; E was above size already. B, C and F
			// are industrial and one criterion short, but only B (1200万) is
			// within half of 2000万 (rules.NearMissGap); D is not industrial.
			target("new-above-size", "431200", 2026, 2, registry.CompareAtLeast,
				registry.Metric{Kind: registry.MetricAboveSizeNew}),
			row{"new-above-size", "2026-06-30", 2025, ptr(1.0), nil, nil, ptr(1), ptr(false), registry.TargetBehind,
				"未达到目标：按2025年度数据，实际1家，目标2家以上，差1家（2026年度数据尚未形成，按最近一个完整会计年度测算）"},
		},
		{
			// District R&D: A 3M + C 1M + E 1M = 5M against 2M + 1M + 0.5M.
			target("rd-growth", "431202", 2026, 10, registry.CompareAtLeast,
				registry.Metric{Kind: registry.MetricGrowth, Field: "rd_expense"}),
			row{"rd-growth", "2026-06-30", 2025, ptr(42.86), nil, nil, nil, ptr(true), registry.TargetMet,
				"已完成：按2025年度数据，实际42.86%，目标10%以上（2026年度数据尚未形成，按最近一个完整会计年度测算）"},
		},
		{
			// The chain's output: A alone (G is outside Huaihua).
			target("bamboo", "431200", 2026, 100_000_000, registry.CompareAtLeast,
				registry.Metric{Kind: registry.MetricAmount, Field: "revenue", Chain: "竹业"}),
			row{"bamboo", "2026-06-30", 2025, ptr(50_000_000.0), nil, nil, nil, ptr(false), registry.TargetBehind,
				"未达到目标：按2025年度数据，实际5000万元，目标1亿元以上，差5000万元（2026年度数据尚未形成，按最近一个完整会计年度测算）"},
		},
		{
			target("chain-firms", "431200", 2026, 1, registry.CompareAtLeast,
				registry.Metric{Kind: registry.MetricFirmCount, Chain: "竹业"}),
			row{"chain-firms", "2026-06-30", 0, ptr(1.0), nil, nil, nil, ptr(true), registry.TargetMet, "已完成：实际1家，目标1家以上"},
		},
		{
			target("chain-above-size", "431200", 2026, 1, registry.CompareAtLeast,
				registry.Metric{Kind: registry.MetricAboveSizeCount, Chain: "竹业"}),
			row{"chain-above-size", "2026-06-30", 2025, ptr(1.0), nil, nil, ptr(0), ptr(true), registry.TargetMet,
				"已完成：按2025年度数据，实际1家，目标1家以上（2026年度数据尚未形成，按最近一个完整会计年度测算）"},
		},
		{
			// Platforms issued in 2024 at city level or higher: two of H's
			// (the county one is too low, the 2025 one too late).
			target("platforms", "431202", 2024, 3, registry.CompareAtLeast,
				registry.Metric{Kind: registry.MetricHonorNew, Honors: []string{"innovation_platform", "rd_institution"},
					MinLevel: "city", CountHonors: true}),
			row{"platforms", "2024-12-31", 0, ptr(2.0), nil, nil, nil, ptr(false), registry.TargetMissed,
				"2024年度已结束，未完成：实际2个，目标3个以上，差1个"},
		},
		{
			// No firm in 靖州 at all: nothing to measure.
			target("no-data", "431229", 2026, 15, registry.CompareAbout,
				registry.Metric{Kind: registry.MetricGrowth, Field: "tech_contract_turnover"}),
			row{"no-data", "2026-06-30", 2025, nil, nil, nil, nil, nil, registry.TargetNoData,
				"无可比数据：库内企业缺少2024年度或2025年度的技术合同成交额（或上年合计为0）"},
		},
		{
			target("unknown-program", "431202", 2026, 1, registry.CompareAtLeast,
				registry.Metric{Kind: registry.MetricHonorCount, Honors: title, Program: "no-such"}),
			row{"unknown-program", "2026-06-30", 0, ptr(1.0), nil, nil, nil, ptr(true), registry.TargetMet,
				"已完成：实际1家，目标1家以上（规则引擎中没有评价项目“no-such”，相关数值未统计）"},
		},
	}
	var targets []registry.Target
	var want []row
	for _, tt := range tests {
		if err := tt.target.Validate(); err != nil {
			t.Fatalf("target %s: %v", tt.target.ID, err)
		}
		targets = append(targets, tt.target)
		want = append(want, tt.want)
	}
	l := ledger.New(testEngine(t), targets, today)
	if diff := cmp.Diff([]registry.FirmFilter{{RegionCode: "431200"}}, l.Filters()); diff != "" {
		t.Errorf("Filters mismatch (-want +got):\n%s", diff)
	}
	for _, f := range firms() {
		l.Add(&f)
	}
	var got []row
	for _, p := range l.Results() {
		got = append(got, rowOf(p))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Results mismatch (-want +got):\n%s", diff)
	}
}

// scanner serves firms as the store does: those a filter's region covers.
type scanner struct {
	firms   []registry.Firm
	filters []registry.FirmFilter
	err     error
}

func (s *scanner) ScanFirms(_ context.Context, ff registry.FirmFilter, fn func(*registry.Record) error) error {
	s.filters = append(s.filters, ff)
	if s.err != nil {
		return s.err
	}
	for i := range s.firms {
		if ff.RegionCode == "" || registry.RegionCovers(ff.RegionCode, s.firms[i].RegionCode) {
			if err := fn(&registry.Record{Firm: s.firms[i]}); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestComputeScansEachFirmOnce(t *testing.T) {
	targets := []registry.Target{
		target("district", "431202", 2026, 1, registry.CompareAtLeast, registry.Metric{Kind: registry.MetricFirmCount}),
		target("city", "431200", 2026, 1, registry.CompareAtLeast, registry.Metric{Kind: registry.MetricFirmCount}),
		target("other-county", "431281", 2026, 1, registry.CompareAtLeast, registry.Metric{Kind: registry.MetricFirmCount}),
		target("changsha", "430102", 2026, 1, registry.CompareAtLeast, registry.Metric{Kind: registry.MetricFirmCount}),
	}
	sc := &scanner{firms: firms()}
	got, err := ledger.Compute(context.Background(), testEngine(t), sc, targets, today)
	if err != nil {
		t.Fatal(err)
	}
	var counts []float64
	for _, p := range got {
		counts = append(counts, *p.Actual)
	}
	if diff := cmp.Diff([]float64{5, 7, 1, 1}, counts); diff != "" {
		t.Errorf("firm counts mismatch (-want +got):\n%s", diff)
	}
	// The city's scan includes its counties: two scans, not four.
	if diff := cmp.Diff([]registry.FirmFilter{{RegionCode: "430102"}, {RegionCode: "431200"}}, sc.filters); diff != "" {
		t.Errorf("scans mismatch (-want +got):\n%s", diff)
	}

	sc = &scanner{err: registry.ErrUnavailable}
	if _, err := ledger.Compute(context.Background(), testEngine(t), sc, targets, today); !errors.Is(err, registry.ErrUnavailable) {
		t.Errorf("Compute on a dead store = %v, want ErrUnavailable", err)
	}
}
