package seeds

import "github.com/peiyu/peiyu/registry"

// Strong profiles: each is clear of every criterion of one program.
//
// The near-miss targets start from these and break exactly one criterion, so
// each profile keeps a margin on every threshold it is meant to pass, carries
// no compliance incident, and avoids the direct (直通) routes that would make
// the broken criterion irrelevant.

// strongSpecialized passes 专精特新 2022 (score ≥ 69 without 直通) and 2026.
func (g *gen) strongSpecialized(label string) plan {
	p := g.newPlan(label, specializedChains, true)
	p.techy = true
	p.established = g.dayIn(2000, 1, 2012, 12)
	g.since(&p, ymd(2008, 1, 1), ymd(2015, 12, 31))
	p.rev25 = g.logf(2.5e7, 9e7)
	p.growth = [2]float64{g.f(0.11, 0.25), g.f(0.11, 0.25)}
	p.emp25 = int(p.rev25 / g.f(3.5e5, 7e5))
	p.empGrowth = [2]float64{g.f(0.02, 0.1), g.f(0.02, 0.1)}
	p.mainShare = fill3(g.f(0.86, 0.97))
	p.htShare = fill3(g.f(0.6, 0.9))
	p.rdRatio = fill3(g.f(0.042, 0.07))
	p.rdMin = 1.15e6
	p.domShare = g.f(0.85, 1)
	p.techShare, p.rdShare = g.f(0.2, 0.35), g.f(0.6, 0.85)
	p.margin = fill3(g.f(0.105, 0.15))
	p.turnover = g.f(0.7, 1.3)
	p.debt = fill3(g.f(0.3, 0.48))
	p.srdi = [3]float64{g.f(50, 70), g.f(52, 78), g.f(56, 80)}
	p.digital = [3]int{g.n(2, 3), 3, 3}
	p.niche.Share = ptr(g.f(0.05, 0.2))
	p.niche.DomesticRank = ptr(g.n(3, 15))
	p.niche.KeyField, p.niche.StrategicEmerging, p.niche.GapFilling = ptr(true), ptr(g.p(0.7)), ptr(true)
	c1 := g.n(2, 6)
	high := g.n(1, 2)
	p.ip = registry.IP{Class1: ptr(c1), Class1HighValue: ptr(high), Class1SelfDeveloped: ptr(c1), Class2: ptr(g.n(6, 25))}
	g.addCert(&p, registry.HonorInnovativeSME, registry.LevelProvincial, "", 2024, 3, 2025, 9)
	if g.p(0.5) {
		g.techSME(&p, 2025)
	}
	if g.p(0.3) {
		g.hnteIn(&p, 2023, 2025)
	}
	g.addCert(&p, registry.HonorQMSCert, "", "", 2024, 1, 2025, 6)
	g.addAward(&p, registry.HonorOwnBrand, "", 2010, 2020)
	level := registry.LevelCity
	if g.p(0.5) {
		level = registry.LevelProvincial
	}
	g.addAward(&p, registry.HonorRDInstitution, level, 2014, 2023)
	return p
}

