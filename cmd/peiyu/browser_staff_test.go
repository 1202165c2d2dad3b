package main

// Browser tests of the bureau staff pages (api/web/pages/{firms,firm,
// screenings,near-misses,targets,simulate,whitelist,import}.html) through
// the harness in browser_test.go: a staff key signs in, runs a screening
// from the page, reads the cultivation pool, the targets dashboard (its
// SVG bars checked against GET /api/v1/targets), a firm with a title about
// to expire, a simulation with a draft and its publication, the whitelist
// publication and the import page. Every page is saved under screenshots/.

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// staffSignIn makes a staff key for region and signs the browser in with it.
func staffSignIn(t *testing.T, b *browserEnv, name, region string) string {
	t.Helper()
	k := newKeyFor(t, b.Base, "staff", name, region)
	b.SignIn(k)
	b.WaitText("header.top", "工作人员", 10*time.Second)
	return k
}

// getJSON calls the API with key and decodes the answer.
func getJSON(t *testing.T, base, key, path string, out any) {
	t.Helper()
	resp, body := call(t, "GET", base+path, "", map[string]string{"Authorization": "Bearer " + key})
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// waitFor waits until the JavaScript condition js holds (through page
// loads), failing the test with what and the page's text.
func (b *browserEnv) waitFor(what, js string, timeout time.Duration) {
	b.t.Helper()
	if err := b.waitJS(js, timeout); err != nil {
		var body string
		_ = chromedp.Run(b.Ctx, chromedp.Evaluate(`document.querySelector("main") ? document.querySelector("main").innerText : ""`, &body))
		b.t.Fatalf("%s: %v; the page shows: %.800s", what, err, body)
	}
}

// TestBrowserStaffScreening: a county staff key lands on the firm list,
// starts a screening from the page, watches it finish with the summary
// per program and status equal to the job's, pages through results, then
// reads the cultivation pool, which comes from that screening and shows
// each firm's failing criteria with their gaps.
func TestBrowserStaffScreening(t *testing.T) {
	b := newBrowser(t, 0)
	key := staffSignIn(t, b, "鹤城区工信局", "431202")

	// The firm list (the staff home page) is limited to the key's region.
	b.WaitText("[data-testid=firm-total]", "家企业", 20*time.Second)
	var list struct{ Total int }
	getJSON(t, b.Base, key, "/api/v1/firms?limit=1", &list)
	b.WaitText("[data-testid=firm-total]", fmt.Sprintf("共 %d 家企业", list.Total), 5*time.Second)
	var regionOptions []string
	b.Eval(`[...document.querySelectorAll("#f-region option")].map(o => o.value)`, &regionOptions)
	if len(regionOptions) != 1 || regionOptions[0] != "431202" {
		t.Errorf("a 鹤城区 key's region choices = %v, want only 431202", regionOptions)
	}
	b.Shot("staff-firms")
	// An export with the same filters saves a file (no error shown).
	b.Run("export", chromedp.Click("[data-testid=export-csv]", chromedp.ByQuery))
	b.waitFor("the export", `!document.querySelector("[data-testid=export-csv]").disabled`, 30*time.Second)
	b.waitFor("no export error", `!document.querySelector("#msg .alert")`, 2*time.Second)

	// Start a screening of two programs from the page.
	b.Open("/web/screenings")
	b.waitFor("program checkboxes", `document.querySelectorAll("#programs input[type=checkbox]").length >= 9`, 15*time.Second)
	b.Run("choose programs",
		chromedp.Evaluate(`for (const c of document.querySelectorAll("#programs input")) c.checked = ["specialized-sme", "little-giant"].includes(c.value); true`, nil),
		chromedp.Click("#start", chromedp.ByQuery))
	b.waitFor("the job page", `location.search.startsWith("?id=")`, 15*time.Second)
	b.WaitText("[data-testid=job]", "已完成", 120*time.Second)
	b.waitFor("summary table", `document.querySelectorAll("#summary-table tbody tr").length === 2`, 10*time.Second)
	var id string
	b.Eval(`new URLSearchParams(location.search).get("id")`, &id)
	var job struct {
		Status  string
		Total   int
		Done    int
		Summary map[string]map[string]int
	}
	getJSON(t, b.Base, key, "/api/v1/screenings/"+id, &job)
	if job.Status != "done" || job.Done != list.Total {
		t.Errorf("job %s: status %s, done %d, want done over %d firms", id, job.Status, job.Done, list.Total)
	}
	var cells map[string]map[string]string
	b.Eval(`Object.fromEntries([...document.querySelectorAll("#summary-table tbody tr")].map(tr =>
		[tr.dataset.program, Object.fromEntries([...tr.querySelectorAll("td[data-status]")].map(td => [td.dataset.status, td.innerText.trim()]))]))`, &cells)
	for _, p := range []string{"specialized-sme", "little-giant"} {
		for _, st := range []string{"eligible", "needs_review", "ineligible", "insufficient_data"} {
			if want := fmt.Sprint(job.Summary[p][st]); cells[p][st] != want {
				t.Errorf("summary %s/%s shows %q, the job says %s", p, st, cells[p][st], want)
			}
		}
	}
	b.WaitText("[data-testid=progress-text]", fmt.Sprintf("%d / %d", job.Done, job.Total), 5*time.Second)
	b.waitFor("results rows", `document.querySelectorAll("#results-table tbody tr[data-uscc]").length > 0`, 20*time.Second)
	b.Shot("staff-screening-job")

	// A click on an ineligible count filters the results by it.
	b.Run("filter by a count", chromedp.Click(`#summary-table tr[data-program="little-giant"] td[data-status="ineligible"] a`, chromedp.ByQuery))
	want := job.Summary["little-giant"]["ineligible"]
	b.WaitText("[data-testid=results-total]", fmt.Sprintf("共 %d 条", want), 15*time.Second)
	var progs []string
	b.Eval(`[...new Set([...document.querySelectorAll("#results-table tbody tr[data-program]")].map(tr => tr.dataset.program))]`, &progs)
	if len(progs) != 1 || progs[0] != "little-giant" {
		t.Errorf("filtered results hold programs %v, want only little-giant", progs)
	}

	// The list page shows the job.
	b.Open("/web/screenings")
	b.waitFor("the job in the list", fmt.Sprintf(`!!document.querySelector('#jobs-table tr[data-id=%q]')`, id), 15*time.Second)
	b.Shot("staff-screenings")

	// The cultivation pool comes from that screening.
	b.Open("/web/near-misses?program=little-giant")
	b.waitFor("near-miss items", `document.querySelectorAll("[data-testid=nm-item]").length > 0 || /没有差一项/.test(document.querySelector("#list").innerText)`, 30*time.Second)
	var nm struct {
		Source struct {
			Screening *string
			Live      bool
		}
		Total int
		Items []struct {
			USCC    string
			Failing []struct {
				GapText string `json:"gap_text"`
			}
		}
	}
	getJSON(t, b.Base, key, "/api/v1/near-misses?program=little-giant&region_code=431202&limit=50", &nm)
	var shown []string
	b.Eval(`[...document.querySelectorAll("[data-testid=nm-item]")].map(n => n.dataset.uscc)`, &shown)
	if len(shown) != len(nm.Items) {
		t.Errorf("near-misses shows %d firms, the API %d", len(shown), len(nm.Items))
	}
	for i := range min(len(shown), len(nm.Items)) {
		if shown[i] != nm.Items[i].USCC {
			t.Errorf("near-miss %d is %s, the API's %s", i, shown[i], nm.Items[i].USCC)
			break
		}
	}
	if nm.Source.Screening == nil || *nm.Source.Screening != id {
		t.Errorf("near-miss source %+v, want the screening %s", nm.Source, id)
	}
	b.WaitText("[data-testid=nm-source]", "来自筛查任务", 5*time.Second)
	if len(nm.Items) == 0 {
		t.Fatal("the demo data have no little-giant near-miss in 431202")
	}
	var gaps []string
	b.Eval(`[...document.querySelectorAll("[data-testid=nm-item]")].slice(0, 5).map(n => [...n.querySelectorAll("[data-testid=gap]")].map(td => td.innerText).join("|"))`, &gaps)
	for i, g := range gaps {
		if strings.Trim(g, "|— ") == "" {
			t.Errorf("near-miss %d shows no gap", i)
		}
	}
	b.Shot("staff-near-misses")

	// Every program, live or from the screening, renders too.
	b.Open("/web/near-misses")
	b.waitFor("near-miss items, every program", `document.querySelectorAll("[data-testid=nm-item]").length > 0`, 60*time.Second)
	b.NoPageErrors()
}

// TestBrowserStaffTargets: the dashboard draws one SVG chart per target
// whose bars carry the numbers GET /api/v1/targets gives, shows each
// status and reason, and takes a snapshot.
func TestBrowserStaffTargets(t *testing.T) {
	b := newBrowser(t, 0)
	key := staffSignIn(t, b, "怀化市工信局", "431200")
	b.Open("/web/targets?region_code=431200&year=2026")
	b.waitFor("target cards", `document.querySelectorAll("[data-testid=target-card] svg.chart rect.bar").length > 0`, 60*time.Second)

	type target struct {
		ID       string
		Title    string
		Goal     float64
		Actual   *float64
		Pipeline *float64
		NearMiss *float64 `json:"near_miss"`
		Status   string
		Reason   string
		Unit     string
	}
	var api struct{ Items []target }
	getJSON(t, b.Base, key, "/api/v1/targets?region_code=431200&year=2026", &api)
	if len(api.Items) == 0 {
		t.Fatal("no 2026 targets for 431200")
	}
	type card struct {
		Status string
		Reason string
		Bars   map[string]float64
	}
	var cards map[string]card
	b.Eval(`Object.fromEntries([...document.querySelectorAll("[data-testid=target-card]")].map(c => [c.dataset.targetId, {
		status: c.dataset.status,
		reason: c.querySelector("[data-testid=reason]").innerText,
		bars: Object.fromEntries([...c.querySelectorAll("svg.chart rect.bar")].map(r => [r.dataset.kind, Number(r.dataset.value)])),
	}]))`, &cards)
	if len(cards) != len(api.Items) {
		t.Errorf("the page shows %d targets, the API %d", len(cards), len(api.Items))
	}
	same := func(got float64, ok bool, want *float64) bool {
		if want == nil {
			return !ok
		}
		return ok && math.Abs(got-*want) < 1e-9
	}
	for _, it := range api.Items {
		c, ok := cards[it.ID]
		if !ok {
			t.Errorf("target %s is not shown", it.ID)
			continue
		}
		if c.Status != it.Status || c.Reason != it.Reason {
			t.Errorf("%s: status %q reason %q, the API %q %q", it.ID, c.Status, c.Reason, it.Status, it.Reason)
		}
		if g, ok := c.Bars["goal"]; !ok || g != it.Goal {
			t.Errorf("%s: goal bar %v, want %v", it.ID, g, it.Goal)
		}
		a, ok := c.Bars["actual"]
		if !same(a, ok, it.Actual) {
			t.Errorf("%s: actual bar %v (%v), the API %v", it.ID, a, ok, it.Actual)
		}
		if it.Unit == "firms" || it.Unit == "honors" {
			if p, ok := c.Bars["pipeline"]; !same(p, ok, it.Pipeline) {
				t.Errorf("%s: pipeline bar %v (%v), the API %v", it.ID, p, ok, it.Pipeline)
			}
			if n, ok := c.Bars["near_miss"]; !same(n, ok, it.NearMiss) {
				t.Errorf("%s: near-miss bar %v (%v), the API %v", it.ID, n, ok, it.NearMiss)
			}
		}
	}
	// Bars are drawn to scale: within a chart, a longer value has a wider bar.
	var ordered bool
	b.Eval(`[...document.querySelectorAll("[data-testid=target-card] svg.chart")].every(svg => {
		const rs = [...svg.querySelectorAll("rect.bar")].filter(r => Number(r.dataset.value) >= 0);
		return rs.every(a => rs.every(c => Number(a.dataset.value) <= Number(c.dataset.value) || Number(a.getAttribute("width")) >= Number(c.getAttribute("width"))));
	})`, &ordered)
	if !ordered {
		t.Error("some chart's bars are not to scale")
	}
	b.Shot("staff-targets")

	// A snapshot, then its list entry.
	b.Run("take a snapshot", chromedp.Click("#snapshot", chromedp.ByQuery))
	b.WaitText("#msg", "已生成快照", 30*time.Second)
	b.WaitText("[data-testid=snapshots]", "首份快照", 10*time.Second)
	b.Run("take another", chromedp.Click("#snapshot", chromedp.ByQuery))
	b.waitFor("two snapshots", `document.querySelectorAll("[data-testid=snapshot]").length === 2`, 30*time.Second)
	b.WaitText("[data-testid=snapshots]", "较上次", 5*time.Second)
	b.Shot("staff-targets-snapshots")

	// The county's 2024 targets: amounts and growth in their units.
	b.Open("/web/targets?region_code=431202")
	b.waitFor("county cards", `document.querySelectorAll("[data-testid=target-card]").length > 0`, 30*time.Second)
	b.WaitText("[data-testid=targets]", "%", 5*time.Second)
	b.NoPageErrors()
}

// TestBrowserStaffFirm: the firm list filters by title held, and a firm
// whose title expires within 180 days shows the warning, its ladder, its
// eligibility with every criterion, and its history.
func TestBrowserStaffFirm(t *testing.T) {
	b := newBrowser(t, 0)
	key := staffSignIn(t, b, "怀化市工信局", "431200")

	// Filter by a title held.
	var held struct{ Total int }
	getJSON(t, b.Base, key, "/api/v1/firms?honor=specialized_sme&limit=1", &held)
	b.Open("/web/firms")
	b.WaitText("[data-testid=firm-total]", "家企业", 20*time.Second)
	b.Run("filter by title",
		chromedp.SetValue("#f-honor", "specialized_sme", chromedp.ByQuery),
		chromedp.Click("#search", chromedp.ByQuery))
	b.WaitText("[data-testid=firm-total]", fmt.Sprintf("共 %d 家企业", held.Total), 20*time.Second)
	b.waitFor("the address keeps the filter", `location.search.includes("honor=specialized_sme")`, 5*time.Second)
	b.Shot("staff-firms-filtered")

	// A firm with a title expiring within 180 days.
	today := time.Now().Format(time.DateOnly)
	soon := time.Now().AddDate(0, 0, 170).Format(time.DateOnly)
	var uscc, kind string
	for page := 1; uscc == "" && page <= 3; page++ {
		var l struct {
			Items []struct {
				USCC   string
				Honors []struct{ Kind, Issued, Expires string }
			}
		}
		getJSON(t, b.Base, key, fmt.Sprintf("/api/v1/firms?limit=200&page=%d", page), &l)
		for _, f := range l.Items {
			for _, h := range f.Honors {
				if h.Expires != "" && h.Expires >= today && h.Expires <= soon && h.Issued <= today {
					uscc, kind = f.USCC, h.Kind
				}
			}
			if uscc != "" {
				break
			}
		}
	}
	if uscc == "" {
		t.Skip("the demo data have no title expiring within 170 days of today")
	}
	// An evaluation at an earlier date, so the history has two entries.
	var past struct {
		AsOf string `json:"as_of"`
	}
	getJSON(t, b.Base, key, "/api/v1/firms/"+uscc+"/eligibility?as_of=2025-06-30", &past)
	b.Open("/web/firm?uscc=" + url.QueryEscape(uscc))
	b.WaitText("[data-testid=expiry-warning]", "即将到期", 20*time.Second)
	b.waitFor("the expiring title in the table", fmt.Sprintf(`!!document.querySelector('#titles-table tr[data-kind=%q] [data-testid=title-expiring]')`, kind), 5*time.Second)
	// The eligibility view is results.js's (shared with the self-check), or
	// firm.js's own when that file is absent: the selectors fit both.
	b.waitFor("eligibility", `document.querySelectorAll("#eligibility-summary tbody tr, #result-summary tbody tr").length >= 9`, 30*time.Second)
	var elig struct {
		Results []struct {
			Program  string
			Status   string
			Criteria []struct{ ID string }
		}
	}
	getJSON(t, b.Base, key, "/api/v1/firms/"+uscc+"/eligibility", &elig)
	for _, r := range elig.Results {
		var st string
		var n int
		b.Eval(fmt.Sprintf(`document.querySelector('#eligibility .result[data-program=%q]').dataset.status`, r.Program), &st)
		b.Eval(fmt.Sprintf(`document.querySelectorAll('#eligibility .result[data-program=%q] tr[data-criterion]').length`, r.Program), &n)
		if st != r.Status || n != len(r.Criteria) {
			t.Errorf("%s: shows %s with %d criteria, the API %s with %d", r.Program, st, n, r.Status, len(r.Criteria))
		}
	}
	b.waitFor("the ladder", `document.querySelectorAll("[data-testid=ladder-rungs] .rung, #eligibility [data-testid=ladder] .rung").length === 4`, 5*time.Second)
	b.waitFor("history", `document.querySelectorAll("#history-table tbody tr[data-program]").length > 0`, 20*time.Second)
	b.waitFor("two evaluations in the history", `[...document.querySelectorAll("#history-table tbody tr[data-program]")].some(tr => tr.querySelectorAll(".timeline .step").length === 2)`, 5*time.Second)
	b.waitFor("lookups", `!!document.querySelector("#lookups-table")`, 20*time.Second)
	b.Shot("staff-firm")
	for _, tab := range []string{"eligibility", "history", "lookups"} {
		b.Run("tab "+tab, chromedp.Click(fmt.Sprintf(`[data-testid=firm-tabs] button[data-tab=%q]`, tab), chromedp.ByQuery))
		b.WaitVisible("#tab-"+tab, 5*time.Second)
		b.Shot("staff-firm-" + tab)
	}

	b.Open("/web/firm?uscc=91431202MA0000000H") // well-formed, not registered
	b.WaitText("#app", "未找到", 10*time.Second)
	b.Open("/web/firm?uscc=91431202MA0000000X") // a wrong check character
	b.WaitText("#app", "校验码错误", 10*time.Second)
	b.NoPageErrors()
}

// TestBrowserStaffSimulateAndPublish: a simulation of a lower revenue
// floor matches the API's counts; saving it as a draft shows how its
// cases fare; publishing it is refused with the failing cases listed, or
// goes through. Then the whitelist is published from its page and the
// import page is shown.
func TestBrowserStaffSimulateAndPublish(t *testing.T) {
	b := newBrowser(t, 0)
	key := staffSignIn(t, b, "怀化市科技局", "431200")
	b.Open("/web/simulate?program=specialized-sme")
	b.waitFor("parameters", `!!document.querySelector("#param-min_revenue")`, 20*time.Second)
	b.Run("lower the revenue floor to 1000万元",
		chromedp.SendKeys("#param-min_revenue", "1000", chromedp.ByQuery),
		chromedp.Click("#run", chromedp.ByQuery))
	b.WaitText("[data-testid=sim-result]", "模拟结果", 60*time.Second)
	resp, body := call(t, "POST", b.Base+"/api/v1/programs/specialized-sme@2026/simulate",
		`{"overrides":{"min_revenue":10000000},"filter":{}}`, map[string]string{"Authorization": "Bearer " + key})
	if resp.StatusCode != 200 {
		t.Fatalf("simulate = %d %s", resp.StatusCode, body)
	}
	var sim struct {
		Firms  int
		Counts struct {
			NewlyEligible   int `json:"newly_eligible"`
			NewlyIneligible int `json:"newly_ineligible"`
		}
	}
	_ = json.Unmarshal(body, &sim)
	b.WaitText("[data-testid=sim-newly-eligible]", fmt.Sprint(sim.Counts.NewlyEligible), 5*time.Second)
	b.WaitText("[data-testid=sim-firms]", fmt.Sprint(sim.Firms), 5*time.Second)
	if sim.Counts.NewlyEligible > 0 {
		b.waitFor("newly eligible firms listed", `document.querySelectorAll("[data-testid=newly-eligible] tr[data-uscc] li[data-criterion]").length > 0`, 5*time.Second)
	}
	b.Shot("staff-simulate")

	b.Run("save as draft", chromedp.Click("#save-draft", chromedp.ByQuery))
	b.WaitText("#msg", "已保存草稿", 20*time.Second)
	b.waitFor("the draft listed", `document.querySelectorAll("#drafts-table tr[data-draft]").length === 1`, 20*time.Second)
	var casesFailed bool
	b.Eval(`!!document.querySelector("[data-testid=cases-failed]")`, &casesFailed)
	b.Run("publish", chromedp.Evaluate(`window.confirm = () => true; document.querySelector("#drafts-table [data-testid=publish]").click(); true`, nil))
	if casesFailed {
		b.WaitText("#draft-msg", "发布被拒绝", 20*time.Second)
		b.waitFor("each failing case", `document.querySelectorAll("[data-testid=publish-cases-failed] > ul > li").length > 0`, 5*time.Second)
	} else {
		b.WaitText("#draft-msg", "已发布", 20*time.Second)
	}
	b.Shot("staff-simulate-publish")

	// The whitelist.
	b.Open("/web/whitelist")
	b.WaitText("[data-testid=versions]", "尚未发布", 20*time.Second)
	b.Run("publish the whitelist", chromedp.Evaluate(`window.confirm = () => true; document.querySelector("#publish").click(); true`, nil))
	b.WaitText("[data-testid=publish-result]", "已发布第 1 版", 60*time.Second)
	var v struct {
		Items []struct{ Version, Count int }
	}
	getJSON(t, b.Base, key, "/api/v1/whitelists/finance-whitelist/versions", &v)
	if len(v.Items) != 1 {
		t.Fatalf("versions: %+v", v)
	}
	b.WaitText("[data-testid=pub-count]", fmt.Sprint(v.Items[0].Count), 5*time.Second)
	b.waitFor("the version row", `!!document.querySelector('#versions-table tr[data-version="1"]')`, 10*time.Second)
	b.Run("its entries", chromedp.Evaluate(`document.querySelector('#versions-table tr[data-version="1"] button').click(); true`, nil))
	b.waitFor("entries", `document.querySelectorAll("[data-testid=version-entries] tr[data-uscc]").length > 0`, 20*time.Second)
	b.Shot("staff-whitelist")

	// The import page: the form, and a dry run of a file when the
	// endpoint answers.
	b.Open("/web/import")
	b.waitFor("the form", `!!document.querySelector("#import-form #file")`, 10*time.Second)
	dir := t.TempDir()
	csv := filepath.Join(dir, "firms.csv")
	if err := os.WriteFile(csv, []byte("\ufeffuscc,name\n91431202MA0000000X,测试\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.Run("upload", chromedp.SetUploadFiles("#file", []string{csv}, chromedp.ByQuery), chromedp.Click("#upload", chromedp.ByQuery))
	b.WaitText("[data-testid=import-report]", "校验报告", 30*time.Second)
	b.WaitText("[data-testid=rep-failed]", "1", 5*time.Second)
	b.waitFor("the problem row", `document.querySelectorAll("#problems-table tbody tr").length === 1`, 5*time.Second)
	b.Shot("staff-import")
	b.NoPageErrors()
}
