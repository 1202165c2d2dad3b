package seeds

import (
	"fmt"
	"time"

	"github.com/peiyu/peiyu/registry"
)

// The demo population is a mix of archetypes, so that screening it against
// the programs of SPEC §2 (thresholds in policy/criteria.md, as of a date in
// 2026 reading fiscal 2023–2025) shows, for every program, firms that clearly
// qualify, firms exactly one criterion short, and firms far off.
//
//	archetype     share  what it is
//	micro         18%    微型初创: 5–19 staff, 200–900万 revenue, founded 2016–23;
//	                     60% tech-minded (R&D 2–12%, 科技型 registrations),
//	                     the rest plain (R&D 0–2%)
//	small-tech    20%    科技型小企业: 12–300 staff, median 1800万, R&D ≈4.5%;
//	                     30% software or R&D services (I65, M73); holders of
//	                     科技型 (most), 创新型 (30%), HNTE (30%)
//	traditional   23%    传统制造: median 3000万, R&D 0–2% (30% none), tech
//	                     staff 3–12%; 60% above-size; QMS and brands, few
//	                     other honors; most of the compliance incidents
//	specialized   12%    成长型专精特新: 1200万–1.5亿 (median 4000万), R&D ≈4.5%
//	                     (70% keep it ≥100万), platform score 40–80; 创新型
//	                     (75%), 专精特新 (40%), HNTE (45%)
//	lg-candidate   4%    小巨人 candidates: 1.6–3.6亿, R&D ≥3.8% and ≥1350万
//	                     over two years, niche share ≥12%; natural variation
//	                     makes some miss; a third are little giants already
//	leader         1.5%  单项冠军-like: 6–15亿, 10+ years in the field, global
//	                     rank 1–3 (a quarter rank 4–8)
//	large          2.5%  large non-SMEs: 1000–4000 staff and 4.5–25亿, so every
//	                     SME cap and the 划型 test fail
//	near-miss     19%    built from a strong profile of one program to miss
//	                     exactly one criterion of it (28 targets, see
//	                     nearMisses): revenue 1400–1490万 against 1500万,
//	                     R&D 2.6–2.9% against 3%, 9 years against 10, HNTE
//	                     R&D 4.4–4.9% against 5%, a 55-point 创新型 score …
//
// Overall about 70% of firms have revenue under 5000万 and 3% are large
// non-SMEs; about a quarter hold a valid HNTE certificate. Honors carry real
// validity windows, so some have expired by 2026-06-30 and some expire within
// the half year after it.
var archetypes = []struct {
	name   string
	weight int // per mille
	build  func(*gen) plan
}{
	{"micro", 180, (*gen).micro},
	{"small-tech", 200, (*gen).smallTech},
	{"traditional", 230, (*gen).traditional},
	{"specialized", 120, (*gen).specialized},
	{"lg-candidate", 40, (*gen).lgCandidate},
	{"leader", 15, (*gen).leader},
	{"large", 25, (*gen).large},
	{"near-miss", 190, (*gen).nearMiss},
}

func (g *gen) archetype() plan {
	w := make([]int, len(archetypes))
	for k, a := range archetypes {
		w[k] = a.weight
	}
	return archetypes[g.weighted(w)].build(g)
}

// Chain mixes per kind of firm. "" is a firm outside the chains.
type chainWeight struct {
	key    string
	weight int
}

var (
	traditionalChains = []chainWeight{
		{"绿色矿业", 3}, {"箱包皮具", 3}, {"生物基新材料", 2}, {"机械装备", 3},
		{"中医药", 2}, {"食品", 4}, {"竹业", 3}, {"", 5},
	}
	techChains = []chainWeight{
		{"电子元器件", 3}, {"新能源及其装备", 3}, {"新型显示材料", 2}, {"机械装备", 2},
		{"中医药", 2}, {"生物基新材料", 1}, {"竹业", 1}, {"人工智能", 2}, {"低空经济", 1},
		{"未来能源", 1}, {"未来材料", 1}, {"未来健康", 1}, {"", 3},
	}
	specializedChains = []chainWeight{
		{"机械装备", 4}, {"电子元器件", 3}, {"新能源及其装备", 3}, {"中医药", 3},
		{"竹业", 2}, {"生物基新材料", 2}, {"新型显示材料", 2}, {"食品", 2},
		{"箱包皮具", 1}, {"绿色矿业", 1}, {"未来材料", 1}, {"", 3},
	}
	leaderChains = []chainWeight{
		{"绿色矿业", 3}, {"生物基新材料", 2}, {"机械装备", 2}, {"中医药", 2}, {"竹业", 1},
		{"电子元器件", 2}, {"新能源及其装备", 2}, {"箱包皮具", 1}, {"食品", 1},
	}
)

