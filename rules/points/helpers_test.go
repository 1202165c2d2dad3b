package points_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/points"
)

// TestMain shares one embedded database server among the package's tests
// (only screen_test.go uses it).
func TestMain(m *testing.M) { storetest.Main(m) }

// asOf is the evaluation date of every test: the previous fiscal year (上年度)
// is 2025, the year before it 2024.
var (
	asOf    = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	builtAt = time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
)

const (
	asOfDay = "2026-06-30"
	key     = "innovation-points@2024"
	county  = "431202" // 鹤城区, 怀化市, 湖南省
)

var regionNames = map[string]string{
	"431202": "鹤城区", "431221": "中方县", "431200": "怀化市",
	"430102": "芙蓉区", "430100": "长沙市", "430000": "湖南省",
}

func names(code string) string { return regionNames[code] }

func program() *points.Program { return points.New(points.Default(), names) }

func uscc(serial int) string {
	body := fmt.Sprintf("91431202MA%07d", serial)
	c, _ := registry.USCCCheckChar(body)
	return body + string(c)
}

func i64(v int64) *int64 { return &v }
func iptr(v int) *int    { return &v }
func bptr(v bool) *bool  { return &v }

// firm returns a firm every indicator of which is known. Across firms built
// with the same revenue only the R&D expense differs: every other indicator
// ties, so it ranks at the 100th percentile (ties share the higher rank),
// and the three tiered indicators score 0 (no honors). The revenue of 2024
// is 4/5 of 2025's, a growth of 25% for every firm. The compliance record
// is clean.
func firm(serial int, region string, revenue, rd int64) registry.Firm {
	return registry.Firm{
		USCC: uscc(serial), Name: fmt.Sprintf("测试企业%d", serial), RegionCode: region, IndustryCode: "C3562",
		Years: []registry.Year{
			{Year: 2024, Revenue: i64(revenue * 4 / 5)},
			{Year: 2025, Revenue: i64(revenue), RDExpense: i64(rd), Employees: i64(100), TechStaff: i64(20),
				NetProfit: i64(1_000_000), HighTechRevenue: i64(revenue / 2), EquityFinancing: i64(2_000_000),
				TechContractTurnover: i64(500_000)},
		},
		IP:         &registry.IP{Class1: iptr(5)},
		Compliance: &registry.Compliance{SeriousDishonesty: bptr(false), AbnormalList: bptr(false)},
	}
}

// growthRevenue puts a firm in the 成长期 (¥5,000,000 to below ¥200,000,000).
const growthRevenue = 10_000_000

// cohort returns n 成长期 firms of region with serials from+1..from+n, firm
// i having an R&D expense of i × ¥100,000 (R&D intensity i%): distinct
// values, so firm i is at percentile i/n of both R&D indicators.
func cohort(from, n int, region string) []registry.Firm {
	out := make([]registry.Firm, n)
	for i := range out {
		out[i] = firm(from+i+1, region, growthRevenue, int64(i+1)*100_000)
	}
	return out
}

// growthTotal is the points, by finance.md §5.1, of a 成长期 firm made by
// firm whose two R&D indicators are at percentile p and every other
// ranked indicator at the top: 1000 × (0.55 × (2p + 4)/6 [技术创新, 6
// indicators] + 0.35 × 4/4 [成长经营, 4 indicators] + 0.10 × 1/5 [辅助: equity
// financing at the top, the four tiered items 0]).
func growthTotal(p float64) float64 {
	return 1000 * (0.55*(2*p+4)/6 + 0.35 + 0.10/5)
}

// build runs pass 1 over firms.
func build(m *points.Model, scope string, firms []registry.Firm) []registry.CohortDistribution {
	b := m.NewBuilder(asOf, scope)
	for i := range firms {
		b.Add(&firms[i])
	}
	return b.Build("test", builtAt)
}

// evaluate runs pass 2 for f against src.
func evaluate(t *testing.T, p *points.Program, f registry.Firm, src points.Source, opt points.Options) (rules.Result, *registry.CohortDistribution) {
	t.Helper()
	r, used, err := p.Evaluate(context.Background(), &f, asOf, src, opt)
	if err != nil {
		t.Fatalf("Evaluate(%s) error = %v, want nil", f.Name, err)
	}
	return r, used
}

// crit returns the criterion id of r.
func crit(t *testing.T, r rules.Result, id string) rules.CriterionResult {
	t.Helper()
	for _, c := range r.Criteria {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("result has no criterion %q", id)
	return rules.CriterionResult{}
}

func near(got, want float64) bool { return math.Abs(got-want) < 0.005+1e-9*math.Abs(want) }

func deref(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func checkContains(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s = %q, want it to contain %q", what, got, want)
	}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
