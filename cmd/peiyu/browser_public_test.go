package main

// Browser tests of the public and enterprise/bank pages
// (api/web/pages/{index,bank,myfirm}.html) through the harness in
// browser_test.go: the anonymous self-check typed in by hand and filled
// with the example, each compared with the API's answer for the very
// profile the page sent; a validation error shown next to its input; the
// bank lookup of a listed and an unlisted firm, its signed receipts
// downloaded and verified, the versions, changes and public keys; and the
// enterprise's own page. Every page is saved under screenshots/.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/peiyu/peiyu/registry"
	"github.com/peiyu/peiyu/rules/whitelist"
)

// pubAsOf is the evaluation date the self-check tests type in, so that the
// expected statuses do not move with the calendar.
const pubAsOf = "2026-06-30"

// pubWait waits until the JavaScript condition js holds, failing the test
// with what and the text of the page.
func pubWait(b *browserEnv, what, js string, timeout time.Duration) {
	b.t.Helper()
	if err := b.waitJS(js, timeout); err != nil {
		var body string
		_ = chromedp.Run(b.Ctx, chromedp.Evaluate(`document.querySelector("main") ? document.querySelector("main").innerText : ""`, &body))
		b.t.Fatalf("%s: %v; the page shows: %.800s", what, err, body)
	}
}

// pubCall sends body (any JSON value, or nil) with key ("" for none) and
// decodes the answer into out, failing unless the status is want.
func pubCall(t *testing.T, method, url, key string, body any, want int, out any) {
	t.Helper()
	var s string
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		s = string(b)
	}
	h := map[string]string{"Authorization": ""}
	if key != "" {
		h["Authorization"] = "Bearer " + key
	}
	resp, got := call(t, method, url, s, h)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, url, resp.StatusCode, want, got)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, got)
		}
	}
}

// pageStatuses reads each program card's status from the results view.
func pageStatuses(b *browserEnv) map[string]string {
	var m map[string]string
	b.Eval(`Object.fromEntries([...document.querySelectorAll("#results section.result")].map(s => [s.dataset.program, s.dataset.status]))`, &m)
	return m
}

type pubAnswer struct {
	AsOf    string `json:"as_of"`
	Results []struct {
		Program string
		Status  string
	}
}

func (a pubAnswer) statuses() map[string]string {
	m := map[string]string{}
	for _, r := range a.Results {
		m[r.Program] = r.Status
	}
	return m
}

