// 白名单发布: publish the next version of the finance whitelist (POST
// /api/v1/whitelists/finance-whitelist/publish), the published versions,
// one version's entries and the changes since a version.
"use strict";
(() => {
  const who = Peiyu.requireRole("staff", "admin");
  if (!who) return;
  const { el, $, show, clear, fmt, query, api, honorText, levelText } = Peiyu;
  const S = Staff;
  const app = $("#app");
  const LIST = "finance-whitelist";
  const base = "/api/v1/whitelists/" + LIST;

  const asOf = el("input", { type: "date", id: "w-as-of" });
  const pubBtn = el("button", { type: "button", id: "publish", "data-testid": "publish-whitelist" }, "发布新版本");
  const pubMsg = el("div", { id: "publish-result", "data-testid": "publish-result" });
  const versions = el("div", { id: "versions", "data-testid": "versions" });
  const view = el("div", { id: "view", "data-testid": "version-view" });
  const sinceInput = el("input", { type: "number", id: "since", min: 0, step: 1, placeholder: "如 1" });
  const changesForm = el("form", { class: "row", id: "changes-form" },
    el("label", {}, "自该版本之后的变化（0 表示全部）", sinceInput), el("button", { type: "submit", class: "secondary" }, "查看变化"));
  show(app,
    el("div", { class: "card" }, el("h2", {}, "发布"),
      el("p", {}, "按在库企业的最新数据，对全部企业评估“产融合作白名单”条件（准入条件、入库路径与分档），将入选企业发布为新版本。已发布的版本不可更改，银行按版本查询与下载。"),
      el("div", { class: "row" }, el("label", {}, "评估日期（默认今天）", asOf), pubBtn), pubMsg),
    el("div", { class: "card" }, el("h2", {}, "已发布版本"), versions, changesForm),
    view);

  const routeText = r => ({
    "direct:r1-key-project": "路径一：重点项目", "direct:r2-chain": "路径二：重点产业链企业",
    "direct:r3-title": "路径三：省级以上称号", score: "综合评分",
  })[r] || r || "—";

  pubBtn.addEventListener("click", () => {
    if (!confirm("确认发布产融合作“白名单”新版本？\n发布后版本不可更改，银行将立即查询到新名单。")) return;
    S.busy(pubBtn, async () => {
      pubBtn.textContent = "正在评估并发布…";
      clear(pubMsg);
      try {
        const v = await api("POST", base + "/publish", asOf.value ? { as_of: asOf.value } : undefined);
        show(pubMsg, el("div", { class: "alert ok", role: "status" },
          "已发布第 " + v.version + " 版：入选 " + fmt.num(v.count) + " 家，较上一版新增 " + fmt.num((v.added || []).length) + " 家、移出 " + fmt.num((v.removed || []).length) + " 家（评估日期 " + v.as_of + "）。"),
          el("div", { class: "kpis" },
            kpi("", "版本", v.version, "pub-version"), kpi("", "入选企业", v.count, "pub-count"),
            kpi("good", "新增", (v.added || []).length, "pub-added"), kpi("bad", "移出", (v.removed || []).length, "pub-removed")),
          el("div", { class: "row" },
            el("button", { type: "button", class: "secondary", onclick: () => showVersion(v.version) }, "查看名单"),
            v.version > 1 ? el("button", { type: "button", class: "secondary", onclick: () => showChanges(v.version - 1) }, "查看与上一版的变化") : null));
        loadVersions();
      } catch (e) {
        show(pubMsg, S.err(e));
      }
    });
  });
  function kpi(cls, label, n, id) {
    return el("div", { class: "kpi " + cls, "data-testid": id }, el("div", { class: "v" }, fmt.num(n)), el("div", { class: "k" }, label));
  }

  async function loadVersions() {
    show(versions, S.loading());
    try {
      const data = await api("GET", base + "/versions?limit=50");
      const rows = (data.items || []).map(v => el("tr", { "data-version": v.version },
        el("td", { class: "num" }, "第 " + v.version + " 版"),
        el("td", {}, fmt.time(v.published_at)),
        el("td", {}, v.published_by || "—"),
        el("td", {}, v.as_of),
        el("td", { class: "num" }, fmt.num(v.count)),
        el("td", { class: "num delta-up" }, "+" + fmt.num((v.added || []).length)),
        el("td", { class: "num delta-down" }, "−" + fmt.num((v.removed || []).length)),
        el("td", {}, el("div", { class: "row" },
          el("button", { type: "button", class: "secondary", onclick: () => showVersion(v.version) }, "查看名单"),
          el("button", { type: "button", class: "secondary", onclick: () => showChanges(v.version) }, "此后变化"),
          S.downloadButton("下载", () => base + "/versions/" + v.version, "白名单-第" + v.version + "版.json", view)))));
      show(versions, S.table([["版本", "num"], "发布时间", "发布人", "评估日期", ["入选", "num"], ["新增", "num"], ["移出", "num"], "操作"],
        rows.length ? rows : [S.emptyRow(8, "尚未发布任何版本")], { id: "versions-table" }));
    } catch (e) {
      show(versions, S.err(e));
    }
  }

  function entriesTable(entries, testid) {
    const rows = entries.map(e => el("tr", { "data-uscc": e.uscc },
      el("td", {}, S.firmLink(e.uscc, e.name), el("div", { class: "small muted mono" }, e.uscc)),
      el("td", { class: "nowrap" }, S.regionName(e.region_code)),
      el("td", {}, e.chain || "—", e.industry_code ? el("div", { class: "small muted" }, e.industry_code) : null),
      el("td", {}, e.tier ? el("span", { class: "badge tier tier-" + e.tier }, e.tier + "档") : "—"),
      el("td", {}, routeText(e.entry_route)),
      el("td", { class: "small" }, (e.titles || []).map(t => el("div", {}, (honorText[t.kind] || t.kind) + (t.level ? "（" + (levelText[t.level] || t.level) + "）" : "") + (t.expires ? " 至" + t.expires : "")))),
      el("td", {}, e.listed_since ? e.listed_since + (e.listed_since_version ? "（第" + e.listed_since_version + "版）" : "") : "—")));
    return S.table(["企业", "地区", "产业链 / 行业", "分档", "入库路径", "称号", "入库时间"], rows.length ? rows : [S.emptyRow(7, "无")], { "data-testid": testid });
  }
  // filterable wraps entries with a search box and tier/region counts.
  function filterable(entries, testid) {
    const q = el("input", { type: "search", placeholder: "按名称或信用代码筛选" });
    const tier = el("select", {}, el("option", { value: "" }, "全部分档"), ["A", "B", "C"].map(t => el("option", { value: t }, t + "档")));
    const holder = el("div", {});
    const draw = () => {
      const s = q.value.trim().toUpperCase();
      const list = entries.filter(e => (!s || e.uscc.startsWith(s) || (e.name || "").toUpperCase().includes(s)) && (!tier.value || e.tier === tier.value));
      show(holder, el("p", { class: "small muted" }, "显示 " + list.length + " / " + entries.length + " 家"), entriesTable(list.slice(0, 500), testid),
        list.length > 500 ? el("p", { class: "small muted" }, "仅显示前500家，请用筛选缩小范围或下载完整版本。") : null);
    };
    q.addEventListener("input", draw);
    tier.addEventListener("change", draw);
    draw();
    return el("div", {}, el("div", { class: "row" }, q, tier), holder);
  }

  async function showVersion(n) {
    show(view, el("div", { class: "card" }, S.loading()));
    S.setQuery({ version: n });
    try {
      const data = await api("GET", base + "/versions/" + n);
      const v = data.version || {};
      const entries = data.entries || [];
      const tiers = { A: 0, B: 0, C: 0 };
      for (const e of entries) if (e.tier in tiers) tiers[e.tier]++;
      show(view, el("div", { class: "card" },
        el("h2", {}, "第 " + v.version + " 版名单"),
        el("p", { class: "small muted" }, "发布于 " + fmt.time(v.published_at) + "（" + (v.published_by || "—") + "），评估日期 " + v.as_of + "，规则 " + (v.program || "") + (v.hash ? "，摘要 " + v.hash.slice(0, 12) : "")),
        el("div", { class: "kpis" }, kpi("", "入选", entries.length, "v-count"), kpi("", "A档", tiers.A), kpi("", "B档", tiers.B), kpi("", "C档", tiers.C)),
        filterable(entries, "version-entries")));
      view.scrollIntoView();
    } catch (e) {
      show(view, S.err(e));
    }
  }

  async function showChanges(since) {
    show(view, el("div", { class: "card" }, S.loading()));
    S.setQuery({ since });
    sinceInput.value = since;
    try {
      const ch = await api("GET", base + "/changes?since=" + encodeURIComponent(since));
      const removed = (ch.removed || []).map(r => el("tr", { "data-uscc": r.uscc }, el("td", {}, S.firmLink(r.uscc, r.name)), el("td", { class: "mono" }, r.uscc)));
      show(view, el("div", { class: "card", "data-testid": "changes" },
        el("h2", {}, ch.from === ch.to ? "第 " + ch.from + " 版之后没有新版本" : "第 " + ch.from + " 版 → 第 " + ch.to + " 版的变化"),
        el("div", { class: "kpis" }, kpi("good", "新增", (ch.added || []).length, "ch-added"), kpi("bad", "移出", (ch.removed || []).length, "ch-removed")),
        el("h3", {}, "新增（" + (ch.added || []).length + "）"), filterable(ch.added || [], "changes-added"),
        el("h3", {}, "移出（" + (ch.removed || []).length + "）"),
        S.table(["企业", "统一社会信用代码"], removed.length ? removed : [S.emptyRow(2, "无")], { "data-testid": "changes-removed" })));
      view.scrollIntoView();
    } catch (e) {
      show(view, S.err(e));
    }
  }
  changesForm.addEventListener("submit", ev => {
    ev.preventDefault();
    const n = parseInt(sinceInput.value, 10);
    if (!(n >= 0)) { show(view, S.err(new Error("请输入版本号（0 或正整数）"))); return; }
    showChanges(n);
  });

  loadVersions();
  if (query("version")) showVersion(parseInt(query("version"), 10));
  else if (query("since")) showChanges(parseInt(query("since"), 10));
})();
