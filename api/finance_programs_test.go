package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// The finance programs (issue 5) through the API: their outputs in the
// self-check answer, each labelled with its source, and their packs in the
// program listing.

// kvLoanB75 is the kv-loan pack's “grade B exactly at 75” case: 20 + 20 +
// 12 + 8 + 6 + 5 + 4 = 75, line min(600万, 500万, 0.5 × 800万) = 400万.
const kvLoanB75 = `{"region_code": "431281", "industry_code": "C3562", "established": "2015-03-01",
 "years": [{"year": 2025, "employees": 100, "tech_staff": 20, "revenue": 8000000, "high_tech_revenue": 2400000,
            "rd_expense": 480000, "tech_contract_turnover": 1000000}],
 "ip": {"class1": 2},
 "honors": [{"kind": "hnte", "level": "national", "issued": "2024-12-01"},
            {"kind": "rd_institution", "level": "provincial", "issued": "2020-01-01"}],
 "compliance": {"abnormal_list": false, "serious_dishonesty": false, "prohibited_industry": false}}`

// whitelistA80 is the whitelist pack's “tier A exactly at 80” case.
const whitelistA80 = `{"region_code": "431202", "industry_code": "C3562", "chain": "机械装备", "established": "2015-03-01",
 "years": [{"year": 2025, "revenue": 55000000, "net_profit": 5500000, "total_assets": 100000000,
            "total_liabilities": 60000000, "rd_expense": 550000},
           {"year": 2024, "revenue": 50000000}],
 "compliance": {"abnormal_list": false, "serious_dishonesty": false, "prohibited_industry": false}}`

type financeResult struct {
	Program    string   `json:"program"`
	Edition    string   `json:"edition"`
	Status     string   `json:"status"`
	Route      *string  `json:"route"`
	Score      *float64 `json:"score"`
	Grade      string   `json:"grade"`
	Tier       string   `json:"tier"`
	CreditLine *float64 `json:"credit_line"`
	Outputs    map[string]struct {
		Source string `json:"source"`
		Basis  string `json:"basis"`
		Note   string `json:"note"`
	} `json:"outputs"`
}

func selfCheckFinance(t *testing.T, profile, program string) financeResult {
	t.Helper()
	w := do(t, newAPI(t), req{method: "POST", path: "/api/v1/self-check", anon: true,
		body: `{"profile":` + profile + `,"as_of":"2026-06-30","programs":["` + program + `"]}`})
	if w.Code != 200 {
		t.Fatalf("self-check %s: %d %s", program, w.Code, w.Body)
	}
	var resp struct{ Results []financeResult }
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || len(resp.Results) != 1 {
		t.Fatalf("decode: %v %s", err, w.Body)
	}
	return resp.Results[0]
}

func TestSelfCheckKVLoan(t *testing.T) {
	r := selfCheckFinance(t, kvLoanB75, "kv-loan")
	if r.Edition != "hunan-2025" || r.Status != "needs_review" || r.Route == nil || *r.Route != "score" ||
		r.Score == nil || *r.Score != 75 || r.Grade != "B" || r.CreditLine == nil || *r.CreditLine != 4000000 {
		t.Errorf("result = %+v", r)
	}
	if g := r.Outputs["grade"]; g.Source != "engine-default" || !strings.Contains(g.Note, "B（≥75分）") {
		t.Errorf("outputs.grade = %+v", g)
	}
	if c := r.Outputs["credit_line"]; c.Source != "engine-default" ||
		!strings.Contains(c.Note, "湖南单笔贷款上限¥5,000,000（official）") || !strings.Contains(c.Note, "→ ¥4,000,000") {
		t.Errorf("outputs.credit_line = %+v", c)
	}
}

func TestSelfCheckFinanceWhitelist(t *testing.T) {
	r := selfCheckFinance(t, whitelistA80, "finance-whitelist@huaihua")
	if r.Status != "needs_review" || r.Route == nil || *r.Route != "score" || r.Score == nil || *r.Score != 80 || r.Tier != "A" {
		t.Errorf("result = %+v", r)
	}
	if o := r.Outputs["tier"]; o.Source != "engine-default" || o.Basis == "" {
		t.Errorf("outputs.tier = %+v", o)
	}
}

func TestProgramsListFinance(t *testing.T) {
	h := newAPI(t)
	w := do(t, h, req{method: "GET", path: "/api/v1/programs?as_of=2026-06-30", anon: true})
	var list struct {
		Items []struct {
			ID      string `json:"id"`
			InForce string `json:"in_force"`
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"kv-loan": "hunan-2025", "finance-whitelist": "huaihua"}
	for _, it := range list.Items {
		if ed, ok := want[it.ID]; ok && it.InForce == ed {
			delete(want, it.ID)
		}
	}
	if len(want) > 0 {
		t.Errorf("GET /programs lacks %v: %s", want, w.Body)
	}
	w = do(t, h, req{method: "GET", path: "/api/v1/programs/kv-loan@hunan-2025", anon: true})
	var detail struct {
		Editions []struct {
			Parameters map[string]struct{ Source string }
			Outputs    map[string]struct{ Source, Basis string }
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &detail); err != nil || len(detail.Editions) != 1 {
		t.Fatalf("decode: %v %s", err, w.Body)
	}
	pk := detail.Editions[0]
	if pk.Parameters["program_cap"].Source != "official" || pk.Parameters["revenue_factor"].Source != "engine-default" ||
		pk.Outputs["credit_line"].Source != "engine-default" {
		t.Errorf("pack = %+v", pk)
	}
}