// Industries of firms outside the chains, with their niche markets.
var (
	plainIndustries = []Industry{
		{"C3022", "砼结构构件制造", []string{"装配式混凝土构件"}},
		{"C3311", "金属结构制造", []string{"钢结构件"}},
		{"C2231", "纸和纸板容器制造", []string{"纸包装箱"}},
		{"C2319", "包装装潢及其他印刷", []string{"包装印刷"}},
		{"C1819", "其他机织服装制造", []string{"工装服饰"}},
		{"C3021", "水泥制品制造", []string{"水泥制品"}},
		{"C2929", "塑料零件及其他塑料制品制造", []string{"塑料零件"}},
	}
	techIndustries = []Industry{
		{"I6513", "应用软件开发", []string{"行业应用软件"}},
		{"I6531", "信息系统集成服务", []string{"信息系统集成"}},
		{"M7320", "工程和技术研究和试验发展", []string{"工程技术研发服务"}},
		{"C4011", "工业自动控制系统装置制造", []string{"工业自动控制系统"}},
	}
)

// County weights: 鹤城区, the city proper, has most firms.
var countyWeights = map[string]int{
	"431202": 30, "431221": 9, "431222": 6, "431223": 6, "431224": 7, "431225": 4,
	"431226": 4, "431227": 5, "431228": 6, "431229": 5, "431230": 3, "431281": 8,
}

// chainCounties are where a chain's firms cluster (from the seed documents
// where they say so — 沅陵 mining, 溆浦 silica sand, 洪江/新晃 chemical parks,
// 辰溪 surface treatment — otherwise plausible local specialities). Two in
// five firms of the chain are placed there.
var chainCounties = map[string][]string{
	"绿色矿业":   {"431222", "431224", "431223"},
	"生物基新材料": {"431281", "431227"},
	"竹业":     {"431225", "431230"},
	"中医药":    {"431229", "431281"},
	"食品":     {"431226", "431228", "431221"},
	"机械装备":   {"431202", "431223"},
	"新型显示材料": {"431224", "431202"},
	"电子元器件":  {"431202", "431221"},
}

var counties = func() []Region {
	var out []Region
	for _, r := range regions {
		if r.Level == LevelCounty {
			out = append(out, r)
		}
	}
	return out
}()

func (g *gen) county(chain string) Region {
	if cs := chainCounties[chain]; len(cs) > 0 && g.p(0.4) {
		r, _ := RegionByCode(pick(g, cs))
		return r
	}
	w := make([]int, len(counties))
	for k, r := range counties {
		w[k] = countyWeights[r.Code]
		if w[k] == 0 {
			w[k] = 1
		}
	}
	return counties[g.weighted(w)]
}

// newPlan starts a plan: chain (from mix), industry, county and niche
// market. manufacturing restricts industries to section C.
func (g *gen) newPlan(label string, mix []chainWeight, manufacturing bool) plan {
	w := make([]int, len(mix))
	for k, c := range mix {
		w[k] = c.weight
	}
	p := plan{label: label, chain: mix[g.weighted(w)].key}
	var inds []Industry
	if c, ok := ChainByKey(p.chain); ok {
		for _, ind := range c.Industries {
			if !manufacturing || ind.Code[0] == 'C' {
				inds = append(inds, ind)
			}
		}
	}
	if len(inds) == 0 {
		// No chain, or a chain without manufacturing classes: a plain
		// manufacturer.
		p.chain = ""
		inds = plainIndustries
	}
	g.setIndustry(&p, pick(g, inds))
	p.region = g.county(p.chain)
	p.domShare = 1
	p.turnover = 1
	p.digital = [3]int{1, 1, 1}
	return p
}