// strongLG passes 小巨人 2022 and 2026 (and 专精特新 2026).
func (g *gen) strongLG(label string) plan {
	p := g.newPlan(label, specializedChains, true)
	p.techy = true
	p.established = g.dayIn(1998, 1, 2012, 12)
	g.since(&p, ymd(2005, 1, 1), ymd(2016, 12, 31))
	p.rev25 = g.logf(1.6e8, 3.6e8)
	p.growth = [2]float64{g.f(0.08, 0.2), g.f(0.08, 0.2)}
	p.emp25 = int(p.rev25 / g.f(5e5, 1e6))
	p.empGrowth = [2]float64{g.f(0.02, 0.1), g.f(0.02, 0.1)}
	p.mainShare = fill3(g.f(0.92, 0.98))
	p.htShare = fill3(g.f(0.65, 0.9))
	p.rdRatio = fill3(g.f(0.038, 0.06))
	p.rdSumMin = 1.35e7
	p.domShare = g.f(0.88, 1)
	p.techShare, p.rdShare = g.f(0.18, 0.3), g.f(0.55, 0.8)
	p.margin = fill3(g.f(0.08, 0.15))
	p.turnover = g.f(0.7, 1.2)
	p.debt = fill3(g.f(0.3, 0.58))
	p.srdi = [3]float64{g.f(58, 75), g.f(60, 82), g.f(63, 88)}
	p.digital = [3]int{3, 3, g.n(3, 4)}
	p.niche.Share = ptr(g.f(0.12, 0.35))
	p.niche.DomesticRank = ptr(g.n(1, 5))
	p.niche.KeyField, p.niche.StrategicEmerging, p.niche.GapFilling = ptr(true), ptr(true), ptr(true)
	c1 := g.n(6, 16)
	p.ip = registry.IP{Class1: ptr(c1), Class1HighValue: ptr(g.n(1, 4)), Class1SelfDeveloped: ptr(c1 - g.n(0, 2)), Class2: ptr(g.n(15, 60))}
	p.contract = [3]int64{money(g.logf(5e5, 5e6)), money(g.logf(5e5, 5e6)), money(g.logf(5e5, 5e6))}
	g.addCert(&p, registry.HonorSpecializedSME, registry.LevelProvincial, "", 2024, 1, 2025, 9)
	g.addCert(&p, registry.HonorInnovativeSME, registry.LevelProvincial, "", 2023, 1, 2023, 12)
	if g.p(0.8) {
		g.hnteIn(&p, 2023, 2025)
	}
	g.addCert(&p, registry.HonorQMSCert, "", "", 2024, 1, 2025, 6)
	g.addAward(&p, registry.HonorOwnBrand, "", 2008, 2018)
	g.addAward(&p, registry.HonorRDInstitution, registry.LevelProvincial, 2014, 2022)
	if g.p(0.4) {
		g.addAward(&p, registry.HonorStandardLed, registry.LevelIndustry, 2019, 2025)
	}
	return p
}

// strongChampion passes 单项冠军: 10+ years, average main revenue ≥4亿,
// global rank ≤3.
func (g *gen) strongChampion(label string) plan {
	p := g.newPlan(label, leaderChains, true)
	p.techy = true
	p.established = g.dayIn(1990, 1, 2005, 12)
	g.since(&p, p.established, ymd(2012, 12, 31))
	p.rev25 = g.logf(6e8, 1.5e9)
	p.growth = [2]float64{g.f(0.03, 0.15), g.f(0.03, 0.15)}
	p.mainAvg = 4.2e8
	p.emp25 = int(p.rev25 / g.f(7e5, 1.5e6))
	p.empGrowth = [2]float64{g.f(0, 0.06), g.f(0, 0.06)}
	p.mainShare = fill3(g.f(0.9, 0.98))
	p.htShare = fill3(g.f(0.6, 0.85))
	p.rdRatio = fill3(g.f(0.03, 0.05))
	p.domShare = g.f(0.9, 1)
	p.techShare, p.rdShare = g.f(0.12, 0.22), g.f(0.5, 0.7)
	p.margin = fill3(g.f(0.06, 0.14))
	p.turnover = g.f(0.6, 1.1)
	p.debt = fill3(g.f(0.35, 0.6))
	if g.p(0.5) {
		p.srdi = [3]float64{g.f(60, 85), g.f(62, 88), g.f(64, 90)}
	}
	p.digital = [3]int{3, g.n(3, 4), 4}
	p.niche.Share = ptr(g.f(0.15, 0.4))
	p.niche.DomesticRank = ptr(1)
	p.niche.GlobalRank = ptr(g.n(1, 3))
	p.niche.KeyField, p.niche.StrategicEmerging, p.niche.GapFilling = ptr(true), ptr(g.p(0.6)), ptr(g.p(0.5))
	c1 := g.n(20, 60)
	p.ip = registry.IP{Class1: ptr(c1), Class1HighValue: ptr(g.n(5, 15)), Class1SelfDeveloped: ptr(c1 - g.n(0, 5)), Class2: ptr(g.n(50, 200))}
	p.contract = [3]int64{money(g.logf(1e6, 2e7)), money(g.logf(1e6, 2e7)), money(g.logf(1e6, 2e7))}
	g.hnteIn(&p, 2023, 2025)
	if g.p(0.5) {
		g.ladder(&p, registry.HonorLittleGiant, registry.LevelNational)
	}
	if g.p(0.2) {
		g.ladder(&p, registry.HonorChampion, registry.LevelProvincial)
	}
	level := registry.LevelProvincial
	if g.p(0.4) {
		level = registry.LevelNational
	}
	g.addAward(&p, registry.HonorRDInstitution, level, 2008, 2020)
	g.addAward(&p, registry.HonorStandardLed, pick(g, []string{registry.LevelNational, registry.LevelIndustry}), 2016, 2025)
	g.addCert(&p, registry.HonorQMSCert, "", "", 2024, 1, 2025, 6)
	g.addAward(&p, registry.HonorOwnBrand, "", 2000, 2015)
	if g.p(0.4) {
		g.sciAward(&p, registry.LevelProvincial, g.n(1, 3))
	}
	return p
}

