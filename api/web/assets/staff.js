// Peiyu 培育 — what the bureau staff pages share: Huaihua's divisions and
// industry chains (data from seeds/data), selects limited to the signed-in
// key's region, program names and criterion titles, tables, pagers, value
// formatting by unit and error boxes in plain Chinese. Loaded after app.js.
"use strict";

const Staff = (() => {
  const { el, api, fmt, errorBox } = Peiyu;

  // --- data (regions and chains in app.js) ------------------------------------
  const REGIONS = Peiyu.REGIONS;
  // The chains as [group, [chain, …]] in the order of app.js.
  const CHAINS = [];
  for (const c of Peiyu.CHAINS) {
    let g = CHAINS.find(([group]) => group === c.group);
    if (!g) CHAINS.push(g = [c.group, []]);
    g[1].push(c.key);
  }
  // The honors a firm list can filter by (held and valid today).
  const HONOR_FILTER = ["tech_sme", "innovative_sme", "specialized_sme", "little_giant", "champion", "hnte",
    "rd_institution", "innovation_platform", "qms_cert", "own_brand", "standard_led", "sci_award", "quality_award",
    "ip_demo", "chuangke_top500", "chuangke_top50", "cloud_adoption"];

  function regionName(code) {
    if (!code) return "—";
    const r = REGIONS.find(r => r.code === code);
    return r ? r.name : code;
  }
  // within reports whether division code lies in region (a city code
  // holds its counties, a province code its cities).
  function within(code, region) {
    if (!region) return true;
    if (region.endsWith("0000")) return code.slice(0, 2) === region.slice(0, 2);
    if (region.endsWith("00")) return code.slice(0, 4) === region.slice(0, 4);
    return code === region;
  }
  // scopeRegion is the signed-in key's region ("" for none).
  function scopeRegion() {
    const who = Peiyu.me();
    return (who && who.scope && who.scope.region_code) || "";
  }
  // regionChoices lists the divisions the key may ask for.
  function regionChoices() {
    const scope = scopeRegion();
    return REGIONS.filter(r => within(r.code, scope));
  }
  // regionSelect builds a <select> of the regions the key reaches.
  // opts.all: text of an "every region" option (only when the key has no
  // region, or reaches several); opts.value: the selected code.
  function regionSelect(attrs, opts = {}) {
    const scope = scopeRegion();
    const choices = regionChoices();
    const options = [];
    if (opts.all !== undefined && (!scope || choices.length > 1)) {
      options.push(el("option", { value: "" }, scope ? opts.all + "（" + regionName(scope) + "）" : opts.all));
    }
    for (const r of choices) {
      options.push(el("option", { value: r.code }, r.name + (r.level === "city" ? "（全市）" : "") + " " + r.code));
    }
    const s = el("select", attrs, options);
    if (opts.value !== undefined && opts.value !== null) s.value = opts.value;
    if (s.selectedIndex < 0) s.selectedIndex = 0;
    return s;
  }
  function chainSelect(attrs, value) {
    const s = el("select", attrs, el("option", { value: "" }, "全部产业链"),
      CHAINS.map(([group, keys]) => el("optgroup", { label: group }, keys.map(k => el("option", { value: k }, k)))));
    if (value) s.value = value;
    return s;
  }
  function honorSelect(attrs, value) {
    const s = el("select", attrs, el("option", { value: "" }, "不限"),
      HONOR_FILTER.map(k => el("option", { value: k }, Peiyu.honorText[k] || k)));
    if (value) s.value = value;
    return s;
  }

  // --- programs ----------------------------------------------------------------
  let programsP = null;
  // programs returns GET /programs (cached for the page).
  function programs() {
    if (!programsP) programsP = api("GET", "/api/v1/programs").catch(e => { programsP = null; throw e; });
    return programsP;
  }
  const detailP = {};
  // programDetail returns GET /programs/{id} (cached).
  function programDetail(id) {
    if (!detailP[id]) detailP[id] = api("GET", "/api/v1/programs/" + encodeURIComponent(id)).catch(e => { delete detailP[id]; throw e; });
    return detailP[id];
  }
  // programName returns the Chinese name of a program id ("id@edition" too)
  // once programs() has answered; the id before.
  const names = {};
  async function loadNames() {
    try {
      const list = await programs();
      for (const p of list.items || []) names[p.id] = p.name;
    } catch { /* names stay ids */ }
    return names;
  }
  function programName(id) {
    if (!id) return "—";
    const [pid, ed] = String(id).split("@");
    return (names[pid] || pid) + (ed ? "（" + ed + "版）" : "");
  }
  // criterionInfo maps "program@edition" → criterion id → {title, unit}
  // from the program's packs.
  async function criterionInfo(program, edition) {
    const d = await programDetail(program);
    const out = {};
    for (const e of d.editions || []) {
      if (edition && e.edition !== edition) continue;
      for (const c of e.criteria || []) out[c.id] = { title: c.title, unit: c.unit, kind: c.kind };
    }
    return out;
  }

  // --- values ------------------------------------------------------------------
  // value formats a number by its unit (units of rule packs and targets).
  function value(v, unit) {
    if (v === null || v === undefined) return "—";
    switch (unit) {
      case "bool": return v ? "是" : "否";
      case "score": return fmt.num(Math.round(v * 100) / 100) + "分";
      case "rank": return "第" + fmt.num(v) + "名";
      case "level": return fmt.num(v) + "级";
      case "firms": return fmt.num(v) + "家";
      case "honors": return fmt.num(v) + "项";
      case "percent": return (Math.round(v * 100) / 100) + "%";
      case "yuan": return bigYuan(v);
      default: return fmt.value(v, unit);
    }
  }
  // bigYuan shows an amount in 亿元 or 万元 with the exact figure kept for
  // the title attribute by callers.
  function bigYuan(v) {
    if (v === null || v === undefined) return "—";
    const a = Math.abs(v);
    if (a >= 1e8) return fmt.num(Math.round(v / 1e6) / 100) + "亿元";
    if (a >= 1e4) return fmt.num(Math.round(v / 100) / 100) + "万元";
    return fmt.yuan(v);
  }
  // guessUnit is for values that come without a unit (a simulation's
  // criterion states): a fraction of one is read as a ratio.
  function guessUnit(...vs) {
    const nums = vs.filter(v => typeof v === "number");
    if (nums.length && nums.every(v => Math.abs(v) <= 1) && nums.some(v => !Number.isInteger(v))) return "ratio";
    return "";
  }
  const opText = { ">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠" };
  // requirement words a criterion's threshold ("≥ ¥1,000,000").
  function requirement(c) {
    if (c.threshold === null || c.threshold === undefined) return c.kind === "review" ? "需人工确认" : "—";
    return (opText[c.op] || c.op || "") + " " + value(c.threshold, c.unit);
  }

  // --- errors in plain Chinese --------------------------------------------------
  // zh drops the English gloss the API adds at the end of a message.
  const zh = Peiyu.zh;
  function err(e) {
    const fields = { region_code: "地区", program: "项目", status: "状态", page: "页码", limit: "条数", as_of: "评估日期",
      q: "关键词", industry_code: "行业代码", chain: "产业链", honor: "称号", file: "文件", since: "版本号", year: "年份" };
    const details = ((e && e.details) || []).map(d => ({ field: fields[d.field] || d.field, problem: zh(d.problem) }));
    const msg = zh((e && e.message) || "出现错误");
    // One detail that repeats the message adds nothing.
    const shown = details.length === 1 && details[0].problem === msg ? [] : details;
    return errorBox({ message: msg, details: shown });
  }

  // --- tables and pagers --------------------------------------------------------
  // table builds a table: heads are strings or [text, "num"]; rows are
  // arrays of cells (nodes, strings, or {v, num:true}).
  function table(heads, rows, attrs = {}) {
    const thead = el("thead", {}, el("tr", {}, heads.map(h => Array.isArray(h)
      ? el("th", { class: h[1] || "" }, h[0]) : el("th", {}, h))));
    const tbody = el("tbody", {}, rows.map(r => r instanceof Node ? r : el("tr", {}, r.map(c =>
      (c && typeof c === "object" && !(c instanceof Node) && !Array.isArray(c) && "v" in c)
        ? el("td", { class: c.num ? "num" : (c.cls || ""), title: c.title }, c.v)
        : el("td", {}, c)))));
    const a = Object.assign({}, attrs);
    a.class = "st" + (a.class ? " " + a.class : "");
    return el("div", { class: "table-wrap" }, el("table", a, thead, tbody));
  }
  function emptyRow(cols, text) {
    return el("tr", {}, el("td", { colSpan: cols, class: "muted" }, text || "没有记录"));
  }
  // pager shows "第 p / n 页 共 t 条" with previous and next buttons.
  function pager(page, limit, total, go, testid) {
    const pages = Math.max(1, Math.ceil(total / limit));
    return el("div", { class: "pager", "data-testid": testid || "pager" },
      el("button", { type: "button", class: "secondary", disabled: page <= 1, onclick: () => go(page - 1) }, "上一页"),
      el("span", {}, "第 " + page + " / " + pages + " 页，共 " + fmt.num(total) + " 条"),
      el("button", { type: "button", class: "secondary", disabled: page >= pages, onclick: () => go(page + 1) }, "下一页"));
  }
  function firmLink(uscc, name) {
    return el("a", { href: "/web/firm?uscc=" + encodeURIComponent(uscc) }, name || uscc);
  }
  // setQuery keeps a page's filters in its address (for reload and back).
  function setQuery(params) {
    history.replaceState(null, "", location.pathname + qs(params));
  }
  // qs is "?a=1&b=2" of params' non-empty values, or "".
  function qs(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== "" && v !== null && v !== undefined) q.set(k, v);
    const s = q.toString();
    return s ? "?" + s : "";
  }
  // busy disables a button while fn runs.
  async function busy(button, fn) {
    const text = button.textContent;
    button.disabled = true;
    try { return await fn(); } finally { button.disabled = false; button.textContent = text; }
  }
  // downloadButton makes a button that saves path as filename, showing a
  // failure in msg.
  function downloadButton(text, pathFn, filename, msg, testid) {
    const b = el("button", { type: "button", class: "secondary", "data-testid": testid }, text);
    b.addEventListener("click", () => busy(b, async () => {
      Peiyu.clear(msg);
      try {
        await Peiyu.download(pathFn(), typeof filename === "function" ? filename() : filename);
      } catch (e) {
        Peiyu.show(msg, err(e));
      }
    }));
    return b;
  }
  function loading() { return el("p", { class: "spinner" }); }
  const today = Peiyu.today;

  return {
    REGIONS, CHAINS, HONOR_FILTER, regionName, within, scopeRegion, regionChoices, regionSelect, chainSelect, honorSelect,
    programs, programDetail, loadNames, programName, criterionInfo,
    value, bigYuan, guessUnit, requirement, zh, err, table, emptyRow, pager, firmLink, setQuery, qs, busy, downloadButton,
    loading, today,
  };
})();
