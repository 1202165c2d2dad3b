// 目标台账: GET /api/v1/targets per region and year — each plan target's
// goal, actual, pipeline and near-misses as a horizontal bar chart (inline
// SVG), its status and reason; monthly snapshots (POST/GET
// /api/v1/targets/snapshots) with the change since the previous one.
"use strict";
(() => {
  const who = Peiyu.requireRole("staff", "admin");
  if (!who) return;
  const { el, $, show, clear, fmt, badge, query, api } = Peiyu;
  const S = Staff;
  const app = $("#app");
  const SVG = "http://www.w3.org/2000/svg";

  const fRegion = S.regionSelect({ id: "t-region" }, { all: "全部地区", value: query("region_code") || "" });
  const thisYear = new Date().getFullYear();
  const years = [...new Set([2024, 2025, 2026, 2027, thisYear])].sort();
  const fYear = el("select", { id: "t-year" }, el("option", { value: "" }, "全部年度"), years.map(y => el("option", { value: String(y) }, y + "年")));
  fYear.value = query("year") || "";
  if (fYear.selectedIndex < 0) fYear.value = "";
  const snapBtn = el("button", { type: "button", id: "snapshot", class: "secondary", "data-testid": "take-snapshot" }, "生成快照");
  const msg = el("div", { id: "msg" });
  const kpis = el("div", { id: "kpis", class: "kpis", "data-testid": "target-kpis" });
  const cards = el("div", { id: "targets", class: "target-cards", "data-testid": "targets" });
  const snaps = el("div", { id: "snapshots", "data-testid": "snapshots" });
  show(app,
    el("form", { class: "card row", id: "filters" }, el("label", {}, "地区", fRegion), el("label", {}, "年度", fYear),
      el("button", { type: "submit" }, "刷新"), el("span", { class: "spacer" }), snapBtn),
    msg, kpis,
    el("div", { class: "chart-legend", "aria-hidden": "true" },
      el("span", {}, el("span", { class: "sw goal" }), "目标"), el("span", {}, el("span", { class: "sw actual" }), "实际"),
      el("span", {}, el("span", { class: "sw pipeline" }), "储备：符合条件、尚未认定"), el("span", {}, el("span", { class: "sw near_miss" }), "培育：差一项达标"),
      el("span", {}, el("span", { class: "ln" }), "目标线"), el("span", {}, el("span", { class: "ln exp" }), "时序进度（按全年已过比例应完成）")),
    cards,
    el("div", { class: "card" }, el("h2", {}, "快照（月调度、季讲评）"),
      el("p", { class: "small muted" }, "快照冻结当时的实际、储备与培育数，并与同一地区、年度的上一份快照比较。"), snaps));
  $("#filters").addEventListener("submit", ev => { ev.preventDefault(); load(); });
  fRegion.addEventListener("change", load);
  fYear.addEventListener("change", load);

  // --- numbers ------------------------------------------------------------------------
  function num(v, unit) {
    if (v === null || v === undefined) return "—";
    switch (unit) {
      case "yuan": return S.bigYuan(v);
      case "percent": return (Math.round(v * 100) / 100) + "%";
      case "firms": return fmt.num(Math.round(v * 100) / 100) + "家";
      case "honors": return fmt.num(Math.round(v * 100) / 100) + "项";
      default: return S.value(v, unit);
    }
  }
  function goalText(t) {
    const cmp = t.comparison === "about" ? "约" : t.comparison === "at_least" ? "≥ " : "";
    return cmp + num(t.goal, t.unit) + (t.metric && t.metric.kind === "growth" ? "（增长）" : "");
  }
  function delta(v, unit) {
    if (v === null || v === undefined) return el("span", { class: "muted" }, "—");
    if (v === 0) return el("span", { class: "muted" }, "±0");
    const s = (v > 0 ? "+" : "−") + num(Math.abs(v), unit);
    return el("span", { class: v > 0 ? "delta-up" : "delta-down" }, s);
  }

  // --- the chart -----------------------------------------------------------------------
  function svg(tag, attrs, ...kids) {
    const n = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) n.setAttribute(k, String(v));
    for (const k of kids) n.append(k instanceof Node ? k : document.createTextNode(String(k)));
    return n;
  }
  // chart draws one target's bars: goal, actual, and for counts of firms
  // the pipeline (eligible, not yet certified) and the near-misses; the
  // time-elapsed expectation as a dotted line.
  function chart(t) {
    const rows = [["goal", "目标", t.goal], ["actual", "实际", t.actual]];
    const counts = t.unit === "firms" || t.unit === "honors";
    if (counts && (t.pipeline !== null && t.pipeline !== undefined)) rows.push(["pipeline", "储备", t.pipeline]);
    if (counts && (t.near_miss !== null && t.near_miss !== undefined)) rows.push(["near_miss", "培育", t.near_miss]);
    const W = 560, L = 56, R = 104, RH = 26, TOP = 8;
    const vals = rows.map(r => r[2]).filter(v => typeof v === "number");
    if (typeof t.expected === "number") vals.push(t.expected);
    let max = Math.max(0, ...vals), min = Math.min(0, ...vals);
    if (max === min) max = min + 1;
    const plot = W - L - R;
    const x = v => L + (v - min) / (max - min) * plot;
    const H = TOP + rows.length * RH + 6;
    const g = svg("svg", { class: "chart", viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
      "aria-label": t.title + "：" + rows.map(r => r[1] + (r[2] === null || r[2] === undefined ? "暂无数据" : num(r[2], t.unit))).join("，"),
      "data-testid": "target-chart" });
    rows.forEach(([kind, label, v], i) => {
      const y = TOP + i * RH;
      g.append(svg("text", { x: L - 8, y: y + 16, "text-anchor": "end" }, label));
      if (v === null || v === undefined) {
        g.append(svg("text", { x: x(0) + 4, y: y + 16, class: "val muted" }, "暂无数据"));
        return;
      }
      const x0 = x(Math.min(0, v)), x1 = x(Math.max(0, v));
      const rect = svg("rect", { x: x0, y: y + 3, width: Math.max(1, x1 - x0), height: RH - 8, rx: 2,
        class: "bar bar-" + kind + (v < 0 ? " neg" : ""), "data-kind": kind, "data-value": v });
      rect.append(svg("title", {}, label + "：" + num(v, t.unit)));
      g.append(rect);
      g.append(svg("text", { x: x1 + 5, y: y + 16, class: "val", "data-kind": kind }, num(v, t.unit)));
    });
    // The goal and the time-elapsed expectation as vertical lines.
    if (typeof t.goal === "number") g.append(svg("line", { class: "goal-line", x1: x(t.goal), x2: x(t.goal), y1: TOP, y2: H - 4 }));
    if (typeof t.expected === "number") {
      const ex = x(t.expected);
      g.append(svg("line", { class: "expected-line", x1: ex, x2: ex, y1: TOP, y2: H - 4 },
        svg("title", {}, "时序进度：" + num(t.expected, t.unit))));
    }
    if (min < 0) g.append(svg("line", { class: "axis", x1: x(0), x2: x(0), y1: TOP, y2: H - 4 }));
    return g;
  }

  function card(t) {
    const facts = [
      ["目标", goalText(t)], ["实际", num(t.actual, t.unit)],
      t.expected !== null && t.expected !== undefined ? ["时序进度", num(t.expected, t.unit)] : null,
      t.pipeline !== null && t.pipeline !== undefined ? ["储备（符合条件未认定）", num(t.pipeline, t.unit)] : null,
      t.near_miss !== null && t.near_miss !== undefined ? ["培育（差一项）", num(t.near_miss, t.unit)] : null,
      t.data_year ? ["数据年度", t.data_year + "年"] : null,
    ].filter(Boolean);
    return el("div", { class: "card target-card", "data-testid": "target-card", "data-target-id": t.id, "data-status": t.status },
      el("div", { class: "head" }, el("h3", {}, t.title), badge(t.status)),
      el("p", { class: "small muted" }, (t.region_name || S.regionName(t.region_code)) + " · " + t.year + "年 · 测算日期 " + (t.as_of || "—")),
      chart(t),
      el("dl", { class: "facts small" }, facts.map(([k, v]) => [el("dt", {}, k), el("dd", { "data-fact": k }, v)])),
      el("p", { class: "reason", "data-testid": "reason" }, t.reason || ""),
      t.note || (t.source && t.source.quote) ? el("details", { class: "small muted" }, el("summary", {}, "口径与出处"),
        t.note ? el("p", {}, t.note) : null,
        t.source && t.source.quote ? el("blockquote", {}, "“" + t.source.quote + "”", el("div", {}, "——" + (t.source.document || ""))) : null) : null);
  }

  function renderKpis(items) {
    const c = { met: 0, on_track: 0, behind: 0, missed: 0, no_data: 0 };
    for (const t of items) c[t.status] = (c[t.status] || 0) + 1;
    const k = (cls, label, n, st) => el("div", { class: "kpi " + cls, "data-status": st }, el("div", { class: "v" }, String(n)), el("div", { class: "k" }, label));
    show(kpis, k("", "目标总数", items.length, "all"), k("good", "已完成", c.met, "met"), k("good", "进度正常", c.on_track, "on_track"),
      k("warn", "滞后", c.behind, "behind"), k("bad", "未完成", c.missed, "missed"), k("", "暂无数据", c.no_data, "no_data"));
  }

  let seq = 0;
  async function load() {
    const my = ++seq;
    const params = { region_code: fRegion.value, year: fYear.value };
    S.setQuery(params);
    clear(msg);
    show(cards, S.loading());
    snapBtn.disabled = !(fRegion.value && fYear.value);
    snapBtn.title = snapBtn.disabled ? "请先选定地区和年度" : "";
    loadSnapshots();
    let data;
    try {
      data = await api("GET", "/api/v1/targets" + S.qs(params));
    } catch (e) {
      if (my === seq) { show(cards, S.err(e)); clear(kpis); }
      return;
    }
    if (my !== seq) return;
    const items = data.items || [];
    renderKpis(items);
    show(cards, items.length ? items.map(card) : el("p", { class: "muted" }, "该地区、年度没有方案目标。"));
  }

  snapBtn.addEventListener("click", () => S.busy(snapBtn, async () => {
    clear(msg);
    if (!fRegion.value || !fYear.value) { show(msg, S.err(new Error("生成快照需先选定地区和年度"))); return; }
    try {
      const s = await api("POST", "/api/v1/targets/snapshots", { region_code: fRegion.value, year: parseInt(fYear.value, 10) });
      show(msg, Peiyu.okBox("已生成快照：" + S.regionName(s.region_code) + " " + s.year + "年，" + (s.items || []).length + " 项目标，" + fmt.time(s.taken_at)));
      loadSnapshots();
    } catch (e) {
      show(msg, S.err(e.status === 404 ? new Error("该地区在该年度没有方案目标，无法生成快照") : e));
    }
  }));

  let snapSeq = 0;
  async function loadSnapshots() {
    const my = ++snapSeq;
    show(snaps, S.loading());
    let data;
    try {
      data = await api("GET", "/api/v1/targets/snapshots" + S.qs({ region_code: fRegion.value, year: fYear.value }));
    } catch (e) {
      if (my === snapSeq) show(snaps, S.err(e));
      return;
    }
    if (my !== snapSeq) return;
    const list = data.items || [];
    if (!list.length) { show(snaps, el("p", { class: "muted" }, "还没有快照。选定地区和年度后点击“生成快照”。")); return; }
    show(snaps, list.map((s, i) => {
      const items = s.items || [];
      const changed = items.filter(t => t.change && ["actual", "pipeline", "near_miss"].some(k => t.change[k]));
      const rows = items.map(t => el("tr", { "data-target-id": t.id },
        el("td", {}, t.title),
        el("td", {}, badge(t.status)),
        el("td", { class: "num" }, num(t.actual, t.unit)), el("td", { class: "num" }, t.change ? delta(t.change.actual, t.unit) : "—"),
        el("td", { class: "num" }, num(t.pipeline, t.unit)), el("td", { class: "num" }, t.change ? delta(t.change.pipeline, t.unit) : "—"),
        el("td", { class: "num" }, num(t.near_miss, t.unit)), el("td", { class: "num" }, t.change ? delta(t.change.near_miss, t.unit) : "—")));
      return el("details", { class: "snapshot", open: i === 0, "data-testid": "snapshot", "data-id": s.id },
        el("summary", {}, fmt.time(s.taken_at) + " · " + S.regionName(s.region_code) + " " + s.year + "年 · " + items.length + "项目标 · ",
          s.previous_id ? (changed.length ? changed.length + "项较上次有变化" : "较上次无变化") : "首份快照"),
        S.table(["目标", "状态", ["实际", "num"], ["较上次", "num"], ["储备", "num"], ["较上次", "num"], ["培育", "num"], ["较上次", "num"]], rows));
    }));
  }

  load();
})();
