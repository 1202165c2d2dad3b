package seeds

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/peiyu/peiyu/registry"
)

// The demo data are a snapshot taken at the end of fiscal 2025: every date in
// a generated firm is on or before snapshotDate, so a firm validates for any
// "today" from 2026-01-01 on and the fiscal years are exactly those a rule
// evaluated in 2026 reads ("上年度" = 2025, "近2年" = 2024–2025, three years
// for HNTE and the champion average).
var (
	snapshotDate = ymd(2025, 12, 31)
	fiscalYears  = [3]int{2023, 2024, 2025}
)

// Generate returns n synthetic demo firms for seed. The result is fully
// determined by (n, seed), and firm i depends only on (seed, i): the firms of
// Generate(500, s) are the first 500 of Generate(1000, s). Different seeds give
// different populations with different USCCs. (The figures come from
// floating-point arithmetic, so they are reproducible on one architecture;
// another may in principle round a value differently.)
//
// The population mixes micro startups, small tech firms, traditional
// manufacturers, growing specialized firms, little-giant candidates,
// champion-like leaders and large non-SMEs with about a fifth of near misses
// built to fail exactly one criterion of one program, so that every program
// has clearly eligible firms, firms one criterion short and firms far off.
// Each firm has fiscal years 2023–2025 with every figure filled in (the
// platform score only where rated), and no date after 2025-12-31.
//
// Every firm passes (*registry.Firm).Validate for any today on or after
// 2026-01-01. Names start with 【演示】 and carry a serial, so they are unique
// and can never be mistaken for a real company; USCCs are valid under
// GB 32100 but their organization-code part (positions 9–17) deliberately
// fails the GB 11714 check, so no generated code belongs to a real
// organization.
//
// n ≤ 0 gives nil. Generate panics if n exceeds MaxFirms.
func Generate(n int, seed uint64) []registry.Firm {
	if n <= 0 {
		return nil
	}
	if n > MaxFirms {
		panic(fmt.Sprintf("seeds: Generate(%d): at most %d firms per seed", n, MaxFirms))
	}
	out := make([]registry.Firm, n)
	for i := range out {
		out[i], _ = firmAt(seed, i)
	}
	return out
}

// firmAt builds firm i of the population of seed and returns it with the
// label of its archetype (a near-miss label names the program and the one
// criterion the firm was built to miss).
func firmAt(seed uint64, i int) (registry.Firm, string) {
	if i < 0 || i >= MaxFirms {
		panic(fmt.Sprintf("seeds: firm index %d out of range", i))
	}
	g := newGen(seed, i)
	p := g.archetype()
	newGen(seed^ledgerSalt, i).ledgerHonors(&p)
	return g.build(&p), p.label
}

// gen draws the random choices of one firm. Each firm has its own PCG stream
// seeded from (seed, index) through splitmix64, so firms are independent of
// one another and of n.
type gen struct {
	r    *rand.Rand
	seed uint64
	i    int
}

func newGen(seed uint64, i int) *gen {
	// Neighbouring indexes must not give neighbouring PCG states, whose
	// streams would be correlated: hash both words.
	a := splitmix64(seed ^ splitmix64(uint64(i)))
	b := splitmix64(a ^ 0x6a09e667f3bcc909 ^ uint64(i))
	return &gen{r: rand.New(rand.NewPCG(a, b)), seed: seed, i: i}
}

func splitmix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// f returns a uniform float in [lo, hi).
func (g *gen) f(lo, hi float64) float64 { return lo + (hi-lo)*g.r.Float64() }

// logf returns a log-uniform float in [lo, hi): as many firms between 2 and
// 4 million as between 20 and 40 million.
func (g *gen) logf(lo, hi float64) float64 {
	return math.Exp(g.f(math.Log(lo), math.Log(hi)))
}

// lognorm returns a log-normal float with the given median and log-space
// spread, clamped to [lo, hi].
func (g *gen) lognorm(median, sigma, lo, hi float64) float64 {
	return min(max(median*math.Exp(sigma*g.r.NormFloat64()), lo), hi)
}

