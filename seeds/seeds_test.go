package seeds_test

import (
	"regexp"
	"testing"

	"github.com/peiyu/peiyu/seeds"
)

func TestRegions(t *testing.T) {
	rs := seeds.Regions()
	if len(rs) != 13 {
		t.Fatalf("Regions() has %d entries, want 13 (the city and 12 counties)", len(rs))
	}
	if city := rs[0]; city.Code != "431200" || city.Name != "怀化市" || city.Level != seeds.LevelCity {
		t.Errorf("Regions()[0] = %+v, want 431200 怀化市 city", city)
	}
	seen := map[string]bool{}
	code := regexp.MustCompile(`^43[0-9]{4}$`)
	for _, r := range rs {
		if !code.MatchString(r.Code) || r.Name == "" || r.ShortName == "" || r.Parent == "" {
			t.Errorf("bad region %+v", r)
		}
		if seen[r.Code] {
			t.Errorf("duplicate region %s", r.Code)
		}
		seen[r.Code] = true
		if r.Level == seeds.LevelCounty && r.Parent != "431200" {
			t.Errorf("county %s %s has parent %s, want 431200", r.Code, r.Name, r.Parent)
		}
		if r.Level != seeds.LevelCounty && r.Level != seeds.LevelCity {
			t.Errorf("region %s has level %q", r.Code, r.Level)
		}
		got, ok := seeds.RegionByCode(r.Code)
		if !ok || got != r {
			t.Errorf("RegionByCode(%s) = %+v, %v; want %+v", r.Code, got, ok, r)
		}
	}
	for c, name := range map[string]string{"431202": "鹤城区", "431226": "麻阳苗族自治县", "431281": "洪江市"} {
		if r, ok := seeds.RegionByCode(c); !ok || r.Name != name {
			t.Errorf("RegionByCode(%s) = %+v, %v; want %s", c, r, ok, name)
		}
	}
	if _, ok := seeds.RegionByCode("430100"); ok {
		t.Error("RegionByCode(430100) found a region outside Huaihua")
	}
	rs[0].Name = "changed"
	if seeds.Regions()[0].Name != "怀化市" {
		t.Error("modifying the result of Regions() changed the table")
	}
}

func TestChains(t *testing.T) {
	cs := seeds.Chains()
	want := []string{"绿色矿业", "箱包皮具", "生物基新材料", "机械装备", "中医药", "食品", "竹业",
		"电子元器件", "新能源及其装备", "新型显示材料", "人工智能", "低空经济", "未来能源", "未来材料", "未来健康"}
	if len(cs) != len(want) {
		t.Fatalf("Chains() has %d chains, want %d", len(cs), len(want))
	}
	industry := regexp.MustCompile(`^[A-T][0-9]{4}$`)
	for k, c := range cs {
		if c.Key != want[k] {
			t.Errorf("Chains()[%d].Key = %s, want %s", k, c.Key, want[k])
		}
		if c.Group == "" || c.Source == "" || len(c.Products) == 0 || len(c.Industries) == 0 {
			t.Errorf("chain %s is incomplete: %+v", c.Key, c)
		}
		if (k < 10) != (c.System == "5+10") {
			t.Errorf("chain %s has system %q", c.Key, c.System)
		}
		manufacturing := 0
		for _, ind := range c.Industries {
			if !industry.MatchString(ind.Code) || ind.Name == "" {
				t.Errorf("chain %s: bad industry %+v", c.Key, ind)
			}
			if !seeds.HasIndustryWord(ind.Code) {
				t.Errorf("chain %s: industry %s has no name word in the generator", c.Key, ind.Code)
			}
			if ind.Code[0] == 'C' {
				manufacturing++
			}
		}
		if manufacturing == 0 {
			t.Errorf("chain %s has no manufacturing (section C) industry", c.Key)
		}
		got, ok := seeds.ChainByKey(c.Key)
		if !ok || got.Key != c.Key || len(got.Industries) != len(c.Industries) {
			t.Errorf("ChainByKey(%s) = %+v, %v", c.Key, got, ok)
		}
	}
	if _, ok := seeds.ChainByKey("房地产"); ok {
		t.Error("ChainByKey(房地产) found a chain")
	}
	cs[0].Industries[0].Code = "X"
	if c, _ := seeds.ChainByKey(cs[0].Key); c.Industries[0].Code == "X" {
		t.Error("modifying the result of Chains() changed the table")
	}
}