// setAsOf sets the self-check's evaluation date as a person would.
func setAsOf(b *browserEnv, d string) {
	b.t.Helper()
	b.Run("as_of", chromedp.Evaluate(fmt.Sprintf(`(() => { const i = document.querySelector("#as-of"); i.value = %q; i.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, d), nil))
	pubWait(b, "the year columns follow the date", fmt.Sprintf(`!!document.querySelector("[data-path='years.%d.revenue']")`, 2025), 5*time.Second)
}

// TestBrowserSelfCheck: a profile typed into the form for two chosen
// programs (the form hides the fields they do not use) is sent with empty
// inputs left out and shows the statuses the API gives for it; a
// validation error is shown next to its input in plain Chinese; the
// example profile evaluated against every program shows the API's
// statuses, the ladder and every program's card.
func TestBrowserSelfCheck(t *testing.T) {
	b := newBrowser(t, 20)
	b.Open("/")
	pubWait(b, "the form", `document.querySelector("#selfcheck") && document.querySelector("#selfcheck").dataset.ready === "true"`, 20*time.Second)
	setAsOf(b, pubAsOf)

	// Start from two programs: the niche fields are hidden (neither reads
	// them), the fiscal-year rows they read are shown.
	b.Run("choose programs",
		chromedp.Click("[data-testid=prog-tech-sme]", chromedp.ByQuery),
		chromedp.Click("[data-testid=prog-above-size]", chromedp.ByQuery))
	pubWait(b, "fields hidden for the chosen programs", `document.querySelector("[data-need='niche.share']").classList.contains("not-needed")
		&& !document.querySelector("tr[data-need='years.rd_expense']").classList.contains("not-needed")
		&& document.querySelector("tr[data-need='years.net_profit']").classList.contains("not-needed")`, 10*time.Second)

	y := "[data-path='years.2025."
	b.Run("type the profile",
		chromedp.SendKeys("[data-path=name]", "浏览器测试企业", chromedp.ByQuery),
		chromedp.SendKeys("[data-path=industry_code]", "C3562", chromedp.ByQuery),
		chromedp.SendKeys(y+"employees']", "120", chromedp.ByQuery),
		chromedp.SendKeys(y+"tech_staff']", "30", chromedp.ByQuery),
		chromedp.SendKeys(y+"revenue']", "56,000,000", chromedp.ByQuery),
		chromedp.SendKeys(y+"main_revenue']", "52000000", chromedp.ByQuery),
		chromedp.SendKeys(y+"total_cost']", "45000000", chromedp.ByQuery),
		chromedp.SendKeys(y+"rd_expense']", "3000000", chromedp.ByQuery),
		chromedp.SendKeys(y+"total_assets']", "80000000", chromedp.ByQuery),
		chromedp.SendKeys("[data-path='ip.class1']", "3", chromedp.ByQuery),
		chromedp.SendKeys("[data-path='ip.class2']", "10", chromedp.ByQuery),
		chromedp.SetValue("[data-path='compliance.abnormal_list']", "false", chromedp.ByQuery),
		chromedp.SetValue("[data-path='compliance.serious_dishonesty']", "false", chromedp.ByQuery),
		chromedp.SetValue("[data-path='compliance.prohibited_industry']", "false", chromedp.ByQuery),
		chromedp.SetValue("#had-incidents", "no", chromedp.ByQuery))
	b.Shot("selfcheck-form")

	// What the page sends: exactly the typed values, nothing for the
	// empty inputs.
	profile := map[string]any{
		"name": "浏览器测试企业", "industry_code": "C3562",
		"years": []any{map[string]any{"year": 2025, "employees": 120, "tech_staff": 30, "revenue": 56000000,
			"main_revenue": 52000000, "total_cost": 45000000, "rd_expense": 3000000, "total_assets": 80000000}},
		"ip":         map[string]any{"class1": 3, "class2": 10},
		"compliance": map[string]any{"abnormal_list": false, "serious_dishonesty": false, "prohibited_industry": false},
	}
	req := map[string]any{"profile": profile, "as_of": pubAsOf, "programs": []any{"tech-sme", "above-size"}}
	var sent string
	b.Eval(`JSON.stringify(PeiyuSelfCheck.collect())`, &sent)
	var got, want any
	_ = json.Unmarshal([]byte(sent), &got)
	wb, _ := json.Marshal(req)
	_ = json.Unmarshal(wb, &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the page sends\n%s\nwant\n%s", sent, wb)
	}

	b.Run("submit", chromedp.Click("#submit", chromedp.ByQuery))
	pubWait(b, "the results", `document.querySelectorAll("#results section.result").length === 2`, 20*time.Second)
	var api pubAnswer
	pubCall(t, "POST", b.Base+"/api/v1/self-check", "", req, 200, &api)
	if st := pageStatuses(b); !reflect.DeepEqual(st, api.statuses()) {
		t.Errorf("page statuses %v, the API says %v", st, api.statuses())
	}
	// Hand-checked: tech-sme scores 16+40+30 = 86 with the accounting
	// declaration to confirm; main-business revenue 5200万 ≥ 2000万 in
	// manufacturing is above-size.
	if st := pageStatuses(b); st["tech-sme"] != "needs_review" || st["above-size"] != "eligible" {
		t.Errorf("statuses %v, want tech-sme needs_review and above-size eligible", st)
	}
	b.WaitText("#r-tech-sme", "86", 5*time.Second)
	b.WaitText("#r-tech-sme", "115号 第七条", 5*time.Second)
	b.WaitText("#ladder", "科技型中小企业", 5*time.Second)
	b.Shot("selfcheck-result")

	// A validation error is shown at its input, in Chinese only.
	b.Run("more tech staff than employees", chromedp.Evaluate(`(() => {
		const n = document.querySelector("[data-path='years.2025.tech_staff']");
		n.value = "500"; n.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, nil),
		chromedp.Click("#submit", chromedp.ByQuery))
	b.WaitText("#error-list", "2025年科技人员数", 15*time.Second)
	b.WaitText("#error-list", "不能大于职工总数", 5*time.Second)
	var atInput, list string
	b.Eval(`document.querySelector("[data-path='years.2025.tech_staff']").closest("td").querySelector(".field-error").innerText`, &atInput)
	b.Eval(`document.querySelector("#error-list").innerText`, &list)
	if !strings.Contains(atInput, "不能大于职工总数") {
		t.Errorf("the tech staff input shows %q, want the problem", atInput)
	}
	if strings.Contains(list, "must not") {
		t.Errorf("the error list shows English: %q", list)
	}
	b.Shot("selfcheck-errors")

	// The example profile against every program.
	b.Open("/")
	pubWait(b, "the form", `document.querySelector("#selfcheck") && document.querySelector("#selfcheck").dataset.ready === "true"`, 20*time.Second)
	setAsOf(b, pubAsOf)
	b.Run("example", chromedp.Click("[data-testid=fill-example]", chromedp.ByQuery), chromedp.Click("#submit", chromedp.ByQuery))
	pubWait(b, "the results", `document.querySelectorAll("#results section.result").length >= 10`, 30*time.Second)
	b.Eval(`JSON.stringify(PeiyuSelfCheck.collect())`, &sent)
	var exReq map[string]any
	if err := json.Unmarshal([]byte(sent), &exReq); err != nil || exReq["programs"] != nil {
		t.Fatalf("example request %s (%v): want no program list", sent, err)
	}
	var ex pubAnswer
	pubCall(t, "POST", b.Base+"/api/v1/self-check", "", exReq, 200, &ex)
	if st := pageStatuses(b); !reflect.DeepEqual(st, ex.statuses()) {
		t.Errorf("example: page statuses %v, the API says %v", st, ex.statuses())
	}
	if len(ex.Results) < 10 {
		t.Errorf("example: %d results, want every program", len(ex.Results))
	}
	// The example holds a valid HNTE title, the first rung is within
	// reach and the second is the next one.
	b.WaitText("#ladder-summary", "下一目标", 5*time.Second)
	var next string
	b.Eval(`(document.querySelector("#ladder .rung.next") || {innerText: ""}).innerText`, &next)
	if !strings.Contains(next, "专精特新中小企业") {
		t.Errorf("the next rung is %q, want 专精特新中小企业", next)
	}
	b.WaitText("#r-kv-loan", "金融评估结果", 5*time.Second)
	b.Shot("selfcheck-example")

	// The same view on a phone.
	b.Run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	var overflow bool
	b.Eval(`document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow)
	if overflow {
		t.Errorf("the self-check is wider than a phone screen")
	}
	b.Shot("selfcheck-phone")
	b.NoPageErrors()
}

// TestBrowserBank: a bank key looks up a listed and an unlisted firm on the
// published whitelist, downloads the signed receipts (which verify with
// the published keys), reads the versions, the changes since version 0
// and the public keys.
func TestBrowserBank(t *testing.T) {
	b := newBrowser(t, 20)
	var v struct{ Version, Count int }
	pubCall(t, "POST", b.Base+"/api/v1/whitelists/finance-whitelist/publish", testAdminKey, nil, 201, &v)
	var version struct {
		Entries []struct{ USCC string }
	}
	pubCall(t, "GET", fmt.Sprintf("%s/api/v1/whitelists/finance-whitelist/versions/%d", b.Base, v.Version), testAdminKey, nil, 200, &version)
	if len(version.Entries) == 0 {
		t.Fatalf("the published whitelist is empty")
	}
	listed := version.Entries[0].USCC
	// A valid code that is not in the registry is not listed.
	body := "91431202MA4PY0001"
	c, ok := registry.USCCCheckChar(body)
	if !ok {
		t.Fatalf("no check character for %s", body)
	}
	unlisted := body + string(c)

	key := newKeyFor(t, b.Base, "bank", "测试银行", "")
	b.SignIn(key)
	pubWait(b, "the bank page", `location.pathname === "/web/bank"`, 10*time.Second)
	b.WaitText("[data-testid=current-version]", fmt.Sprintf("第 %d 版", v.Version), 15*time.Second)

	b.Run("look up two firms",
		chromedp.SendKeys("#usccs", listed+"\n"+strings.ToLower(unlisted), chromedp.ByQuery),
		chromedp.Click("#lookup-btn", chromedp.ByQuery))
	pubWait(b, "the lookup table", `document.querySelectorAll("#lookup-table tbody tr").length === 2`, 15*time.Second)
	b.WaitText("[data-testid=listed-"+listed+"]", "已列入", 5*time.Second)
	b.WaitText("[data-testid=listed-"+unlisted+"]", "未列入", 5*time.Second)
	b.WaitText("#lookup-summary", "已列入 1 家，未列入 1 家", 5*time.Second)
	var ans struct {
		Tier *string
	}
	pubCall(t, "GET", b.Base+"/api/v1/whitelist/"+listed, key, nil, 200, &ans)
	if ans.Tier != nil {
		b.WaitText(`#lookup-table tr[data-uscc="`+listed+`"]`, *ans.Tier+"档", 5*time.Second)
	}
	b.Shot("bank-lookup")

	// The receipts file verifies against the published keys.
	dir := t.TempDir()
	b.Run("downloads", browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(dir))
	b.Run("download receipts", chromedp.Click("[data-testid=download-receipts]", chromedp.ByQuery))
	var file string
	for deadline := time.Now().Add(15 * time.Second); file == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		m, _ := filepath.Glob(filepath.Join(dir, "whitelist-receipts-*.json"))
		if len(m) > 0 {
			file = m[0]
		}
	}
	if file == "" {
		t.Fatalf("no receipts file downloaded")
	}
	doc, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	receipts, err := findReceipts(doc)
	if err != nil || len(receipts) != 2 {
		t.Fatalf("receipts file: %d receipts, %v", len(receipts), err)
	}
	var keys struct{ Keys []whitelist.PublicKey }
	pubCall(t, "GET", b.Base+"/api/v1/receipts/public-key", "", nil, 200, &keys)
	seen := map[string]bool{}
	for _, r := range receipts {
		rb, err := whitelist.Verify(r, keys.Keys)
		if err != nil {
			t.Fatalf("receipt does not verify: %v", err)
		}
		seen[rb.USCC] = rb.Listed
	}
	if l, ok := seen[listed]; !ok || !l {
		t.Errorf("receipts %v: want %s listed", seen, listed)
	}
	if l, ok := seen[unlisted]; !ok || l {
		t.Errorf("receipts %v: want %s not listed", seen, unlisted)
	}

	// One firm alone (GET /whitelist/{uscc}); a bad code is refused with
	// its position.
	b.Run("one firm", chromedp.SetValue("#usccs", listed, chromedp.ByQuery), chromedp.Click("#lookup-btn", chromedp.ByQuery))
	b.WaitText("#lookup-summary", "共查询 1 家：已列入 1 家", 15*time.Second)
	b.Run("a bad code", chromedp.SetValue("#usccs", listed+","+body+"X", chromedp.ByQuery), chromedp.Click("#lookup-btn", chromedp.ByQuery))
	b.WaitText("#lookup-msg", "第2个（"+body+"X）", 15*time.Second)

	// Versions and changes.
	b.Run("versions tab", chromedp.Click("#tab-btn-versions", chromedp.ByQuery))
	pubWait(b, "the versions", fmt.Sprintf(`!!document.querySelector('#versions-table tr[data-version="%d"]')`, v.Version), 15*time.Second)
	b.Run("changes", chromedp.SetValue("#since", "0", chromedp.ByQuery), chromedp.Click("#changes-btn", chromedp.ByQuery))
	b.WaitText("#changes-summary", fmt.Sprintf("新增 %d 家", v.Count), 15*time.Second)
	b.Shot("bank-versions")

	// The keys and how to verify.
	b.Run("receipts tab", chromedp.Click("#tab-btn-receipts", chromedp.ByQuery))
	b.WaitText("[data-testid=keys]", keys.Keys[0].KeyID, 15*time.Second)
	b.WaitText("#tab-receipts", "peiyu receipts verify --keys keys.json", 5*time.Second)
	b.Shot("bank-receipts")
	b.NoPageErrors()
}

// TestBrowserMyFirm: an enterprise key sees its own firm, its eligibility
// (the statuses of GET …/eligibility), the history and the bank that looked
// it up.
func TestBrowserMyFirm(t *testing.T) {
	b := newBrowser(t, 20)
	var list struct{ Items []struct{ USCC, Name string } }
	pubCall(t, "GET", b.Base+"/api/v1/firms?limit=1", testAdminKey, nil, 200, &list)
	if len(list.Items) == 0 {
		t.Fatal("no demo firm")
	}
	firm := list.Items[0]
	pubCall(t, "POST", b.Base+"/api/v1/whitelists/finance-whitelist/publish", testAdminKey, nil, 201, nil)
	bank := newKeyFor(t, b.Base, "bank", "测试银行", "")
	pubCall(t, "GET", b.Base+"/api/v1/whitelist/"+firm.USCC, bank, nil, 200, nil)
	// The lookup's audit entry is written just behind the answer: wait for
	// it before the page reads the firm's lookups.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var seen struct{ Items []json.RawMessage }
		pubCall(t, "GET", b.Base+"/api/v1/firms/"+firm.USCC+"/lookups", testAdminKey, nil, 200, &seen)
		if len(seen.Items) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the bank's lookup never reached the audit log")
		}
	}

	key := newKeyFor(t, b.Base, "enterprise", "企业自己", firm.USCC)
	b.SignIn(key)
	pubWait(b, "the enterprise page", `location.pathname === "/web/myfirm"`, 10*time.Second)
	b.WaitText("#firm-name", firm.Name, 15*time.Second)
	b.WaitText("[data-testid=profile]", firm.USCC, 5*time.Second)
	pubWait(b, "the eligibility", `document.querySelectorAll("#results section.result").length >= 10`, 30*time.Second)
	var api pubAnswer
	pubCall(t, "GET", b.Base+"/api/v1/firms/"+firm.USCC+"/eligibility", key, nil, 200, &api)
	if st := pageStatuses(b); !reflect.DeepEqual(st, api.statuses()) {
		t.Errorf("page statuses %v, the API says %v", st, api.statuses())
	}
	pubWait(b, "the history", `document.querySelectorAll("#history-table tbody tr").length >= 10`, 15*time.Second)
	b.WaitText("[data-testid=lookups]", "测试银行", 15*time.Second)
	b.Shot("myfirm")

	// "试算" carries the firm's record into the self-check form.
	b.Run("try it", chromedp.Click("#try-selfcheck", chromedp.ByQuery))
	pubWait(b, "the filled self-check", `location.pathname === "/" && document.querySelector("#selfcheck") && document.querySelector("#selfcheck").dataset.ready === "true"`, 20*time.Second)
	var name string
	b.Eval(`document.querySelector("[data-path=name]").value`, &name)
	if name != firm.Name {
		t.Errorf("the self-check form has name %q, want %q", name, firm.Name)
	}
	b.NoPageErrors()
}