func (g *gen) setIndustry(p *plan, ind Industry) {
	p.industry, p.niche.Market = ind.Code, pick(g, ind.Products)
}

// software turns p into an information-technology or R&D-services firm,
// half of the software firms in the 人工智能 chain and some of the R&D firms
// in 未来健康.
func (g *gen) software(p *plan) {
	ind := pick(g, techIndustries)
	p.chain = ""
	switch {
	case ind.Code[0] == 'I' && g.p(0.5):
		p.chain = "人工智能"
		ind = pick(g, chainIndustries(p.chain, 'I'))
	case ind.Code[0] == 'M' && g.p(0.3):
		p.chain = "未来健康"
		ind = pick(g, chainIndustries(p.chain, 'M'))
	}
	g.setIndustry(p, ind)
}

// chainIndustries returns the industries of a chain in one GB/T 4754
// section.
func chainIndustries(key string, section byte) []Industry {
	c, _ := ChainByKey(key)
	var out []Industry
	for _, ind := range c.Industries {
		if ind.Code[0] == section {
			out = append(out, ind)
		}
	}
	return out
}

// since sets the niche start between from and to, never before the firm.
func (g *gen) since(p *plan, from, to time.Time) {
	from = later(from, p.established)
	to = later(to, from)
	p.niche.Since = g.day(from, earlier(to, snapshotDate)).Format(registry.DateLayout)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// ipCounts fills the IP block: class1 in [c1lo, c1hi] (or 0 with probability
// 1−have), some of them high-value, most self-developed.
func (g *gen) ipCounts(p *plan, have float64, c1lo, c1hi int, hv float64, c2lo, c2hi int) {
	c1 := 0
	if g.p(have) {
		c1 = g.n(c1lo, c1hi)
	}
	high := 0
	if c1 > 0 && g.p(hv) {
		high = g.n(1, max(1, c1/3))
	}
	self := max(c1-g.n(0, c1/3), high)
	p.ip = registry.IP{Class1: ptr(c1), Class1HighValue: ptr(high), Class1SelfDeveloped: ptr(self), Class2: ptr(g.n(c2lo, c2hi))}
}

// Honors. Numbers carry a DEMO- prefix; the certificates are not real.

func (g *gen) number(prefix string, t time.Time) string {
	return fmt.Sprintf("DEMO-%s%d%05d", prefix, t.Year(), (g.i+1)%100000)
}

// cert is a three-year certification (HNTE, 创新型, 专精特新, 小巨人, 单项冠军,
// quality-system certificates): it expires the day before the third
// anniversary of issue.
func cert(kind, level string, issued time.Time, number string) registry.Honor {
	return registry.Honor{
		Kind: kind, Level: level, Number: number,
		Issued:  issued.Format(registry.DateLayout),
		Expires: issued.AddDate(3, 0, -1).Format(registry.DateLayout),
	}
}

// award is a one-off honor with no expiry.
func award(kind, level string, issued time.Time) registry.Honor {
	return registry.Honor{Kind: kind, Level: level, Issued: issued.Format(registry.DateLayout)}
}

// issueDate draws an issue date in the given years and months, after the
// firm's first year. ok is false when the window is before that.
func (g *gen) issueDate(p *plan, y1, m1, y2, m2 int) (time.Time, bool) {
	from := later(ymd(y1, m1, 1), p.established.AddDate(1, 0, 0))
	to := earlier(ymd(y2, m2+1, 0), snapshotDate)
	if from.After(to) {
		return time.Time{}, false
	}
	return g.day(from, to), true
}

func (g *gen) addCert(p *plan, kind, level, prefix string, y1, m1, y2, m2 int) bool {
	d, ok := g.issueDate(p, y1, m1, y2, m2)
	if ok {
		num := ""
		if prefix != "" {
			num = g.number(prefix, d)
		}
		p.honors = append(p.honors, cert(kind, level, d, num))
	}
	return ok
}

func (g *gen) addAward(p *plan, kind, level string, y1, y2 int) *registry.Honor {
	d, ok := g.issueDate(p, y1, 1, y2, 12)
	if !ok {
		return nil
	}
	p.honors = append(p.honors, award(kind, level, d))
	return &p.honors[len(p.honors)-1]
}

// techSME registers the firm as 科技型中小企业 for year y: the registration is
// valid for that calendar year only (115号, 登记编号当年有效).
func (g *gen) techSME(p *plan, y int) {
	d, ok := g.issueDate(p, y, 5, y, 11)
	if !ok {
		return
	}
	p.honors = append(p.honors, registry.Honor{
		Kind: registry.HonorTechSME, Level: registry.LevelProvincial,
		Issued: d.Format(registry.DateLayout), Expires: ymd(y, 12, 31).Format(registry.DateLayout),
		Number: g.number("KJ", d),
	})
}

// hnte certifies the firm as 高新技术企业 (certificates are dated in the
// autumn batches) in a year of 2022–2025; a 2022 certificate expired in 2025
// and is renewed with probability renew.
func (g *gen) hnte(p *plan, renew float64) {
	y := g.n(2022, 2025)
	if !g.hnteIn(p, y, y) {
		return
	}
	if y == 2022 && g.p(renew) {
		g.hnteIn(p, 2025, 2025)
	}
}

// hnteIn issues an HNTE certificate in the October–December batch of a year
// in [y1, y2].
func (g *gen) hnteIn(p *plan, y1, y2 int) bool {
	y := g.n(y1, y2)
	return g.addCert(p, registry.HonorHNTE, registry.LevelNational, "GR", y, 10, y, 12)
}

// ladder adds a three-year ladder title issued in a year of 2022–2025. An
// issue in the second half of 2023 expires within half a year of
// 2026-06-30; one from 2022 has expired.
func (g *gen) ladder(p *plan, kind, level string) {
	y := g.n(2022, 2025)
	g.addCert(p, kind, level, "", y, 6, y, 12)
}

// ledgerSalt seeds the stream of ledgerHonors, apart from the firm's own.
const ledgerSalt = 0x3c6ef372fe94f82b

// ledgerHonors adds the honors only the targets ledger counts: 上云
// registrations (seed 001: 新增300家企业上云), more likely the more digital
// the firm, and innovation platforms (新增10家市级以上科技创新平台) for
// firms spending 3% or more on R&D. No rule pack reads these kinds, and g is
// a stream of its own (ledgerSalt), so every other figure of the firm is
// what it was before they were added.
func (g *gen) ledgerHonors(p *plan) {
	cloud := 0.1
	if p.digital[2] >= 2 {
		cloud = 0.55
	}
	if g.p(cloud) {
		g.addAward(p, registry.HonorCloudAdoption, "", 2019, 2025)
	}
	if p.rdRatio[2] >= 0.03 && g.p(0.2) {
		level := registry.LevelCity
		if g.p(0.3) {
			level = registry.LevelProvincial
		}
		g.addAward(p, registry.HonorInnovationPlatform, level, 2016, 2025)
	}
}

func (g *gen) rdInstitution(p *plan, level string) {
	g.addAward(p, registry.HonorRDInstitution, level, 2012, 2025)
}

func (g *gen) sciAward(p *plan, level string, rank int) {
	if h := g.addAward(p, registry.HonorSciAward, level, 2020, 2025); h != nil {
		h.Rank = ptr(rank)
	}
}

// compliance records incidents (prob), a share of them major, and list
// memberships.
func (g *gen) compliance(p *plan, prob, major, abnormal float64) {
	if g.p(prob) {
		for range g.n(1, 2) {
			p.incidents = append(p.incidents, registry.Incident{
				Date:  g.day(later(ymd(2021, 1, 1), p.established), snapshotDate).Format(registry.DateLayout),
				Kind:  pick(g, []string{"safety", "quality", "environment", "tax"}),
				Major: g.p(major),
			})
		}
	}
	p.abnormal = g.p(abnormal)
	p.dishonest = p.abnormal && g.p(0.2)
}

// --- the archetypes ---------------------------------------------------------

func (g *gen) micro() plan {
	techy := g.p(0.6)
	mix := traditionalChains
	if techy {
		mix = techChains
	}
	p := g.newPlan("micro", mix, false)
	p.techy = techy
	if techy && g.p(0.25) {
		g.software(&p)
	}
	p.established = g.dayIn(2016, 1, 2023, 6)
	p.rev25 = g.logf(2e6, 9e6)
	p.growth = [2]float64{g.growth(), g.growth()}
	p.emp25 = g.n(5, 19)
	p.empGrowth = [2]float64{g.f(-0.1, 0.3), g.f(-0.1, 0.3)}
	p.mainShare = fill3(g.f(0.8, 1))
	p.margin = g.around3(g.f(-0.08, 0.1), 0.02)
	p.turnover = g.f(0.8, 2)
	p.debt = g.jitter3(g.f(0.2, 0.75), 0.08)
	p.domShare = g.f(0.85, 1)
	if techy {
		p.techShare, p.rdShare = g.f(0.2, 0.6), g.f(0.5, 1)
		p.rdRatio = g.jitter3(g.lognorm(0.05, 0.5, 0.02, 0.12), 0.15)
		p.htShare = fill3(g.f(0.3, 0.9))
		p.digital = [3]int{1, 2, 2}
		g.ipCounts(&p, 0.25, 1, 1, 0, 1, 8)
		for k, prob := range [3]float64{0.3, 0.5, 0.6} {
			if g.p(prob) {
				g.techSME(&p, fiscalYears[k])
			}
		}
		if g.p(0.08) {
			g.hnte(&p, 0.5)
		}
		if g.p(0.08) {
			p.equity[g.n(0, 2)] = money(g.logf(1e6, 8e6))
		}
	} else {
		p.techShare, p.rdShare = g.f(0.05, 0.15), g.f(0.3, 1)
		if g.p(0.5) {
			p.rdRatio = g.jitter3(g.f(0.003, 0.02), 0.2)
		}
		g.ipCounts(&p, 0, 0, 0, 0, 0, 3)
	}
	p.niche.Since = p.established.Format(registry.DateLayout)
	p.niche.Share = ptr(g.f(0.01, 0.05))
	p.niche.KeyField, p.niche.GapFilling = ptr(false), ptr(false)
	p.niche.StrategicEmerging = ptr(techy && g.p(0.5))
	g.compliance(&p, 0.03, 0.2, 0.01)
	return p
}

func (g *gen) smallTech() plan {
	p := g.newPlan("small-tech", techChains, false)
	p.techy = true
	if g.p(0.3) {
		g.software(&p)
	}
	p.established = g.dayIn(2008, 1, 2021, 12)
	p.rev25 = g.lognorm(1.8e7, 0.6, 6e6, 8e7)
	p.growth = [2]float64{g.growth(), g.growth()}
	p.emp25 = int(min(max(p.rev25/g.f(2.5e5, 6e5), 12), 300))
	p.empGrowth = [2]float64{g.f(-0.05, 0.2), g.f(-0.05, 0.2)}
	p.techShare, p.rdShare = g.f(0.12, 0.5), g.f(0.4, 0.9)
	p.rdRatio = g.jitter3(g.lognorm(0.045, 0.5, 0.01, 0.12), 0.15)
	p.domShare = g.f(0.75, 1)
	p.mainShare = g.jitter3(g.f(0.75, 0.97), 0.03)
	p.htShare = fill3(g.f(0.4, 0.95))
	p.margin = g.around3(g.f(-0.04, 0.15), 0.02)
	p.turnover = g.f(0.6, 1.6)
	p.debt = g.jitter3(g.f(0.2, 0.72), 0.08)
	if g.p(0.12) {
		p.equity[g.n(0, 2)] = money(g.logf(3e6, 3e7))
	}
	if g.p(0.4) {
		for y := range p.contract {
			p.contract[y] = money(g.logf(1e5, 3e6))
		}
	}
	if g.p(0.2) {
		p.srdi = [3]float64{0, g.f(40, 70), g.f(40, 72)}
	}
	p.digital = [3]int{2, 2, g.n(2, 3)}
	g.ipCounts(&p, 0.7, 1, 4, 0.2, 2, 20)
	g.since(&p, p.established, p.established.AddDate(2, 0, 0))
	p.niche.Share = ptr(g.f(0.01, 0.12))
	if g.p(0.3) {
		p.niche.DomesticRank = ptr(g.n(5, 40))
	}
	p.niche.StrategicEmerging, p.niche.KeyField, p.niche.GapFilling = ptr(g.p(0.6)), ptr(g.p(0.2)), ptr(g.p(0.1))

	for k, prob := range [3]float64{0.55, 0.6, 0.7} {
		if g.p(prob) {
			g.techSME(&p, fiscalYears[k])
		}
	}
	if g.p(0.3) {
		g.hnte(&p, 0.6)
	}
	if g.p(0.3) {
		g.ladder(&p, registry.HonorInnovativeSME, registry.LevelProvincial)
	}
	if g.p(0.4) {
		g.addCert(&p, registry.HonorQMSCert, "", "", 2021, 1, 2025, 12)
	}
	if g.p(0.15) {
		g.rdInstitution(&p, registry.LevelCity)
	}
	if g.p(0.05) {
		g.sciAward(&p, registry.LevelProvincial, g.n(1, 5))
	}
	if g.p(0.03) {
		g.addAward(&p, registry.HonorChuangkeTop500, registry.LevelNational, 2021, 2025)
	}
	if g.p(0.03) {
		g.addCert(&p, registry.HonorIPDemo, registry.LevelProvincial, "", 2021, 1, 2025, 12)
	}
	g.compliance(&p, 0.04, 0.25, 0.005)
	return p
}

func (g *gen) traditional() plan {
	p := g.newPlan("traditional", traditionalChains, false)
	p.established = g.dayIn(1995, 1, 2019, 12)
	p.rev25 = g.lognorm(3e7, 0.8, 4e6, 1.8e8)
	p.growth = [2]float64{g.f(-0.1, 0.2), g.f(-0.1, 0.2)}
	p.emp25 = int(min(max(p.rev25/g.f(2.5e5, 7e5), 10), 480))
	p.empGrowth = [2]float64{g.f(-0.08, 0.08), g.f(-0.08, 0.08)}
	p.techShare, p.rdShare = g.f(0.03, 0.12), g.f(0.3, 0.8)
	if g.p(0.7) {
		p.rdRatio = g.jitter3(g.f(0.002, 0.02), 0.2)
	}
	p.domShare = 1
	p.mainShare = g.jitter3(g.f(0.85, 0.98), 0.02)
	if g.p(0.2) {
		p.htShare = fill3(g.f(0.1, 0.4))
	}
	p.margin = g.around3(g.f(-0.06, 0.1), 0.02)
	p.turnover = g.f(0.8, 2.2)
	p.debt = g.jitter3(g.f(0.35, 0.82), 0.05)
	p.digital = [3]int{1, 1, g.n(1, 2)}
	g.ipCounts(&p, 0.1, 1, 1, 0, 0, 8)
	p.niche.Since = p.established.Format(registry.DateLayout)
	p.niche.Share = ptr(g.f(0.01, 0.08))
	if g.p(0.2) {
		p.niche.DomesticRank = ptr(g.n(5, 50))
	}
	p.niche.StrategicEmerging, p.niche.KeyField, p.niche.GapFilling = ptr(g.p(0.1)), ptr(g.p(0.1)), ptr(g.p(0.05))
	if g.p(0.6) {
		g.addCert(&p, registry.HonorQMSCert, "", "", 2021, 1, 2025, 12)
	}
	if g.p(0.4) {
		g.addAward(&p, registry.HonorOwnBrand, "", 2005, 2024)
	}
	if g.p(0.05) {
		g.techSME(&p, 2025)
	}
	if g.p(0.06) {
		g.rdInstitution(&p, pick(g, []string{registry.LevelCity, registry.LevelCounty}))
	}
	if g.p(0.05) {
		g.addAward(&p, registry.HonorQualityAward, pick(g, []string{registry.LevelCity, registry.LevelCounty}), 2018, 2025)
	}
	g.compliance(&p, 0.15, 0.3, 0.02)
	return p
}

func (g *gen) specialized() plan {
	p := g.newPlan("specialized", specializedChains, g.p(0.9))
	p.techy = true
	p.established = g.dayIn(2000, 1, 2019, 12)
	p.rev25 = g.lognorm(4e7, 0.6, 1.2e7, 1.5e8)
	p.growth = [2]float64{(g.f(-0.05, 0.4) + g.f(-0.05, 0.4)) / 2, (g.f(-0.05, 0.4) + g.f(-0.05, 0.4)) / 2}
	p.emp25 = int(min(max(p.rev25/g.f(3e5, 8e5), 20), 600))
	p.empGrowth = [2]float64{g.f(0, 0.15), g.f(0, 0.15)}
	p.techShare, p.rdShare = g.f(0.12, 0.35), g.f(0.5, 0.85)
	p.rdRatio = g.jitter3(g.lognorm(0.045, 0.35, 0.015, 0.1), 0.12)
	if g.p(0.7) {
		// Firms preparing a 专精特新 application keep R&D at 100万 at least.
		p.rdMin = g.f(1e6, 1.3e6)
	}
	p.domShare = g.f(0.8, 1)
	p.mainShare = g.jitter3(g.f(0.78, 0.97), 0.02)
	p.htShare = fill3(g.f(0.5, 0.9))
	p.margin = g.around3(g.f(0, 0.15), 0.02)
	p.turnover = g.f(0.6, 1.4)
	p.debt = g.jitter3(g.f(0.25, 0.76), 0.05)
	switch x := g.r.Float64(); {
	case x < 0.02:
		// A large round from qualified institutions: the financing routes
		// of 专精特新 (≥2000万, ≥6000万) open.
		p.equity[g.n(1, 2)] = money(g.logf(6e7, 1.2e8))
	case x < 0.12:
		p.equity[g.n(0, 2)] = money(g.logf(5e6, 3e7))
	}
	if g.p(0.5) {
		for y := range p.contract {
			p.contract[y] = money(g.logf(2e5, 5e6))
		}
	}
	p.srdi = [3]float64{0, g.f(40, 80), g.f(42, 82)}
	if g.p(0.5) {
		p.srdi[0] = g.f(40, 70)
	}
	d := g.n(2, 3)
	p.digital = [3]int{d - 1, d, d + g.n(0, 1)}
	g.ipCounts(&p, 0.85, 1, 8, 0.35, 5, 30)
	g.since(&p, p.established, p.established.AddDate(3, 0, 0))
	p.niche.Share = ptr(g.f(0.03, 0.25))
	p.niche.DomesticRank = ptr(g.n(3, 30))
	p.niche.KeyField, p.niche.StrategicEmerging, p.niche.GapFilling = ptr(g.p(0.5)), ptr(g.p(0.6)), ptr(g.p(0.35))

	if g.p(0.75) {
		g.ladder(&p, registry.HonorInnovativeSME, registry.LevelProvincial)
	}
	for k, prob := range [3]float64{0.3, 0.4, 0.5} {
		if g.p(prob) {
			g.techSME(&p, fiscalYears[k])
		}
	}
	if g.p(0.45) {
		g.hnte(&p, 0.7)
	}
	if g.p(0.4) {
		g.ladder(&p, registry.HonorSpecializedSME, registry.LevelProvincial)
	}
	if g.p(0.8) {
		g.addCert(&p, registry.HonorQMSCert, "", "", 2022, 1, 2025, 12)
	}
	if g.p(0.6) {
		g.addAward(&p, registry.HonorOwnBrand, "", 2008, 2024)
	}
	if g.p(0.6) {
		level := registry.LevelCity
		if g.p(0.35) {
			level = registry.LevelProvincial
		}
		g.rdInstitution(&p, level)
	}
	if g.p(0.1) {
		g.addAward(&p, registry.HonorStandardLed, pick(g, []string{registry.LevelIndustry, registry.LevelProvincial}), 2019, 2025)
	}
	if g.p(0.1) {
		g.sciAward(&p, registry.LevelProvincial, g.n(1, 5))
	}
	if g.p(0.04) {
		g.addAward(&p, registry.HonorChuangkeTop500, registry.LevelNational, 2021, 2025)
	}
	g.compliance(&p, 0.05, 0.2, 0.005)
	return p
}

func (g *gen) lgCandidate() plan {
	p := g.strongLG("lg-candidate")
	// Natural variation around the strong profile: some miss the R&D
	// total, the main-business share, the IP count or the platform score.
	if g.p(0.3) {
		p.rdSumMin = 0
		p.rdRatio = g.jitter3(g.f(0.03, 0.05), 0.1)
	}
	if g.p(0.3) {
		p.mainShare = fill3(g.f(0.82, 0.95))
	}
	if g.p(0.3) {
		g.ipCounts(&p, 1, 2, 8, 0.4, 10, 40)
	}
	if g.p(0.3) {
		p.srdi = [3]float64{g.f(50, 70), g.f(52, 75), g.f(54, 78)}
	}
	if g.p(0.35) {
		g.ladder(&p, registry.HonorLittleGiant, registry.LevelNational)
	}
	if g.p(0.08) {
		g.sciAward(&p, registry.LevelNational, g.n(1, 5))
	}
	g.compliance(&p, 0.04, 0.3, 0)
	return p
}

func (g *gen) leader() plan {
	p := g.strongChampion("leader")
	if g.p(0.25) {
		p.niche.GlobalRank = ptr(g.n(4, 8))
	}
	if g.p(0.2) {
		p.mainAvg = 0
	}
	if g.p(0.2) {
		g.sciAward(&p, registry.LevelNational, g.n(1, 5))
	}
	g.compliance(&p, 0.05, 0.3, 0)
	return p
}

func (g *gen) large() plan {
	p := g.newPlan("large", leaderChains, true)
	p.established = g.dayIn(1970, 1, 2005, 12)
	p.rev25 = g.logf(4.5e8, 2.5e9)
	p.growth = [2]float64{g.f(-0.08, 0.15), g.f(-0.08, 0.15)}
	p.emp25 = g.n(1000, 4000)
	p.empGrowth = [2]float64{g.f(-0.05, 0.05), g.f(-0.05, 0.05)}
	p.techShare, p.rdShare = g.f(0.05, 0.15), g.f(0.4, 0.7)
	p.rdRatio = g.jitter3(g.f(0.005, 0.035), 0.1)
	p.domShare = g.f(0.9, 1)
	p.mainShare = g.jitter3(g.f(0.85, 0.97), 0.02)
	p.htShare = fill3(g.f(0, 0.5))
	p.margin = g.around3(g.f(-0.03, 0.1), 0.02)
	p.turnover = g.f(0.5, 1.2)
	p.debt = g.jitter3(g.f(0.4, 0.8), 0.05)
	p.digital = [3]int{2, 3, 3}
	g.ipCounts(&p, 0.9, 5, 60, 0.5, 20, 150)
	g.since(&p, p.established, p.established.AddDate(5, 0, 0))
	p.niche.Share = ptr(g.f(0.05, 0.3))
	p.niche.DomesticRank = ptr(g.n(1, 10))
	if g.p(0.1) {
		p.niche.GlobalRank = ptr(g.n(5, 20))
	}
	p.niche.KeyField, p.niche.StrategicEmerging, p.niche.GapFilling = ptr(g.p(0.5)), ptr(g.p(0.3)), ptr(false)
	if g.p(0.4) {
		g.hnte(&p, 0.8)
	}
	if g.p(0.9) {
		g.addCert(&p, registry.HonorQMSCert, "", "", 2023, 1, 2025, 12)
	}
	if g.p(0.8) {
		g.addAward(&p, registry.HonorOwnBrand, "", 2000, 2020)
	}
	if g.p(0.5) {
		g.rdInstitution(&p, registry.LevelProvincial)
	}
	if g.p(0.3) {
		g.addAward(&p, registry.HonorStandardLed, pick(g, []string{registry.LevelNational, registry.LevelIndustry}), 2018, 2025)
	}
	if g.p(0.1) {
		g.sciAward(&p, pick(g, []string{registry.LevelNational, registry.LevelProvincial}), g.n(1, 5))
	}
	g.compliance(&p, 0.2, 0.3, 0.01)
	return p
}
