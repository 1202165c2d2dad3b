// 培育库: GET /api/v1/near-misses — ineligible firms at most one
// criterion's worth from eligibility, closest first, each with its failing
// criteria (actual, threshold, gap, clause) and next steps.
"use strict";
(() => {
  const who = Peiyu.requireRole("staff", "admin");
  if (!who) return;
  const { el, $, show, fmt, badge, query, api } = Peiyu;
  const S = Staff;
  const app = $("#app");

  const fProg = el("select", { id: "n-program" }, el("option", { value: "" }, "全部项目"));
  const fRegion = S.regionSelect({ id: "n-region" }, { all: "全部地区", value: query("region_code") || "" });
  const fLimit = el("select", { id: "n-limit" }, [20, 50, 100, 200].map(n => el("option", { value: String(n) }, n + "家")));
  fLimit.value = ["20", "50", "100", "200"].includes(query("limit")) ? query("limit") : "50";
  const form = el("form", { class: "card row", id: "filters" },
    el("label", {}, "项目", fProg), el("label", {}, "地区", fRegion), el("label", {}, "显示", fLimit),
    el("button", { type: "submit" }, "查询"));
  const src = el("div", { id: "source", "data-testid": "nm-source" });
  const list = el("div", { id: "list", "data-testid": "nm-list" });
  show(app, form, src, list);
  form.addEventListener("submit", ev => { ev.preventDefault(); load(); });
  for (const s of [fProg, fRegion, fLimit]) s.addEventListener("change", load);

  function renderItem(it) {
    const rows = (it.failing || []).map(c => el("tr", { "data-criterion": c.id },
      el("td", {}, c.title, c.detail ? el("div", { class: "small muted" }, c.detail) : null),
      el("td", {}, badge(c.status)),
      el("td", { class: "num" }, S.value(c.actual, c.unit)),
      el("td", { class: "num" }, S.requirement(c)),
      el("td", { "data-testid": "gap" }, c.gap_text || (c.gap !== null && c.gap !== undefined ? "差 " + S.value(c.gap, c.unit) : "—")),
      el("td", { class: "small" }, c.basis || "")));
    return el("div", { class: "card nm-item", "data-testid": "nm-item", "data-uscc": it.uscc, "data-program": it.program },
      el("h3", {}, S.firmLink(it.uscc, it.name), " ",
        el("span", { class: "chip" }, S.programName(it.program) + " " + it.edition + "版"),
        el("span", { class: "chip", title: "未满足条件的相对差距之和（每项不超过1），越小越接近" }, "差距指数 " + fmt.num(Math.round(it.distance * 100) / 100))),
      el("p", { class: "small muted" }, it.uscc + " · " + S.regionName(it.region_code)),
      S.table(["未满足的条件", "结果", ["企业数值", "num"], ["要求", "num"], "差距", "政策依据"], rows),
      (it.next_steps || []).length ? el("details", {}, el("summary", {}, "下一步（" + it.next_steps.length + "项）"),
        el("ol", {}, it.next_steps.map(s => el("li", {}, s)))) : null);
  }

  let seq = 0;
  async function load() {
    const my = ++seq;
    const params = { program: fProg.value, region_code: fRegion.value, limit: fLimit.value };
    S.setQuery(params);
    show(list, S.loading());
    show(src);
    let data;
    try {
      data = await api("GET", "/api/v1/near-misses" + S.qs(params));
    } catch (e) {
      if (my === seq) show(list, S.err(e));
      return;
    }
    if (my !== seq) return;
    const s = data.source || {};
    const origin = s.live
      ? el("span", { "data-source": "live" }, "实时评估（截至 " + s.as_of + "，没有覆盖该范围的已完成筛查）")
      : el("span", { "data-source": "screening" }, "来自筛查任务 ",
        el("a", { href: "/web/screenings?id=" + encodeURIComponent(s.screening) }, String(s.screening).slice(0, 8)),
        "（评估日期 " + s.as_of + (s.finished_at ? "，完成于 " + fmt.time(s.finished_at) : "") + "）");
    const items = data.items || [];
    show(src, el("div", { class: "alert ok", role: "status" }, "数据来源：", origin, "。共 " + fmt.num(data.total) + " 家次企业差一项达标" +
      (items.length < data.total ? "，显示最接近的 " + items.length + " 家次" : "") + "。"));
    show(list, items.length ? items.map(renderItem) : el("p", { class: "muted" }, "没有差一项达标的企业。"));
  }

  S.programs().then(data => {
    for (const p of data.items || []) fProg.append(el("option", { value: p.id }, p.name));
    fProg.value = query("program") || "";
    if (fProg.selectedIndex < 0) fProg.value = "";
    return S.loadNames();
  }).catch(() => {}).finally(load);
})();