// n returns a uniform int in [lo, hi].
func (g *gen) n(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// p reports true with probability prob.
func (g *gen) p(prob float64) bool { return g.r.Float64() < prob }

// day returns a uniform date in [from, to].
func (g *gen) day(from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return from
	}
	return from.AddDate(0, 0, g.r.IntN(days+1))
}

// dayIn returns a uniform date from the first day of month m1 of y1 to the
// last day of month m2 of y2.
func (g *gen) dayIn(y1, m1, y2, m2 int) time.Time {
	return g.day(ymd(y1, m1, 1), ymd(y2, m2+1, 0))
}

// growth returns a yearly growth rate between −10% and +40%, most often
// around +15%.
func (g *gen) growth() float64 { return (g.f(-0.10, 0.40) + g.f(-0.10, 0.40)) / 2 }

// jitter3 returns base varied by up to ±spread (relative) in each year.
func (g *gen) jitter3(base, spread float64) [3]float64 {
	var v [3]float64
	for k := range v {
		v[k] = max(base*(1+g.f(-spread, spread)), 0)
	}
	return v
}

// around3 returns base plus or minus up to spread (absolute) in each year,
// for values that may be negative, such as a profit margin.
func (g *gen) around3(base, spread float64) [3]float64 {
	var v [3]float64
	for k := range v {
		v[k] = base + g.f(-spread, spread)
	}
	return v
}

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// weighted returns an index drawn with the given weights.
func (g *gen) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := g.r.IntN(total)
	for k, w := range weights {
		if x < w {
			return k
		}
		x -= w
	}
	return len(weights) - 1
}