// strongHNTE passes the quantitative HNTE conditions with a 6.2% R&D ratio
// (tiers are 5/4/3%) and holds no valid certificate, so it is an applicant.
func (g *gen) strongHNTE(label string) plan {
	p := g.newPlan(label, techChains, false)
	p.techy = true
	p.established = g.dayIn(2008, 1, 2020, 12)
	g.since(&p, p.established, p.established.AddDate(2, 0, 0))
	p.rev25 = g.logf(1.5e7, 1.2e8)
	p.growth = [2]float64{g.f(0.05, 0.3), g.f(0.05, 0.3)}
	p.emp25 = int(p.rev25 / g.f(3e5, 6e5))
	p.empGrowth = [2]float64{g.f(0, 0.15), g.f(0, 0.15)}
	p.techShare, p.rdShare = g.f(0.16, 0.4), g.f(0.5, 0.85)
	p.rdRatio = fill3(g.f(0.062, 0.085))
	p.domShare = g.f(0.85, 1)
	p.htShare = fill3(g.f(0.7, 0.92))
	p.mainShare = fill3(g.f(0.85, 0.98))
	p.margin = fill3(g.f(0.04, 0.14))
	p.turnover = g.f(0.7, 1.5)
	p.debt = fill3(g.f(0.3, 0.6))
	p.digital = [3]int{2, 2, g.n(2, 3)}
	p.niche.Share = ptr(g.f(0.02, 0.15))
	p.niche.StrategicEmerging, p.niche.KeyField, p.niche.GapFilling = ptr(true), ptr(g.p(0.3)), ptr(false)
	c1 := g.n(1, 5)
	p.ip = registry.IP{Class1: ptr(c1), Class1HighValue: ptr(0), Class1SelfDeveloped: ptr(c1), Class2: ptr(g.n(3, 20))}
	if g.p(0.5) {
		// An expired certificate: the firm is re-applying.
		g.hnteIn(&p, 2022, 2022)
	}
	if g.p(0.6) {
		g.techSME(&p, 2025)
	}
	if g.p(0.6) {
		g.addCert(&p, registry.HonorQMSCert, "", "", 2024, 1, 2025, 6)
	}
	return p
}

// strongTechSME scores ≥ 80 on 科技型中小企业 (R&D ≥6%: 50, a class-I IP: 30,
// tech staff ≥22%: ≥16) without any 直通 route.
func (g *gen) strongTechSME(label string) plan {
	p := g.newPlan(label, techChains, false)
	p.techy = true
	p.established = g.dayIn(2012, 1, 2021, 12)
	g.since(&p, p.established, p.established.AddDate(1, 0, 0))
	p.rev25 = g.logf(1e7, 5e7)
	p.growth = [2]float64{g.f(0, 0.3), g.f(0, 0.3)}
	p.emp25 = int(p.rev25 / g.f(3e5, 6e5))
	p.empGrowth = [2]float64{g.f(0, 0.15), g.f(0, 0.15)}
	p.techShare, p.rdShare = g.f(0.22, 0.45), g.f(0.5, 0.85)
	p.rdRatio = fill3(g.f(0.062, 0.09))
	p.domShare = g.f(0.85, 1)
	p.htShare = fill3(g.f(0.5, 0.9))
	p.mainShare = fill3(g.f(0.8, 0.98))
	p.margin = fill3(g.f(0.02, 0.12))
	p.turnover = g.f(0.8, 1.5)
	p.debt = fill3(g.f(0.25, 0.6))
	p.digital = [3]int{2, 2, 2}
	p.niche.Share = ptr(g.f(0.01, 0.08))
	p.niche.StrategicEmerging, p.niche.KeyField, p.niche.GapFilling = ptr(g.p(0.6)), ptr(false), ptr(false)
	c1 := g.n(1, 3)
	p.ip = registry.IP{Class1: ptr(c1), Class1HighValue: ptr(0), Class1SelfDeveloped: ptr(c1), Class2: ptr(g.n(2, 10))}
	if g.p(0.5) {
		g.techSME(&p, 2024)
	}
	if g.p(0.3) {
		g.addAward(&p, registry.HonorRDInstitution, registry.LevelCity, 2018, 2025)
	}
	return p
}

