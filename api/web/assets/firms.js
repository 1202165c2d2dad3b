// 企业库: the firm list with filters (GET /api/v1/firms), paging, links to
// each firm and exports (…/firms/export.xlsx, .csv) with the same filters.
"use strict";
(() => {
  const who = Peiyu.requireRole("staff", "admin");
  if (!who) return;
  const { el, $, show, clear, fmt, honorText, query } = Peiyu;
  const S = Staff;
  const app = $("#app");
  const LIMIT = 20;

  const f = {
    region: S.regionSelect({ id: "f-region", name: "region_code" }, { all: "全部地区", value: query("region_code") || "" }),
    chain: S.chainSelect({ id: "f-chain", name: "chain" }, query("chain")),
    industry: el("input", { id: "f-industry", name: "industry_code", placeholder: "如 C35 或 C3562", maxLength: 5, value: query("industry_code") || "" }),
    honor: S.honorSelect({ id: "f-honor", name: "honor" }, query("honor")),
    q: el("input", { id: "f-q", name: "q", type: "search", placeholder: "名称或统一社会信用代码开头", value: query("q") || "" }),
  };
  let page = Math.max(1, parseInt(query("page") || "1", 10) || 1);
  const msg = el("div", { id: "msg" });
  const list = el("div", { id: "list", "data-testid": "firm-list" });
  const form = el("form", { id: "filters", class: "card", autocomplete: "off" },
    el("div", { class: "grid" },
      el("label", {}, "地区", f.region),
      el("label", {}, "产业链", f.chain),
      el("label", {}, "行业代码（前缀）", f.industry),
      el("label", {}, "持有称号（当前有效）", f.honor),
      el("label", {}, "名称 / 信用代码", f.q)),
    el("div", { class: "row" },
      el("button", { type: "submit", id: "search" }, "查询"),
      el("button", { type: "button", class: "secondary", onclick: reset }, "清空条件"),
      el("span", { class: "spacer" }),
      S.downloadButton("导出 Excel", () => "/api/v1/firms/export.xlsx" + S.qs(filters()), () => "企业库-" + S.today() + ".xlsx", msg, "export-xlsx"),
      S.downloadButton("导出 CSV", () => "/api/v1/firms/export.csv" + S.qs(filters()), () => "企业库-" + S.today() + ".csv", msg, "export-csv")),
    el("p", { class: "small muted" }, "导出包含符合当前条件的全部企业（不分页）。"));
  form.addEventListener("submit", ev => { ev.preventDefault(); page = 1; load(); });
  show(app, form, msg, list);

  function filters() {
    return {
      region_code: f.region.value, chain: f.chain.value, industry_code: f.industry.value.trim().toUpperCase(),
      honor: f.honor.value, q: f.q.value.trim(),
    };
  }
  function reset() {
    f.region.selectedIndex = 0; f.chain.value = ""; f.industry.value = ""; f.honor.value = ""; f.q.value = "";
    page = 1; load();
  }

  // validHonors lists the firm's titles valid today.
  function validHonors(firm) {
    const t = S.today();
    return (firm.honors || []).filter(h => (!h.issued || h.issued <= t) && (!h.expires || h.expires >= t));
  }
  const ladderKinds = ["champion", "little_giant", "specialized_sme", "innovative_sme", "tech_sme", "hnte"];

  let seq = 0;
  async function load() {
    const my = ++seq;
    const params = Object.assign(filters(), { page, limit: LIMIT });
    S.setQuery(Object.assign(filters(), { page: page > 1 ? page : "" }));
    clear(msg);
    show(list, S.loading());
    let data;
    try {
      data = await Peiyu.api("GET", "/api/v1/firms" + S.qs(params));
    } catch (e) {
      if (my === seq) show(list, S.err(e));
      return;
    }
    if (my !== seq) return;
    const rows = (data.items || []).map(firm => {
      const last = (firm.years || []).slice().sort((a, b) => b.year - a.year)[0];
      const held = validHonors(firm).filter(h => ladderKinds.includes(h.kind))
        .sort((a, b) => ladderKinds.indexOf(a.kind) - ladderKinds.indexOf(b.kind));
      return el("tr", { "data-uscc": firm.uscc },
        el("td", {}, S.firmLink(firm.uscc, firm.name)),
        el("td", { class: "mono" }, firm.uscc),
        el("td", { class: "nowrap" }, S.regionName(firm.region_code)),
        el("td", {}, firm.industry_code || "—"),
        el("td", {}, firm.chain || "—"),
        el("td", { class: "num" }, last ? String(last.year) : "—"),
        el("td", { class: "num", title: last && last.revenue != null ? fmt.yuan(last.revenue) : "" }, last ? S.bigYuan(last.revenue) : "—"),
        el("td", { class: "num" }, last && last.employees != null ? fmt.num(last.employees) : "—"),
        el("td", {}, held.length ? held.map(h => el("span", { class: "badge s-held" }, honorText[h.kind] || h.kind)) : el("span", { class: "muted" }, "—")));
    });
    show(list,
      el("p", { class: "muted", "data-testid": "firm-total" }, "共 " + fmt.num(data.total) + " 家企业"),
      S.table(["企业名称", "统一社会信用代码", "地区", "行业", "产业链", ["最近年度", "num"], ["营业收入", "num"], ["职工", "num"], "培育称号（有效）"],
        rows.length ? rows : [S.emptyRow(9, "没有符合条件的企业")], { id: "firms-table" }),
      S.pager(data.page || page, data.limit || LIMIT, data.total || 0, p => { page = p; load(); window.scrollTo(0, 0); }));
  }
  load();
})();