func ymd(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func fill3(v float64) [3]float64 { return [3]float64{v, v, v} }

func ptr[T any](v T) *T { return &v }

// plan holds the parameters of one firm; build turns it into a profile. The
// archetypes fill a plan, and near-miss targets adjust one parameter of it,
// before anything is derived, so that derived figures stay consistent.
type plan struct {
	label       string
	techy       bool // adds 科技 to the name more often
	region      Region
	chain       string
	industry    string
	established time.Time

	// Trajectory: 2025 figures, growth into 2024 and 2025, per-year ratios
	// (index 0 is 2023).
	rev25     float64
	growth    [2]float64
	emp25     int
	empGrowth [2]float64
	mainShare [3]float64
	htShare   [3]float64
	rdRatio   [3]float64 // R&D expense / revenue
	rdMin     float64    // floor of any positive R&D expense, yuan
	rdSumMin  float64    // floor of R&D 2024 + 2025, yuan
	mainAvg   float64    // floor of the 2023–2025 average main revenue, yuan
	domShare  float64    // domestic share of R&D expense
	techShare float64    // tech staff / employees
	rdShare   float64    // R&D staff / tech staff
	margin    [3]float64 // net profit / revenue
	turnover  float64    // revenue / total assets
	debt      [3]float64 // liabilities / assets
	equity    [3]int64
	contract  [3]int64
	srdi      [3]float64 // 0: not rated that year
	digital   [3]int

	niche     registry.Niche
	ip        registry.IP
	honors    []registry.Honor
	incidents []registry.Incident
	abnormal  bool
	dishonest bool
}

// build derives the firm profile from p.
func (g *gen) build(p *plan) registry.Firm {
	var rev [3]float64
	rev[2] = p.rev25
	rev[1] = rev[2] / (1 + p.growth[1])
	rev[0] = rev[1] / (1 + p.growth[0])
	if p.mainAvg > 0 {
		avg := (rev[0]*p.mainShare[0] + rev[1]*p.mainShare[1] + rev[2]*p.mainShare[2]) / 3
		if avg < p.mainAvg {
			k := p.mainAvg / avg * 1.02
			for y := range rev {
				rev[y] *= k
			}
		}
	}
	revenue := [3]int64{money(rev[0]), money(rev[1]), money(rev[2])}

	ratio := p.rdRatio
	if p.rdSumMin > 0 {
		sum := float64(revenue[1])*ratio[1] + float64(revenue[2])*ratio[2]
		if sum < p.rdSumMin {
			k := p.rdSumMin / sum
			ratio[1] *= k
			ratio[2] *= k
		}
	}

	var emp [3]int64
	emp[2] = int64(max(p.emp25, 3))
	emp[1] = max(int64(math.Round(float64(emp[2])/(1+p.empGrowth[1]))), 3)
	emp[0] = max(int64(math.Round(float64(emp[1])/(1+p.empGrowth[0]))), 3)

	f := registry.Firm{
		USCC:         g.uscc(p.region.Code),
		Name:         g.name(p),
		RegionCode:   p.region.Code,
		IndustryCode: p.industry,
		Chain:        p.chain,
		Established:  p.established.Format(registry.DateLayout),
	}
	for y := range fiscalYears {
		tech := min(int64(math.Round(float64(emp[y])*p.techShare)), emp[y])
		rdStaff := min(int64(math.Round(float64(tech)*p.rdShare)), tech)
		r := revenue[y]
		var rd int64
		if ratio[y] > 0 {
			rd = max(money(float64(r)*ratio[y]), money(p.rdMin))
		}
		profit := money(float64(r) * p.margin[y])
		// 成本费用总额 is revenue less pre-tax profit. Pre-tax profit is
		// taken at a 15% income-tax rate (the HNTE rate; small firms pay
		// less, large ones 25%), close enough for demo accounts.
		cost := r - profit
		if profit > 0 {
			cost = r - money(float64(profit)/0.85)
		}
		assets := money(float64(r) / p.turnover)
		yr := registry.Year{
			Year:                 fiscalYears[y],
			Employees:            ptr(emp[y]),
			TechStaff:            ptr(tech),
			RDStaff:              ptr(rdStaff),
			Revenue:              ptr(r),
			MainRevenue:          ptr(money(float64(r) * p.mainShare[y])),
			HighTechRevenue:      ptr(money(float64(r) * p.htShare[y])),
			TotalCost:            ptr(max(cost, rd)),
			RDExpense:            ptr(rd),
			DomesticRDExpense:    ptr(money(float64(rd) * p.domShare)),
			TotalAssets:          ptr(assets),
			TotalLiabilities:     ptr(money(float64(assets) * p.debt[y])),
			NetProfit:            ptr(profit),
			EquityFinancing:      ptr(p.equity[y]),
			TechContractTurnover: ptr(p.contract[y]),
			DigitalLevel:         ptr(min(max(p.digital[y], 1), 4)),
		}
		if p.srdi[y] > 0 {
			yr.SRDIScore = ptr(math.Round(min(p.srdi[y], 100)*10) / 10)
		}
		f.Years = append(f.Years, yr)
	}

	n := p.niche
	if n.Since != "" {
		since, _ := registry.ParseDate(n.Since)
		n.YearsInField = ptr(registry.FullYears(since, snapshotDate.AddDate(0, 0, 1)))
	}
	if n.Share != nil {
		n.Share = ptr(math.Round(*n.Share*1000) / 1000)
	}
	f.Niche = &n
	ip := p.ip
	f.IP = &ip

	f.Honors = slices.Clone(p.honors)
	slices.SortStableFunc(f.Honors, func(a, b registry.Honor) int {
		return strings.Compare(a.Issued, b.Issued)
	})
	incidents := slices.Clone(p.incidents)
	slices.SortStableFunc(incidents, func(a, b registry.Incident) int { return strings.Compare(a.Date, b.Date) })
	f.Compliance = &registry.Compliance{
		Incidents:          incidents,
		AbnormalList:       ptr(p.abnormal),
		SeriousDishonesty:  ptr(p.dishonest),
		ProhibitedIndustry: ptr(false),
	}
	return f
}

// money rounds an amount to whole hundreds of yuan, so figures read like
// accounts rather than floating-point noise.
func money(x float64) int64 { return int64(math.Round(x/100)) * 100 }

// MaxFirms is the size of one seed's population: the number of distinct
// organization codes the generator draws from (31⁶).
const MaxFirms = 31 * 31 * 31 * 31 * 31 * 31

// GB 32100 codes: "9" (registered by market regulation) "1" (enterprise),
// the county code, a 9-character organization code and a check character.
const (
	usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	usccSpace    = MaxFirms
)

// uscc returns the firm's code. Positions 9–10 are "MA" (the prefix of codes
// issued since 2015), 11–16 encode the index through a seed-dependent
// bijection of [0, 31⁶) — unique per index, scattered across the space — and
// position 17 is a wrong GB 11714 check digit (see Generate).
func (g *gen) uscc(county string) string {
	// Any multiplier not divisible by 31 is invertible modulo 31⁶.
	mul := splitmix64(g.seed^0xa5a5) % usccSpace
	if mul%31 == 0 {
		mul++
	}
	add := splitmix64(g.seed^0x5a5a) % usccSpace
	v := (uint64(g.i)*mul + add) % usccSpace

	org := []byte("MA000000")
	for k := 7; k >= 2; k-- {
		org[k] = usccAlphabet[v%31]
		v /= 31
	}
	org = append(org, wrongOrgCheck(org))
	body := "91" + county + string(org)
	c, ok := registry.USCCCheckChar(body)
	if !ok {
		panic("seeds: bad USCC body " + body)
	}
	return body + string(c)
}

// wrongOrgCheck returns a digit that is not the GB 11714 check character of
// the 8-character organization code body.
func wrongOrgCheck(body []byte) byte {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for k, c := range body {
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * weights[k]
	}
	right := 11 - sum%11 // 10 means 'X', 11 means '0'
	if right == 11 {
		right = 0
	}
	if right == 10 {
		return '1'
	}
	return byte('0' + (right+1)%10)
}

// Trade-name syllables: pleasant, generic, and combined with 【演示】 and a
// serial so a name can never be a real company's.
var (
	tradeFirst  = []string{"云", "溪", "沅", "舞", "雪", "峰", "翠", "澜", "锦", "弘", "泓", "晟", "拓", "启", "恒", "睿", "鑫", "鸿", "禾", "岚", "芙", "湘", "黔", "楚"}
	tradeSecond = []string{"川", "岭", "泽", "源", "联", "创", "越", "辉", "宸", "航", "盛", "信", "和", "昇", "远", "湾", "桥", "谷", "宇", "帆"}
)

func (g *gen) name(p *plan) string {
	word := industryWord(p.industry)
	if p.techy && !strings.Contains(word, "技") && g.p(0.5) {
		word += "科技"
	}
	return fmt.Sprintf("【演示】%s%s%s%s有限公司（第%05d号）",
		p.region.ShortName, pick(g, tradeFirst), pick(g, tradeSecond), word, g.i+1)
}

// industryWord is the industry part of a demo firm's name.
func industryWord(code string) string {
	if w, ok := industryWords[code]; ok {
		return w
	}
	return "实业"
}

var industryWords = map[string]string{
	"C3215": "锑业", "C3221": "黄金", "C3231": "钨业", "C3091": "碳素", "C3099": "新材料",
	"B0915": "矿业", "B1019": "硅砂",
	"C1922": "箱包", "C1923": "皮具", "C1929": "皮具", "C2925": "合成革", "C3389": "五金",
	"C2612": "化工", "C2614": "化工", "C2651": "树脂", "C2662": "化学", "C2831": "纤维", "C2832": "生物材料",
	"C3572": "农机", "C3576": "农机配件", "C3360": "表面处理", "C3511": "矿山机械", "C3443": "阀门", "C3562": "装备",
	"C2730": "中药饮片", "C2740": "制药", "A0171": "药材种植",
	"C1373": "果业", "C1353": "食品", "C1331": "油脂", "C1371": "食品", "C1530": "茶业",
	"C2041": "竹业", "C2029": "竹木", "C2120": "竹家居",
	"C3973": "微电子", "C3981": "电子", "C3982": "电路", "C3983": "传感",
	"C3841": "新能源", "C3849": "储能", "C2613": "锂电材料", "C3822": "电容", "C3825": "光伏",
	"C3974": "光电", "C3985": "电子材料", "C3042": "玻璃",
	"I6513": "软件", "I6531": "信息技术", "C3491": "机器人",
	"C3963": "无人机", "C3744": "航空科技",
	"C3581": "医疗器械", "C3586": "康复科技", "M7340": "医学科技",
	"C3022": "建材", "C3311": "钢构", "C2231": "包装", "C2319": "印务", "C1819": "服饰",
	"C3021": "水泥制品", "C2929": "塑业", "M7320": "技术研究", "C4011": "自动化",
}