// nearMisses are the near-miss targets: a label "program@edition:criterion"
// and the profile that fails that criterion alone (for as_of in 2026; the
// program's other editions may fail more or less). Each is equally likely.
var nearMisses = []struct {
	label string
	build func(g *gen, label string) plan
}{
	{"tech-sme@2017:tech-staff", func(g *gen, l string) plan {
		p := g.strongTechSME(l)
		p.emp25 = max(p.emp25, g.n(40, 60))
		p.techShare = g.f(0.07, 0.085) // <10%: the personnel score is 0
		return p
	}},
	{"tech-sme@2017:score", func(g *gen, l string) plan {
		p := g.strongTechSME(l)
		p.emp25 = max(p.emp25, g.n(50, 70))
		p.techShare = g.f(0.165, 0.185)      // 8 points
		p.rdRatio = fill3(g.f(0.043, 0.048)) // 30 points
		p.ip = registry.IP{Class1: ptr(0), Class1HighValue: ptr(0), Class1SelfDeveloped: ptr(0), Class2: ptr(3)}
		return p // 8 + 30 + 18 = 56 < 60
	}},
	{"tech-sme@2017:assets", func(g *gen, l string) plan {
		p := g.strongTechSME(l)
		p.rev25 = g.logf(1.2e8, 1.7e8)
		p.emp25 = min(int(p.rev25/g.f(4e5, 8e5)), 480)
		p.turnover = p.rev25 / g.f(2.05e8, 2.3e8) // assets just over 2亿
		return p
	}},
	{"innovative-sme@2022:score", (*gen).innovative55},
	{"specialized-sme@2026:revenue", func(g *gen, l string) plan {
		p := g.strongSpecialized(l)
		p.rev25 = g.f(1.4e7, 1.49e7) // <1500万, R&D still ≥100万 by rdMin
		p.emp25 = int(p.rev25 / g.f(3e5, 5e5))
		return p
	}},
	{"specialized-sme@2026:rd-ratio", func(g *gen, l string) plan {
		p := g.strongSpecialized(l)
		p.rev25 = g.f(4e7, 9e7)
		p.emp25 = int(p.rev25 / g.f(3.5e5, 7e5))
		p.rdRatio[2] = g.f(0.026, 0.029) // R&D ≥100万 but 2.6–2.9% in 2025
		return p
	}},
	{"specialized-sme@2026:niche-years", func(g *gen, l string) plan {
		p := g.strongSpecialized(l)
		// A product line started in 2023: 2 full years at the end of 2025.
		p.niche.Since = g.day(ymd(2023, 1, 2), ymd(2023, 12, 31)).Format(registry.DateLayout)
		return p
	}},
	{"specialized-sme@2026:main-share", func(g *gen, l string) plan {
		p := g.strongSpecialized(l)
		p.mainShare = fill3(g.f(0.72, 0.785))
		return p
	}},
	{"specialized-sme@2026:srdi", func(g *gen, l string) plan {
		p := g.strongSpecialized(l)
		p.srdi = [3]float64{0, g.f(42, 49), g.f(44, 49.4)}
		return p
	}},
	{"specialized-sme@2026:prerequisite", func(g *gen, l string) plan {
		p := g.strongSpecialized(l)
		// The 创新型 title lapsed in 2025 and the 2025 科技型 registration
		// ended with the year: eligible once re-certified.
		p.honors = dropKinds(p.honors, registry.HonorInnovativeSME, registry.HonorTechSME)
		g.addCert(&p, registry.HonorInnovativeSME, registry.LevelProvincial, "", 2022, 6, 2022, 12)
		g.techSME(&p, 2025)
		return p
	}},
	{"specialized-sme@2026:class1", func(g *gen, l string) plan {
		p := g.strongSpecialized(l)
		p.rev25 = g.f(5e7, 9e7)
		p.emp25 = int(p.rev25 / g.f(3.5e5, 7e5))
		p.ip = registry.IP{Class1: ptr(0), Class1HighValue: ptr(0), Class1SelfDeveloped: ptr(0), Class2: ptr(g.n(8, 25))}
		// A provincial R&D institution would exempt the firm.
		p.honors = dropKinds(p.honors, registry.HonorRDInstitution)
		g.addAward(&p, registry.HonorRDInstitution, registry.LevelCity, 2014, 2023)
		return p
	}},
	{"specialized-sme@2022:rd-amount", func(g *gen, l string) plan {
		p := g.strongSpecialized(l)
		p.rev25 = g.f(1.1e7, 1.4e7)
		p.emp25 = int(p.rev25 / g.f(3e5, 5e5))
		p.rdMin = 0
		p.rdRatio[2] = g.f(9e5, 9.8e5) / p.rev25 // 90–98万, ratio ≥6%
		return p
	}},
	{"specialized-sme@2022:revenue", func(g *gen, l string) plan {
		p := g.strongSpecialized(l)
		p.rev25 = g.f(9e6, 9.85e6) // <1000万
		p.rdMin = g.f(1.01e6, 1.05e6)
		p.emp25 = int(p.rev25 / g.f(3e5, 5e5))
		return p
	}},
	{"little-giant@2026:rd-sum", func(g *gen, l string) plan {
		p := g.strongLG(l)
		p.rev25 = g.f(1.05e8, 1.3e8)
		p.emp25 = int(p.rev25 / g.f(5e5, 1e6))
		p.rdSumMin = 0
		rev24 := p.rev25 / (1 + p.growth[1])
		p.rdRatio = fill3(g.f(1.1e7, 1.18e7) / (rev24 + p.rev25)) // <1200万, each year >4%
		return p
	}},
	{"little-giant@2026:main-share", func(g *gen, l string) plan {
		p := g.strongLG(l)
		p.mainShare = fill3(g.f(0.84, 0.885))
		return p
	}},
	{"little-giant@2026:class1", func(g *gen, l string) plan {
		p := g.strongLG(l)
		p.ip.Class1, p.ip.Class1HighValue, p.ip.Class1SelfDeveloped = ptr(3), ptr(1), ptr(3)
		return p
	}},
	{"little-giant@2026:srdi", func(g *gen, l string) plan {
		p := g.strongLG(l)
		p.srdi = [3]float64{g.f(50, 60), g.f(50, 59), g.f(52, 59.4)}
		return p
	}},
	{"little-giant@2026:growth", func(g *gen, l string) plan {
		p := g.strongLG(l)
		p.growth = [2]float64{g.f(0.02, 0.045), g.f(0.02, 0.045)} // CAGR <5%
		return p
	}},
	{"little-giant@2022:debt", func(g *gen, l string) plan {
		p := g.strongLG(l)
		p.debt = [3]float64{g.f(0.6, 0.7), g.f(0.6, 0.7), g.f(0.705, 0.745)} // ≤75% passes 2026
		return p
	}},
	{"little-giant@2022:share", func(g *gen, l string) plan {
		p := g.strongLG(l)
		p.niche.Share = ptr(g.f(0.05, 0.095))
		p.niche.DomesticRank = ptr(g.n(1, 3)) // passes 2026 by rank
		return p
	}},
	{"champion@2023:revenue", func(g *gen, l string) plan {
		p := g.strongChampion(l)
		p.mainAvg = 0
		m := p.mainShare[0]
		k := 1 + 1/(1+p.growth[1]) + 1/((1+p.growth[0])*(1+p.growth[1]))
		p.rev25 = 3 * g.f(3.7e8, 3.95e8) / (m * k) // 3-year average main revenue <4亿
		p.emp25 = int(p.rev25 / g.f(7e5, 1.5e6))
		return p
	}},
	{"champion@2023:global-rank", func(g *gen, l string) plan {
		p := g.strongChampion(l)
		p.niche.GlobalRank = ptr(g.n(4, 6))
		return p
	}},
	{"champion@2023:years", func(g *gen, l string) plan {
		p := g.strongChampion(l)
		p.niche.Since = g.day(ymd(2016, 1, 2), ymd(2016, 12, 31)).Format(registry.DateLayout) // 9 years
		return p
	}},
	{"hnte@2016:rd-ratio", func(g *gen, l string) plan {
		p := g.strongHNTE(l)
		p.rev25 = g.f(2e7, 4.8e7) // ≤5000万: the 5% tier
		p.emp25 = int(p.rev25 / g.f(3e5, 6e5))
		p.rdRatio = fill3(g.f(0.044, 0.049))
		return p
	}},
	{"hnte@2016:high-tech", func(g *gen, l string) plan {
		p := g.strongHNTE(l)
		p.htShare[2] = g.f(0.5, 0.585)
		return p
	}},
	{"hnte@2016:domestic-rd", func(g *gen, l string) plan {
		p := g.strongHNTE(l)
		p.domShare = g.f(0.4, 0.57)
		return p
	}},
	{"hnte@2016:tech-staff", func(g *gen, l string) plan {
		p := g.strongHNTE(l)
		p.emp25 = max(p.emp25, g.n(40, 60))
		p.techShare = g.f(0.07, 0.085)
		return p
	}},
	{"above-size@2011:main-revenue", func(g *gen, l string) plan {
		p := g.traditional()
		p.label = l
		ind := pick(g, aboveSizeIndustries)
		p.industry, p.chain, p.niche.Market = ind.code, ind.chain, ind.market
		p.mainShare = fill3(g.f(0.93, 1))
		p.rev25 = g.f(1.85e7, 1.985e7) / p.mainShare[2] // main revenue 1850–1985万
		p.emp25 = int(p.rev25 / g.f(2.5e5, 5e5))
		return p
	}},
}

