// 批量筛查: start a screening (POST /api/v1/screenings), list recent jobs,
// and a job's view (?id=): progress while it runs, the summary per program
// and status, the results with filters, paging and downloads.
"use strict";
(() => {
  const who = Peiyu.requireRole("staff", "admin");
  if (!who) return;
  const { el, $, show, clear, fmt, badge, query, api, statusText } = Peiyu;
  const S = Staff;
  const app = $("#app");
  const STATUSES = ["eligible", "needs_review", "ineligible", "insufficient_data"];
  const id = query("id");

  function scopeText(f) {
    f = f || {};
    const parts = [];
    parts.push(f.region_code ? S.regionName(f.region_code) : "全部地区");
    if (f.chain) parts.push(f.chain);
    if (f.industry_code) parts.push("行业 " + f.industry_code + "*");
    return parts.join(" · ");
  }

  // --- the list page -----------------------------------------------------------------
  async function listPage() {
    const msg = el("div", { id: "msg" });
    const progBox = el("div", { class: "checks", id: "programs", "data-testid": "program-checks" }, S.loading());
    const region = S.regionSelect({ id: "s-region" }, { all: "全部地区" });
    const chain = S.chainSelect({ id: "s-chain" });
    const industry = el("input", { id: "s-industry", placeholder: "如 C35", maxLength: 5 });
    const asOf = el("input", { id: "s-as-of", type: "date" });
    const submit = el("button", { type: "submit", id: "start", "data-testid": "start-screening" }, "开始筛查");
    const form = el("form", { id: "new-screening", class: "card", autocomplete: "off" },
      el("h2", {}, "新建筛查"),
      el("fieldset", {}, el("legend", {}, "项目"),
        el("div", { class: "row" },
          el("button", { type: "button", class: "secondary", onclick: () => setAll(true) }, "全选"),
          el("button", { type: "button", class: "secondary", onclick: () => setAll(false) }, "全不选")),
        progBox),
      el("div", { class: "grid" },
        el("label", {}, "地区", region), el("label", {}, "产业链", chain),
        el("label", {}, "行业代码（前缀）", industry), el("label", {}, "评估日期（默认今天）", asOf)),
      el("div", { class: "row" }, submit),
      msg);
    const jobs = el("div", { id: "jobs", "data-testid": "jobs" }, S.loading());
    show(app, form, el("div", { class: "card" }, el("h2", {}, "最近的筛查任务"), jobs));

    let progList = [];
    function setAll(on) { for (const c of progBox.querySelectorAll("input")) c.checked = on; }
    S.programs().then(data => {
      progList = data.items || [];
      show(progBox, progList.map(p => el("label", {},
        el("input", { type: "checkbox", name: "program", value: p.id, checked: true }),
        p.name, el("span", { class: "muted small" }, "（" + p.in_force + "版）"))));
    }).catch(e => show(progBox, S.err(e)));

    form.addEventListener("submit", ev => {
      ev.preventDefault();
      const chosen = [...progBox.querySelectorAll("input:checked")].map(c => c.value);
      clear(msg);
      if (!chosen.length) { show(msg, S.err(new Error("请至少选择一个项目"))); return; }
      const body = { filter: {} };
      if (chosen.length < progList.length) body.programs = chosen;
      if (region.value) body.filter.region_code = region.value;
      if (chain.value) body.filter.chain = chain.value;
      if (industry.value.trim()) body.filter.industry_code = industry.value.trim().toUpperCase();
      if (asOf.value) body.as_of = asOf.value;
      S.busy(submit, async () => {
        submit.textContent = "正在提交…";
        try {
          const job = await api("POST", "/api/v1/screenings", body);
          location.href = "/web/screenings?id=" + encodeURIComponent(job.id);
        } catch (e) {
          show(msg, S.err(e));
        }
      });
    });

    try {
      const data = await api("GET", "/api/v1/screenings");
      const rows = (data.items || []).map(j => el("tr", { "data-id": j.id },
        el("td", {}, fmt.time(j.created_at)),
        el("td", {}, j.created_by || "—"),
        el("td", {}, scopeText(j.filter)),
        el("td", { class: "num" }, String((j.programs || []).length)),
        el("td", {}, j.as_of),
        el("td", {}, badge(j.status)),
        el("td", { class: "num" }, fmt.num(j.done) + " / " + fmt.num(j.total)),
        el("td", {}, el("a", { href: "/web/screenings?id=" + encodeURIComponent(j.id) }, "查看"))));
      show(jobs, S.table(["创建时间", "创建人", "范围", ["项目数", "num"], "评估日期", "状态", ["进度", "num"], ""],
        rows.length ? rows : [S.emptyRow(8, "还没有筛查任务")], { id: "jobs-table" }));
    } catch (e) {
      show(jobs, S.err(e));
    }
  }

  // --- one job -------------------------------------------------------------------------
  async function jobPage() {
    await S.loadNames();
    const head = el("div", { id: "job", "data-testid": "job" }, S.loading());
    const summary = el("div", { id: "summary", "data-testid": "screening-summary" });
    const results = el("div", { id: "results", "data-testid": "screening-results" });
    show(app, el("p", {}, el("a", { href: "/web/screenings" }, "← 返回筛查任务列表")), head, summary, results);
    let job = null;
    let resultsShown = false;

    async function poll() {
      try {
        job = await api("GET", "/api/v1/screenings/" + encodeURIComponent(id));
      } catch (e) {
        show(head, S.err(e.status === 404 ? new Error("未找到该筛查任务") : e));
        return;
      }
      renderHead(job);
      renderSummary(job);
      if (job.status === "queued" || job.status === "running") {
        setTimeout(poll, 1000);
      } else if (job.status === "done" && !resultsShown) {
        resultsShown = true;
        if (job.results_pruned) show(results, el("div", { class: "alert warn" }, "该任务较早，逐企业明细已清理，仅保留汇总。如需明细请重新发起筛查。"));
        else setupResults(job);
      } else if (job.status === "failed") {
        show(results, el("div", { class: "alert error" }, "筛查任务失败" + (job.error ? "：" + S.zh(job.error) : "") + "。请重新发起筛查。"));
      }
    }

    function renderHead(j) {
      const pct = j.total > 0 ? Math.min(100, Math.round(j.done / j.total * 100)) : (j.status === "done" ? 100 : 0);
      const bar = el("span", {});
      bar.style.width = pct + "%";
      show(head, el("div", { class: "card" },
        el("h2", {}, "筛查任务 ", badge(j.status)),
        el("div", { class: "progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(j.total || 0), "aria-valuenow": String(j.done || 0), "data-testid": "progress" }, bar),
        el("p", { "data-testid": "progress-text" }, "已评估 " + fmt.num(j.done) + " / " + (j.total_exact ? "" : j.status === "done" ? "" : "约 ") + fmt.num(j.total) + " 家企业（" + pct + "%）"),
        el("dl", { class: "facts" },
          el("dt", {}, "范围"), el("dd", {}, scopeText(j.filter)),
          el("dt", {}, "评估日期"), el("dd", {}, j.as_of),
          el("dt", {}, "项目"), el("dd", {}, (j.programs || []).map(p => S.programName(p)).join("、")),
          el("dt", {}, "创建"), el("dd", {}, (j.created_by || "—") + "，" + fmt.time(j.created_at)),
          el("dt", {}, "开始 / 完成"), el("dd", {}, fmt.time(j.started_at) + " / " + fmt.time(j.finished_at)),
          el("dt", {}, "任务编号"), el("dd", { class: "mono" }, j.id))));
    }

    function renderSummary(j) {
      const progs = (j.programs || []).map(p => p.split("@")[0]);
      const sm = j.summary || {};
      for (const p of Object.keys(sm)) if (!progs.includes(p)) progs.push(p);
      if (!Object.keys(sm).length) {
        show(summary, el("div", { class: "card" }, el("h2", {}, "汇总"), el("p", { class: "muted" }, j.status === "done" ? "没有评估结果（范围内没有企业）。" : "评估进行中，汇总随进度更新。")));
        return;
      }
      const rows = progs.map(p => {
        const c = sm[p] || {};
        const total = STATUSES.reduce((s, k) => s + (c[k] || 0), 0);
        return el("tr", { "data-program": p },
          el("td", {}, S.programName(p)),
          STATUSES.map(st => {
            const n = c[st] || 0;
            if (!n || j.status !== "done") return el("td", { class: "num" + (n ? "" : " zero"), "data-status": st }, fmt.num(n));
            return el("td", { class: "num", "data-status": st }, el("a", { class: "count", href: "#results", onclick: ev => { ev.preventDefault(); filterResults(p, st); } }, fmt.num(n)));
          }),
          el("td", { class: "num" }, fmt.num(total)));
      });
      show(summary, el("div", { class: "card" }, el("h2", {}, "汇总（项目 × 结果）"),
        S.table(["项目"].concat(STATUSES.map(s => [statusText[s], "num"])).concat([["合计", "num"]]), rows, { id: "summary-table" }),
        j.status === "done" ? el("p", { class: "small muted" }, "点击数字查看对应企业明细。") : null));
    }

    // failingCell lists the first two failing criteria, the rest folded.
    function failingCell(titles) {
      if (!titles.length) return "—";
      const short = t => t.length > 40 ? t.slice(0, 38) + "…" : t;
      const head = titles.slice(0, 2).map(t => el("li", { title: t }, short(t)));
      const rest = titles.slice(2);
      return el("div", {}, el("ul", { class: "plain" }, head),
        rest.length ? el("details", {}, el("summary", {}, "另 " + rest.length + " 项"), el("ul", { class: "plain" }, rest.map(t => el("li", { title: t }, short(t))))) : null);
    }
    let filterResults = () => {};
    function setupResults(j) {
      const LIMIT = 20;
      const progs = (j.programs || []).map(p => p.split("@")[0]);
      const fProg = el("select", { id: "r-program" }, el("option", { value: "" }, "全部项目"), progs.map(p => el("option", { value: p }, S.programName(p))));
      const fStatus = el("select", { id: "r-status" }, el("option", { value: "" }, "全部结果"), STATUSES.map(s => el("option", { value: s }, statusText[s])));
      const fRegion = S.regionSelect({ id: "r-region" }, { all: "全部地区" });
      fProg.value = query("program") || "";
      fStatus.value = query("status") || "";
      if (query("region_code")) fRegion.value = query("region_code");
      let page = Math.max(1, parseInt(query("page") || "1", 10) || 1);
      const msg = el("div", {});
      const body = el("div", { id: "results-body" });
      const params = () => ({ program: fProg.value, status: fStatus.value, region_code: fRegion.value });
      const base = "/api/v1/screenings/" + encodeURIComponent(j.id);
      const fname = ext => "筛查结果-" + j.as_of + (fProg.value ? "-" + fProg.value : "") + (fStatus.value ? "-" + fStatus.value : "") + "." + ext;
      for (const s of [fProg, fStatus, fRegion]) s.addEventListener("change", () => { page = 1; load(); });
      show(results, el("div", { class: "card" },
        el("h2", {}, "明细"),
        el("div", { class: "row" },
          el("label", {}, "项目", fProg), el("label", {}, "结果", fStatus), el("label", {}, "地区", fRegion),
          el("span", { class: "spacer" }),
          S.downloadButton("下载 CSV", () => base + "/results.csv" + S.qs(params()), () => fname("csv"), msg, "results-csv"),
          S.downloadButton("下载 Excel", () => base + "/results.xlsx" + S.qs(params()), () => fname("xlsx"), msg, "results-xlsx")),
        msg, body));
      filterResults = (p, st) => { fProg.value = p; fStatus.value = st; page = 1; load(); results.scrollIntoView(); };

      let seq = 0;
      async function load() {
        const my = ++seq;
        S.setQuery(Object.assign({ id: j.id }, params(), { page: page > 1 ? page : "" }));
        show(body, S.loading());
        let data;
        try {
          data = await api("GET", base + "/results" + S.qs(Object.assign(params(), { page, limit: LIMIT })));
        } catch (e) {
          if (my === seq) show(body, S.err(e));
          return;
        }
        if (my !== seq) return;
        // Criterion titles for the failing ids, per program edition.
        const infos = {};
        await Promise.all([...new Set((data.items || []).map(it => it.program + "@" + it.edition))].map(async k => {
          const [p, e] = k.split("@");
          try { infos[k] = await S.criterionInfo(p, e); } catch { infos[k] = {}; }
        }));
        const rows = (data.items || []).map(it => {
          const info = infos[it.program + "@" + it.edition] || {};
          const failing = (it.failing || []).map(c => (info[c] && info[c].title) || c);
          return el("tr", { "data-uscc": it.uscc, "data-program": it.program },
            el("td", {}, S.firmLink(it.uscc, it.name), el("div", { class: "small muted mono" }, it.uscc)),
            el("td", { class: "nowrap" }, S.regionName(it.region_code)),
            el("td", {}, S.programName(it.program), el("span", { class: "muted small" }, " " + it.edition + "版")),
            el("td", {}, badge(it.status), it.near_miss ? el("span", { class: "badge s-behind", title: "只差一个条件" }, "差一项") : null),
            el("td", { class: "num" }, it.score !== null && it.score !== undefined ? fmt.num(it.score) : "—"),
            el("td", { class: "small" }, failingCell(failing)),
            el("td", { class: "num", title: "各未满足条件相对差距之和（每项不超过1）" }, it.distance !== null && it.distance !== undefined ? fmt.num(Math.round(it.distance * 100) / 100) : "—"));
        });
        show(body,
          el("p", { class: "muted", "data-testid": "results-total" }, "共 " + fmt.num(data.total) + " 条"),
          S.table(["企业", "地区", "项目", "结果", ["得分", "num"], "未满足的条件", ["差距指数", "num"]],
            rows.length ? rows : [S.emptyRow(7, "没有符合条件的结果")], { id: "results-table" }),
          S.pager(data.page || page, data.limit || LIMIT, data.total || 0, p => { page = p; load(); results.scrollIntoView(); }));
      }
      load();
    }
    poll();
  }

  if (id) jobPage(); else listPage();
})();
