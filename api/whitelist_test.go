package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/peiyu/peiyu/api"
	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/registry/storetest"
	"github.com/peiyu/peiyu/rules"
	"github.com/peiyu/peiyu/rules/whitelist"
)

// wlPack lists firms with a valid provincial-or-higher 专精特新 title: a
// stand-in for the real finance-whitelist pack, so this test is about
// publication and the bank API, not about scoring.
const wlPack = `id: finance-whitelist
edition: test
name: {zh: 测试白名单, en: Test whitelist}
effective: {from: "2020-01-01"}
basis: [测试]
criteria:
  - id: r3-title
    title: 省级以上专精特新
    kind: direct
    route: direct:r3
    basis: 测试
    expr: holds("specialized_sme", "provincial")
`

func newWhitelistAPI(t *testing.T, titled ...bool) (http.Handler, []string) {
	t.Helper()
	st := storetest.New(t)
	var codes []string
	for i, has := range titled {
		code := uscc(500 + i)
		codes = append(codes, code)
		f := registry.Firm{USCC: code, Name: "白名单测试企业", RegionCode: "431202",
			Years: []registry.Year{{Year: 2025, Revenue: i64ptr(99_000_000)}}}
		if has {
			f.Honors = []registry.Honor{{Kind: "specialized_sme", Level: "provincial", Issued: "2025-01-01", Expires: "2027-12-31"}}
		}
		if _, err := st.CreateFirm(context.Background(), f); err != nil {
			t.Fatal(err)
		}
	}
	p, err := rules.ParsePack("wl.yaml", []byte(wlPack))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rules.New([]*rules.Pack{p})
	if err != nil {
		t.Fatal(err)
	}
	h := rules.NewHolder(eng)
	wl := whitelist.New(st, h, whitelist.Config{Now: func() time.Time { return today }})
	if err := wl.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return newServer(t, st, api.Config{Firms: st, Evaluations: st, Rules: h, Whitelist: wl,
		Now: func() time.Time { return today }}).Handler(), codes
}

func i64ptr(v int64) *int64 { return &v }

func TestWhitelistBankAPI(t *testing.T) {
	h, codes := newWhitelistAPI(t, true, false, true)
	w := do(t, h, req{method: "POST", path: "/api/v1/whitelists/finance-whitelist/publish", body: `{"as_of":"2026-06-30"}`})
	if w.Code != http.StatusCreated {
		t.Fatalf("publish = %d %s", w.Code, w.Body)
	}
	var v1 registry.WhitelistVersion
	_ = json.Unmarshal(w.Body.Bytes(), &v1)
	if v1.Version != 1 || v1.Count != 2 || len(v1.Added) != 2 || len(v1.Removed) != 0 {
		t.Errorf("v1 = %+v", v1)
	}

	// One firm: listed, tier/route/titles, a receipt — and no raw figures.
	w = do(t, h, req{method: "GET", path: "/api/v1/whitelist/" + codes[0]})
	if w.Code != http.StatusOK {
		t.Fatalf("lookup = %d %s", w.Code, w.Body)
	}
	for _, leak := range []string{"99000000", "revenue", "rd_expense", "employees"} {
		if strings.Contains(w.Body.String(), leak) {
			t.Errorf("a bank answer shows %q: %s", leak, w.Body)
		}
	}
	var one whitelist.Answer
	_ = json.Unmarshal(w.Body.Bytes(), &one)
	if !one.Listed || one.Version != 1 || one.EntryRoute == nil || *one.EntryRoute != "direct:r3" || len(one.Titles) != 1 || one.ListedSince == nil {
		t.Errorf("answer = %+v", one)
	}
	w = do(t, h, req{method: "GET", path: "/api/v1/receipts/public-key"})
	var keys struct {
		Keys []whitelist.PublicKey `json:"keys"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &keys); err != nil || len(keys.Keys) != 1 {
		t.Fatalf("public keys = %s", w.Body)
	}
	if b, err := whitelist.Verify(one.Receipt, keys.Keys); err != nil || !b.Listed || b.USCC != codes[0] {
		t.Errorf("receipt: %+v, %v", b, err)
	}

	// A batch: every answer with its own receipt.
	body, _ := json.Marshal(map[string]any{"usccs": codes})
	w = do(t, h, req{method: "POST", path: "/api/v1/whitelist/lookup", body: string(body)})
	var batch struct {
		Version int                `json:"version"`
		Items   []whitelist.Answer `json:"items"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &batch); err != nil || w.Code != http.StatusOK || len(batch.Items) != 3 {
		t.Fatalf("batch = %d %s", w.Code, w.Body)
	}
	for i, a := range batch.Items {
		b, err := whitelist.Verify(a.Receipt, keys.Keys)
		if err != nil || b.USCC != codes[i] || b.Listed != (i != 1) {
			t.Errorf("batch item %d: %+v, %v", i, b, err)
		}
	}

	// Changes since version 0 and since the latest.
	w = do(t, h, req{method: "GET", path: "/api/v1/whitelists/finance-whitelist/changes?since=0"})
	var ch whitelist.Changes
	if err := json.Unmarshal(w.Body.Bytes(), &ch); err != nil || ch.From != 0 || ch.To != 1 || len(ch.Added) != 2 {
		t.Errorf("changes since 0 = %s", w.Body)
	}
	w = do(t, h, req{method: "GET", path: "/api/v1/whitelists/finance-whitelist/changes?since=1"})
	if err := json.Unmarshal(w.Body.Bytes(), &ch); err != nil || len(ch.Added) != 0 || len(ch.Removed) != 0 {
		t.Errorf("changes since 1 = %s", w.Body)
	}
	w = do(t, h, req{method: "GET", path: "/api/v1/whitelists/finance-whitelist/versions/1"})
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), codes[2]) {
		t.Errorf("version 1 = %d %s", w.Code, w.Body)
	}

	for _, tc := range []struct {
		name   string
		r      req
		status int
		code   string
		field  string
	}{
		{"bad uscc", req{method: "GET", path: "/api/v1/whitelist/123"}, 400, api.CodeInvalid, "uscc"},
		{"empty batch", req{method: "POST", path: "/api/v1/whitelist/lookup", body: `{"usccs":[]}`}, 400, api.CodeBadRequest, "usccs"},
		{"bad code in batch", req{method: "POST", path: "/api/v1/whitelist/lookup", body: `{"usccs":["` + codes[0] + `","nope"]}`}, 400, api.CodeInvalid, "usccs[1]"},
		{"too many", req{method: "POST", path: "/api/v1/whitelist/lookup", body: `{"usccs":[` + strings.Repeat(`"`+codes[0]+`",`, 1000) + `"` + codes[0] + `"]}`}, 400, api.CodeBadRequest, "usccs"},
		{"operator", req{method: "POST", path: "/api/v1/whitelist/lookup", body: `{"usccs":{"$ne":null}}`}, 400, api.CodeBadRequest, "usccs"},
		{"future version", req{method: "GET", path: "/api/v1/whitelists/finance-whitelist/changes?since=9"}, 400, api.CodeBadRequest, "since"},
		{"no such version", req{method: "GET", path: "/api/v1/whitelists/finance-whitelist/versions/7"}, 404, api.CodeNotFound, ""},
		{"no such list", req{method: "GET", path: "/api/v1/whitelists/other/changes"}, 404, api.CodeNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := mustEnvelope(t, do(t, h, tc.r), tc.status, tc.code)
			if tc.field != "" && !strings.Contains(strings.Join(fields(e), ","), tc.field) {
				t.Errorf("details %v do not name %s", fields(e), tc.field)
			}
		})
	}
}