// aboveSizeIndustries are industrial classes for the above-size near miss.
var aboveSizeIndustries = []struct{ code, chain, market string }{
	{"C3022", "", "装配式混凝土构件"}, {"C3311", "", "钢结构件"}, {"C2231", "", "纸包装箱"},
	{"C1331", "食品", "山茶油"}, {"C2041", "竹业", "新型竹板材"}, {"C1922", "箱包皮具", "旅行箱包"},
}

func (g *gen) nearMiss() plan {
	t := nearMisses[g.r.IntN(len(nearMisses))]
	p := t.build(g, "near-miss:"+t.label)
	// A near miss is about one criterion: nothing else may be in the way.
	p.incidents, p.abnormal, p.dishonest = nil, false, false
	return p
}

// innovative55 scores 55 on 创新型中小企业 (IP 5 + R&D 15 | growth 10 + debt 5 |
// field 5 + main share 15), every sub-minimum met, no 直通 route.
func (g *gen) innovative55(label string) plan {
	p := g.newPlan(label, traditionalChains, true)
	p.established = g.dayIn(2010, 1, 2020, 12)
	g.since(&p, p.established, p.established.AddDate(1, 0, 0))
	p.rev25 = g.logf(1.2e7, 4e7)
	p.growth = [2]float64{g.f(0.02, 0.12), g.f(0.065, 0.085)}
	p.emp25 = int(p.rev25 / g.f(3e5, 6e5))
	p.empGrowth = [2]float64{g.f(0, 0.08), g.f(0, 0.08)}
	p.mainShare = fill3(g.f(0.625, 0.675))
	p.htShare = fill3(g.f(0.2, 0.5))
	p.rdRatio = fill3(g.f(0.034, 0.045))
	p.techShare, p.rdShare = g.f(0.12, 0.25), g.f(0.5, 0.8)
	p.margin = fill3(g.f(0.02, 0.08))
	p.turnover = g.f(0.8, 1.5)
	p.debt = fill3(g.f(0.6, 0.7))
	p.digital = [3]int{1, 2, 2}
	p.niche.Share = ptr(g.f(0.01, 0.06))
	p.niche.StrategicEmerging, p.niche.KeyField, p.niche.GapFilling = ptr(false), ptr(false), ptr(false)
	p.ip = registry.IP{Class1: ptr(0), Class1HighValue: ptr(0), Class1SelfDeveloped: ptr(0), Class2: ptr(g.n(1, 6))}
	if g.p(0.5) {
		g.techSME(&p, 2025)
	}
	if g.p(0.5) {
		g.addCert(&p, registry.HonorQMSCert, "", "", 2024, 1, 2025, 6)
	}
	if g.p(0.3) {
		g.addAward(&p, registry.HonorRDInstitution, registry.LevelCity, 2016, 2024)
	}
	return p
}

func dropKinds(hs []registry.Honor, kinds ...string) []registry.Honor {
	var out []registry.Honor
	for _, h := range hs {
		keep := true
		for _, k := range kinds {
			if h.Kind == k {
				keep = false
			}
		}
		if keep {
			out = append(out, h)
		}
	}
	return out
}
