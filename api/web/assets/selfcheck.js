// The enterprise self-check (/): a form for the firm profile (SPEC §3),
// grouped the way a firm knows its data, POST /api/v1/self-check, and the
// result view of results.js. Choosing programs hides the fields they do not
// use: which fields a program reads is derived from its pack
// (GET /api/v1/programs/{id}: the criteria's expressions and the pack's
// derived metrics), mapping engine metrics to profile fields below. Empty
// inputs are left out of the request (absent, never 0). Nothing is stored
// on the server; the profile can be saved to and loaded from a JSON file.
"use strict";

(() => {
  const { el, $, $$, api, show, clear, fmt } = Peiyu;
  const R = PeiyuResults;
  const form = $("#selfcheck");
  const results = $("#results");

  // --- state ---------------------------------------------------------------------
  let yearFields = R.YEAR_FIELDS.map(([name, title, unit]) => ({ name, title, unit }));
  const yearData = {};        // year → {field: text as typed}; years not shown are kept
  let shownYears = [];        // the three columns: as_of's year − 1, −2, −3
  let sent = { years: [], honors: [], incidents: [] }; // submitted index → year / row
  let needs = null;           // Set of need keys of the chosen programs, or null: all
  let needKinds = new Set();  // honor kinds the chosen programs read
  let showAll = false;
  let needsToken = 0;

  const asOfInput = $("#as-of");
  asOfInput.value = Peiyu.today();
  function asOf() { return /^\d{4}-\d{2}-\d{2}$/.test(asOfInput.value) ? asOfInput.value : Peiyu.today(); }

  // --- building blocks -------------------------------------------------------------
  const unitText = { people: "人", yuan: "元", score: "分", level: "级", count: "项", years: "年", percent: "%" };
  function slug(path) { return "f-" + path.replace(/[^A-Za-z0-9]+/g, "-"); }
  function textInput(path, attrs = {}) {
    return el("input", Object.assign({ type: "text", id: slug(path), dataset: { path } }, attrs));
  }
  function numInput(path, kind, attrs = {}) {
    const inp = textInput(path, Object.assign({ inputmode: kind === "decimal" ? "decimal" : "numeric", class: "num" }, attrs));
    inp.dataset.kind = kind;
    return inp;
  }
  function triSelect(path) {
    return el("select", { id: slug(path), dataset: { path, kind: "bool" } },
      el("option", { value: "" }, "未填写"), el("option", { value: "false" }, "否"), el("option", { value: "true" }, "是"));
  }
  function field(path, label, input, opts = {}) {
    return el("div", { class: "field" + (opts.wide ? " wide" : ""), dataset: { need: opts.need || path } },
      el("label", { for: input.id }, label, opts.unit ? el("span", { class: "unit" }, "（" + opts.unit + "）") : null),
      input,
      opts.hint ? el("div", { class: "hint small muted" }, opts.hint) : null,
      el("div", { class: "field-error", role: "alert" }));
  }
  // A money input shows its amount in 万元 as the user types.
  function moneyHint(inp) {
    const hint = el("div", { class: "hint small muted money-hint" });
    const upd = () => {
      const v = parseNumber(inp.value);
      hint.textContent = v !== null && !Number.isNaN(v) && Math.abs(v) >= 10000 ? "≈ " + fmt.wan(v) : "";
    };
    inp.addEventListener("input", upd);
    inp._upd = upd;
    return hint;
  }
  function parseNumber(s) {
    s = String(s || "").replace(/[,，\s]/g, "");
    if (!s) return null;
    if (!/^-?\d+(\.\d+)?$/.test(s)) return NaN;
    return Number(s);
  }

  // --- 基本信息 -----------------------------------------------------------------------
  function buildBasic() {
    const region = el("select", { id: slug("region_code"), dataset: { path: "region_code" } },
      el("option", { value: "" }, "请选择"), R.REGIONS.map(r => el("option", { value: r.code }, r.name + "（" + r.code + "）")));
    const groups = [];
    for (const c of R.CHAINS) {
      let g = groups.find(g => g.label === c.group);
      if (!g) groups.push(g = { label: c.group, keys: [] });
      g.keys.push(c.key);
    }
    const chain = el("select", { id: slug("chain"), dataset: { path: "chain" } },
      el("option", { value: "" }, "不属于 / 不清楚"),
      groups.map(g => el("optgroup", { label: g.label }, g.keys.map(k => el("option", { value: k }, k)))));
    const seen = new Set();
    const industries = el("datalist", { id: "industry-list" });
    for (const c of R.CHAINS) for (const [code, name] of c.industries) {
      if (seen.has(code)) continue;
      seen.add(code);
      industries.append(el("option", { value: code }, code + " " + name));
    }
    const industry = textInput("industry_code", { list: "industry-list", maxlength: "5", placeholder: "如 C3562" });
    const industryHint = el("div", { class: "hint small muted" }, "GB/T 4754-2017 行业小类代码；制造业以 C 开头。");
    const updIndustry = () => {
      const n = R.industryName(industry.value.trim().toUpperCase());
      industryHint.textContent = n ? n : "GB/T 4754-2017 行业小类代码；制造业以 C 开头。";
    };
    industry.addEventListener("input", updIndustry);
    industry._upd = updIndustry;
    show($("#basic-fields"),
      field("name", "企业名称", textInput("name", { maxlength: "100", placeholder: "选填，仅用于显示" }), { need: "always" }),
      field("uscc", "统一社会信用代码", textInput("uscc", { maxlength: "18", placeholder: "选填，18位", autocapitalize: "characters" }),
        { hint: "选填。填写后系统校验代码，并据此判断是否为境内企业法人。" }),
      field("region_code", "所在地区", region),
      field("industry_code", "国民经济行业代码", industry, {}),
      field("chain", "所属产业链", chain, { hint: "怀化市“5+10”现代化产业体系及未来产业。" }),
      field("established", "成立日期", el("input", { type: "date", id: slug("established"), dataset: { path: "established" } })),
      industries);
    $("#basic-fields [data-need=industry_code]").insertBefore(industryHint, $("#basic-fields [data-need=industry_code] .field-error"));

    show($("#niche-fields"),
      field("niche.market", "主导产品所属细分市场", textInput("niche.market", { maxlength: "200", placeholder: "如 半导体封装设备" }), { wide: true }),
      field("niche.since", "开始从事该细分市场的日期", el("input", { type: "date", id: slug("niche.since"), dataset: { path: "niche.since" } })),
      field("niche.years_in_field", "从事相关业务领域年限", numInput("niche.years_in_field", "int"), { unit: "年", hint: "不填时按细分市场年限计。" }),
      field("niche.share", "主导产品细分市场占有率", numInput("niche.share", "decimal", { placeholder: "如 12" }), { unit: "%" }),
      field("niche.domestic_rank", "主导产品国内市场排名", numInput("niche.domestic_rank", "int"), { unit: "名" }),
      field("niche.global_rank", "主导产品全球市场排名", numInput("niche.global_rank", "int"), { unit: "名" }),
      field("niche.key_field", R.LABELS["niche.key_field"], triSelect("niche.key_field")),
      field("niche.strategic_emerging", R.LABELS["niche.strategic_emerging"], triSelect("niche.strategic_emerging")),
      field("niche.gap_filling", R.LABELS["niche.gap_filling"], triSelect("niche.gap_filling")));
  }

  // --- 近三年财务 ----------------------------------------------------------------------------
  const yearHints = {
    revenue: "即销售收入",
    total_cost: "营业成本、税金及附加和期间费用之和",
    tech_staff: "直接从事研发和技术创新活动及为其提供直接服务的人员",
    high_tech_revenue: "高新技术产品（服务）取得的收入",
    domestic_rd_expense: "在中国境内发生的研发费用",
    equity_financing: "当年合格机构投资者实缴的新增股权融资",
    srdi_score: "工信部优质中小企业梯度培育平台的评价得分（0–100）",
    digital_level: "中小企业数字化水平评测等级（0–4）",
  };
  function buildYears() {
    const Y = Number(asOf().slice(0, 4));
    shownYears = [Y - 1, Y - 2, Y - 3];
    const head = el("tr", {}, el("th", { class: "sticky" }, "项目"),
      shownYears.map((y, i) => el("th", { dataset: { offset: String(i + 1) } }, y + "年", i === 0 ? el("div", { class: "small muted" }, "上年度") : null)));
    const rows = yearFields.map(f => el("tr", { dataset: { need: "years." + f.name } },
      el("th", { class: "sticky", scope: "row" }, el("label", { for: slug("years." + shownYears[0] + "." + f.name) }, f.title),
        el("span", { class: "unit" }, unitText[f.unit] ? "（" + unitText[f.unit] + "）" : ""),
        yearHints[f.name] ? el("div", { class: "small muted" }, yearHints[f.name]) : null),
      shownYears.map((y, i) => {
        const path = "years." + y + "." + f.name;
        const kind = f.unit === "score" ? "decimal" : "int";
        const inp = numInput(path, kind, { "aria-label": y + "年" + f.title });
        inp.dataset.year = String(y);
        inp.dataset.fieldName = f.name;
        inp.dataset.unit = f.unit;
        inp.value = (yearData[y] && yearData[y][f.name]) || "";
        return el("td", { dataset: { offset: String(i + 1), needCell: "years." + f.name + "@" + (i + 1) } },
          inp, f.unit === "yuan" ? moneyHint(inp) : null, el("div", { class: "field-error", role: "alert" }));
      })));
    show($("#years-table"), el("div", { class: "table-wrap" },
      el("table", { class: "years", id: "years" }, el("thead", {}, head), el("tbody", {}, rows))));
    for (const inp of $$("#years input")) if (inp._upd) inp._upd();
    const other = Object.keys(yearData).map(Number).filter(y => !shownYears.includes(y) && Object.values(yearData[y]).some(v => v !== ""));
    show($("#years-extra"), other.length
      ? "另有 " + other.sort().map(y => y + "年").join("、") + " 的数据未在上表显示（不在评估日期前三年内），提交和保存时一并保留。" : "");
  }
  $("#years-table").addEventListener("input", ev => {
    const t = ev.target;
    if (!t.dataset.year) return;
    (yearData[t.dataset.year] = yearData[t.dataset.year] || {})[t.dataset.fieldName] = t.value;
  });

  // --- 知识产权 -----------------------------------------------------------------------------------
  function buildIP() {
    show($("#ip-fields"),
      ["class1", "class1_high_value", "class1_self_developed", "class2"].map(k =>
        field("ip." + k, R.LABELS["ip." + k], numInput("ip." + k, "int"), { unit: "项" })));
  }

  // --- 资质荣誉 ------------------------------------------------------------------------------------
  const honorOrder = ["tech_sme", "innovative_sme", "specialized_sme", "little_giant", "champion", "hnte",
    "rd_institution", "innovation_platform", "sci_award", "standard_led", "quality_award", "qms_cert", "own_brand",
    "ip_demo", "tech_innovation_demo", "chuangke_top500", "chuangke_top50", "cloud_adoption", "key_project", "green_factory"];
  const levelOrder = ["national", "provincial", "city", "county", "industry", "international"];
  let rowSeq = 0;
  function rowField(row, key, label, input) {
    input.dataset.key = key;
    input.id = "row" + (++rowSeq) + "-" + key;
    return el("div", { class: "field" }, el("label", { for: input.id }, label), input, el("div", { class: "field-error", role: "alert" }));
  }
  function honorRow(h = {}) {
    const kinds = honorOrder.slice();
    if (h.kind && !kinds.includes(h.kind)) kinds.push(h.kind);
    const kind = el("select", {}, el("option", { value: "" }, "请选择"),
      kinds.map(k => el("option", { value: k, selected: k === h.kind }, Peiyu.honorText[k] || k)));
    const level = el("select", {}, el("option", { value: "" }, "—"),
      levelOrder.map(l => el("option", { value: l, selected: l === h.level }, Peiyu.levelText[l] || l)));
    const row = el("div", { class: "repeat-row honor-row", dataset: { testid: "honor-row" } });
    const rm = el("button", { type: "button", class: "secondary small-btn", "aria-label": "删除此项", onclick: () => { row.remove(); } }, "删除");
    Peiyu.append(row, [
      rowField(row, "kind", "类型", kind),
      rowField(row, "level", "级别", level),
      rowField(row, "issued", "认定日期", el("input", { type: "date", value: h.issued || "" })),
      rowField(row, "expires", "有效期至", el("input", { type: "date", value: h.expires || "" })),
      rowField(row, "rank", "排名（奖励）", el("input", { type: "text", inputmode: "numeric", class: "num", value: h.rank !== undefined && h.rank !== null ? String(h.rank) : "" })),
      rowField(row, "number", "证书编号", el("input", { type: "text", maxlength: "64", value: h.number || "" })),
      el("div", { class: "field row-actions" }, rm)]);
    return row;
  }
  $("#add-honor").addEventListener("click", () => {
    const r = honorRow();
    $("#honors").append(r);
    r.querySelector("select").focus();
  });

  // --- 合规情况 -------------------------------------------------------------------------------------
  // A new row is a major incident unless unticked; a loaded one is as saved.
  function incidentRow(inc) {
    const isNew = !inc;
    inc = inc || {};
    const kinds = R.INCIDENT_KINDS.slice();
    if (inc.kind && !kinds.some(([k]) => k === inc.kind)) kinds.push([inc.kind, inc.kind]);
    const row = el("div", { class: "repeat-row incident-row" });
    const major = el("input", { type: "checkbox", checked: isNew || inc.major === true });
    major.dataset.key = "major";
    Peiyu.append(row, [
      rowField(row, "date", "日期", el("input", { type: "date", value: inc.date || "" })),
      rowField(row, "kind", "类型", el("select", {}, el("option", { value: "" }, "请选择"),
        kinds.map(([k, t]) => el("option", { value: k, selected: k === inc.kind }, t)))),
      el("div", { class: "field" }, el("label", { class: "check" }, major, "重大（较大及以上）")),
      el("div", { class: "field row-actions" }, el("button", { type: "button", class: "secondary small-btn", onclick: () => row.remove() }, "删除"))]);
    return row;
  }
  function buildCompliance() {
    const had = el("select", { id: "had-incidents", dataset: { path: "compliance.had_incidents", kind: "tri" } },
      el("option", { value: "" }, "未填写"), el("option", { value: "no" }, "否"), el("option", { value: "yes" }, "是"));
    had.addEventListener("change", () => {
      $("#incidents-list-box").classList.toggle("hidden", had.value !== "yes");
      if (had.value === "yes" && !$("#incidents").children.length) $("#incidents").append(incidentRow());
    });
    show($("#compliance-fields"),
      field("compliance.abnormal_list", R.LABELS["compliance.abnormal_list"], triSelect("compliance.abnormal_list")),
      field("compliance.serious_dishonesty", R.LABELS["compliance.serious_dishonesty"], triSelect("compliance.serious_dishonesty")),
      field("compliance.prohibited_industry", R.LABELS["compliance.prohibited_industry"], triSelect("compliance.prohibited_industry")),
      field("compliance.incidents", "近三年是否发生重大安全、质量、环境事故或违法行为", had, { need: "compliance.incidents" }));
    // The incident list only when the answer is yes.
    const box = $("#incidents-box");
    const listBox = el("div", { id: "incidents-list-box", class: "hidden" });
    while (box.firstChild) listBox.append(box.firstChild);
    box.append(listBox);
  }
  $("#add-incident").addEventListener("click", () => $("#incidents").append(incidentRow()));

  // --- programs and the fields they need -------------------------------------------------------------
  // Engine metrics that are not fiscal-year fields, and the profile fields
  // behind them (rules/env.go). Year metrics NAME_prev, NAME_prev2,
  // NAME_prev3 are years[].NAME of the year before as_of's, and so on.
  const METRIC_NEEDS = {
    srdi_score_latest: ["years.srdi_score@1"], srdi_score_best2: ["years.srdi_score@1", "years.srdi_score@2"],
    days_established: ["established"], years_established: ["established"],
    years_in_niche: ["niche.since"], years_in_field: ["niche.years_in_field", "niche.since"],
    niche_share: ["niche.share"], domestic_rank: ["niche.domestic_rank"], global_rank: ["niche.global_rank"],
    key_field: ["niche.key_field"], strategic_emerging: ["niche.strategic_emerging"], gap_filling: ["niche.gap_filling"],
    ip_class1: ["ip.class1"], ip_class1_high_value: ["ip.class1_high_value"],
    ip_class1_self_developed: ["ip.class1_self_developed"], ip_class2: ["ip.class2"],
    rd_institution_level: ["honors"], quality_items: ["honors"],
    abnormal_list: ["compliance.abnormal_list"], serious_dishonesty: ["compliance.serious_dishonesty"],
    prohibited_industry: ["compliance.prohibited_industry"],
    major_incidents_1y: ["compliance.incidents"], major_incidents_2y: ["compliance.incidents"], major_incidents_3y: ["compliance.incidents"],
    manufacturing: ["industry_code"], industrial: ["industry_code"], superdeduction_excluded: ["industry_code"],
    sme: ["industry_code", "years.employees@1", "years.revenue@1", "years.total_assets@1"],
    mainland_enterprise: ["uscc"],
  };
  // Criteria the engine computes without an expression in the pack (the
  // innovation points' cohort indicators), by criterion id.
  const CRITERION_NEEDS = {
    stage: ["years.revenue@1"], cohort: ["region_code", "years.revenue@1"],
    "negative-list": ["compliance.abnormal_list", "compliance.serious_dishonesty", "compliance.incidents"],
    "rd-intensity": ["years.rd_expense@1", "years.revenue@1"], "rd-expense": ["years.rd_expense@1"],
    "tech-staff-share": ["years.tech_staff@1", "years.employees@1"], "tech-staff": ["years.tech_staff@1"],
    "ip-class1": ["ip.class1"], "tech-contracts": ["years.tech_contract_turnover@1"], revenue: ["years.revenue@1"],
    "revenue-growth": ["years.revenue@1", "years.revenue@2"], "net-profit": ["years.net_profit@1"],
    "high-tech-revenue": ["years.high_tech_revenue@1"], "equity-financing": ["years.equity_financing@1"],
    "rd-platform": ["honors"], "sci-award": ["honors"], qualification: ["honors"], standards: ["honors"],
  };
  function metricNeeds(id) {
    const m = id.match(/^([a-z_]+?)_prev([23]?)$/);
    if (m && yearFields.some(f => f.name === m[1])) return ["years." + m[1] + "@" + (m[2] || "1")];
    return METRIC_NEEDS[id] || [];
  }
  // packNeeds adds the need keys of one pack edition to set, and the honor
  // kinds it reads to kinds.
  function packNeeds(e, set, kinds) {
    const derived = e.metrics || {};
    const exprs = [];
    const add = x => { if (typeof x === "string" && x) exprs.push(x); };
    for (const c of e.criteria || []) {
      add(c.expr); add(c.review_expr);
      const sc = c.score;
      if (sc) {
        add(sc.metric);
        for (const b of sc.best_of || []) add(b.metric);
        for (const it of sc.items || []) add(it.when);
      }
      if (!c.expr && !sc && c.kind !== "review") for (const n of CRITERION_NEEDS[c.id] || []) set.add(n);
    }
    for (const o of Object.values(e.outputs || {})) add(o.expr);
    const seen = new Set();
    const visit = x => {
      for (const m of x.matchAll(/\b(holds|won)\(\s*"([a-z0-9_]+)"/g)) { set.add("honors"); kinds.add(m[2]); }
      if (/\bin_region\(/.test(x)) set.add("region_code");
      if (/\bin_chain\(/.test(x)) set.add("chain");
      for (const [id] of x.replace(/"[^"]*"/g, "").matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
        if (seen.has(id)) continue;
        seen.add(id);
        if (derived[id]) { visit(derived[id].expr || ""); continue; }
        for (const n of metricNeeds(id)) set.add(n);
      }
    };
    exprs.forEach(visit);
  }
  function editionsFor(p, edition) {
    const eds = p.editions || [];
    if (edition) return eds.filter(e => e.edition === edition);
    if ($("#review").checked) return eds;
    const d = asOf();
    const inForce = eds.filter(e => (!e.effective || !e.effective.from || e.effective.from <= d) && (!e.effective || !e.effective.to || d <= e.effective.to));
    return inForce.length ? inForce : eds;
  }
  function selectedPrograms() {
    return $$("#programs input[type=checkbox]:checked").map(cb => {
      const ed = $("select[data-edition-of='" + cb.value + "']");
      return { id: cb.value, edition: ed ? ed.value : "" };
    });
  }
  async function buildPrograms() {
    const items = await R.programs();
    if (!items.length) {
      show($("#programs"), el("span", { class: "muted small" }, "项目列表暂时无法加载，将评估全部项目。"));
      return;
    }
    // The ladder first, rung by rung, then the other programs.
    const rung = p => (p.ladder && p.ladder.rung) || 99;
    const sorted = items.map((p, i) => [p, i]).sort((a, b) => rung(a[0]) - rung(b[0]) || a[1] - b[1]).map(x => x[0]);
    show($("#programs"), sorted.map(p => el("div", { class: "program-choice" },
      el("label", { class: "check" }, el("input", { type: "checkbox", value: p.id, dataset: { testid: "prog-" + p.id }, onchange: updateNeeds }), p.name),
      p.editions && p.editions.length > 1
        ? el("select", { class: "edition", dataset: { editionOf: p.id }, "aria-label": p.name + "版本", onchange: updateNeeds },
          el("option", { value: "" }, "按评估日期适用版本"),
          p.editions.map(e => el("option", { value: e.edition }, e.edition + "版" + (e.effective && e.effective.from ? "（" + e.effective.from + "起）" : ""))))
        : null)));
  }
  async function updateNeeds() {
    const token = ++needsToken;
    const sel = selectedPrograms();
    if (!sel.length) {
      needs = null; needKinds = new Set();
      applyNeeds();
      return;
    }
    const set = new Set(), kinds = new Set();
    for (const s of sel) {
      const p = await R.pack(s.id);
      if (token !== needsToken) return;
      if (!p) { needs = null; applyNeeds(); return; } // cannot tell: show everything
      for (const e of editionsFor(p, s.edition)) packNeeds(e, set, kinds);
    }
    needs = set; needKinds = kinds;
    applyNeeds();
  }
  function isNeeded(key) {
    if (!needs || showAll || key === "always") return true;
    if (needs.has(key)) return true;
    if (key === "niche.market") return [...needs].some(k => k.startsWith("niche."));
    if (key.startsWith("years.") && !key.includes("@")) return [1, 2, 3].some(o => needs.has(key + "@" + o));
    return false;
  }
  function applyNeeds() {
    let hidden = 0, total = 0;
    for (const n of $$("[data-need]", form)) {
      const ok = isNeeded(n.dataset.need);
      n.classList.toggle("not-needed", !ok);
      if (n.classList.contains("field") || n.tagName === "TR") { total++; if (!ok) hidden++; }
    }
    for (const td of $$("[data-need-cell]", form)) td.classList.toggle("cell-not-needed", !isNeeded(td.dataset.needCell));
    const table = $("#years");
    if (table) for (const o of [1, 2, 3]) {
      const any = !needs || showAll || yearFields.some(f => needs.has("years." + f.name + "@" + o));
      table.classList.toggle("hide-o" + o, !any);
    }
    for (const fs of $$("fieldset", form)) {
      if (fs.id === "fs-program") continue;
      const parts = $$("[data-need]", fs);
      const off = fs.dataset.need ? !isNeeded(fs.dataset.need) : parts.length > 0 && parts.every(p => p.classList.contains("not-needed"));
      fs.classList.toggle("not-needed", off);
    }
    const kinds = [...needKinds];
    show($("#honor-kinds"), needs && kinds.length
      ? el("p", {}, "所选项目参考的资质：", kinds.map(k => Peiyu.honorText[k] || k).join("、")) : "");
    const info = $("#needs-info");
    if (!needs) { show(info, ""); return; }
    show(info, el("p", { class: "alert ok" },
      showAll ? "正在显示全部字段。" : "已按所选项目只显示需要的数据（隐藏了" + hidden + "项无关字段）。",
      " ", el("button", { type: "button", class: "secondary small-btn", id: "toggle-all", onclick: () => { showAll = !showAll; applyNeeds(); } },
        showAll ? "只显示所需字段" : "显示全部字段")));
  }
  $("#review").addEventListener("change", updateNeeds);
  asOfInput.addEventListener("change", () => { buildYears(); applyNeeds(); updateNeeds(); });

  // --- collecting the profile -----------------------------------------------------------------------------
  // collect reads the form into the request body; problems are the inputs
  // that are not numbers (in the API's field names).
  function collect() {
    const problems = [];
    const val = path => { const n = form.querySelector("[data-path='" + path + "']"); return n ? n.value.trim() : ""; };
    const number = (path, raw, kind, field) => {
      const v = parseNumber(raw);
      if (v === null) return undefined;
      if (Number.isNaN(v)) { problems.push({ field, problem: "请输入数字" }); return undefined; }
      if (kind === "int" && !Number.isInteger(v)) { problems.push({ field, problem: "应为整数" }); return undefined; }
      return v;
    };
    const bool = s => s === "true" ? true : s === "false" ? false : undefined;
    const put = (obj, k, v) => { if (v !== undefined && v !== "") obj[k] = v; };
    const p = {};
    put(p, "uscc", val("uscc").toUpperCase().replace(/\s+/g, ""));
    put(p, "name", val("name"));
    put(p, "region_code", val("region_code"));
    put(p, "industry_code", val("industry_code").toUpperCase());
    put(p, "chain", val("chain"));
    put(p, "established", val("established"));

    const niche = {};
    put(niche, "market", val("niche.market"));
    put(niche, "since", val("niche.since"));
    const share = number("niche.share", val("niche.share"), "decimal", "niche.share");
    if (share !== undefined && (share < 0 || share > 100)) problems.push({ field: "niche.share", problem: "应在0到100之间（单位为%）" });
    else if (share !== undefined) niche.share = Math.round(share * 1e4) / 1e6;
    for (const k of ["domestic_rank", "global_rank", "years_in_field"]) put(niche, k, number("niche." + k, val("niche." + k), "int", "niche." + k));
    for (const k of ["key_field", "strategic_emerging", "gap_filling"]) put(niche, k, bool(val("niche." + k)));
    if (Object.keys(niche).length) p.niche = niche;

    const years = [];
    for (const y of Object.keys(yearData).map(Number).sort((a, b) => a - b)) {
      const row = { year: y };
      for (const f of yearFields) {
        const raw = (yearData[y] || {})[f.name];
        const v = number("", raw, f.unit === "score" ? "decimal" : "int", "years[" + y + "]." + f.name);
        if (v !== undefined) row[f.name] = v;
      }
      if (Object.keys(row).length > 1) years.push(row);
    }
    if (years.length) p.years = years;
    sent.years = years.map(r => r.year);

    const ip = {};
    for (const k of ["class1", "class1_high_value", "class1_self_developed", "class2"]) put(ip, k, number("ip." + k, val("ip." + k), "int", "ip." + k));
    if (Object.keys(ip).length) p.ip = ip;

    const honors = [];
    sent.honors = [];
    for (const row of $$("#honors .honor-row")) {
      const get = k => row.querySelector("[data-key=" + k + "]").value.trim();
      const h = {};
      put(h, "kind", get("kind"));
      put(h, "level", get("level"));
      put(h, "issued", get("issued"));
      put(h, "expires", get("expires"));
      put(h, "rank", number("", get("rank"), "int", "honors[" + honors.length + "].rank"));
      put(h, "number", get("number"));
      if (!Object.keys(h).length) continue;
      if (!h.kind) h.kind = "";
      sent.honors.push(row);
      honors.push(h);
    }
    if (honors.length) p.honors = honors;

    const comp = {};
    for (const k of ["abnormal_list", "serious_dishonesty", "prohibited_industry"]) put(comp, k, bool(val("compliance." + k)));
    const had = $("#had-incidents").value;
    const incidents = [];
    sent.incidents = [];
    if (had === "yes") {
      for (const row of $$("#incidents .incident-row")) {
        const date = row.querySelector("[data-key=date]").value.trim();
        const kind = row.querySelector("[data-key=kind]").value.trim();
        if (!date && !kind) continue;
        const inc = { date, kind };
        if (row.querySelector("[data-key=major]").checked) inc.major = true;
        sent.incidents.push(row);
        incidents.push(inc);
      }
    }
    if (incidents.length) comp.incidents = incidents;
    // An answered compliance section makes the incident list authoritative:
    // "否" (or any answer) with no events listed means none.
    if (Object.keys(comp).length || had === "no") p.compliance = comp;

    const body = { profile: p, as_of: asOf() };
    const progs = selectedPrograms().map(s => s.edition ? s.id + "@" + s.edition : s.id);
    if (progs.length) body.programs = progs;
    if ($("#review").checked) body.review = true;
    return { body, problems };
  }

  // --- filling the form from a profile ------------------------------------------------------------------------
  function resetForm() {
    for (const n of $$("[data-path]", form)) {
      if (n.id === "as-of" || n.id === "programs") continue;
      if (n.tagName === "SELECT") n.selectedIndex = 0; else if (n.type !== "checkbox") n.value = "";
    }
    for (const k of Object.keys(yearData)) delete yearData[k];
    clear($("#honors"));
    clear($("#incidents"));
    $("#incidents-list-box").classList.add("hidden");
    clearErrors();
  }
  function setVal(path, v) {
    const n = form.querySelector("[data-path='" + path + "']");
    if (!n || v === undefined || v === null) return;
    if (n.tagName === "SELECT" && typeof v === "boolean") v = String(v);
    if (n.tagName === "SELECT" && v !== "" && ![...n.options].some(o => o.value === String(v))) n.append(el("option", { value: String(v) }, String(v)));
    n.value = String(v);
    if (n._upd) n._upd();
  }
  function fill(p) {
    resetForm();
    for (const k of ["uscc", "name", "region_code", "industry_code", "chain", "established"]) setVal(k, p[k]);
    const n = p.niche || {};
    for (const k of ["market", "since", "domestic_rank", "global_rank", "years_in_field", "key_field", "strategic_emerging", "gap_filling"]) setVal("niche." + k, n[k]);
    if (typeof n.share === "number") setVal("niche.share", String(Math.round(n.share * 1e6) / 1e4));
    for (const y of p.years || []) {
      if (!y || !y.year) continue;
      const d = yearData[y.year] = {};
      for (const f of yearFields) if (y[f.name] !== undefined && y[f.name] !== null) d[f.name] = String(y[f.name]);
    }
    buildYears();
    const ip = p.ip || {};
    for (const k of ["class1", "class1_high_value", "class1_self_developed", "class2"]) setVal("ip." + k, ip[k]);
    for (const h of p.honors || []) $("#honors").append(honorRow(h));
    const c = p.compliance;
    if (c) {
      for (const k of ["abnormal_list", "serious_dishonesty", "prohibited_industry"]) setVal("compliance." + k, c[k]);
      const incs = c.incidents || [];
      $("#had-incidents").value = incs.length ? "yes" : "no";
      for (const inc of incs) $("#incidents").append(incidentRow(inc));
      $("#incidents-list-box").classList.toggle("hidden", !incs.length);
    }
    applyNeeds();
  }

  // The SPEC §3 example, dated relative to the evaluation year so that it
  // stays meaningful: three closed fiscal years, valid certifications.
  function example() {
    const prev = Number(asOf().slice(0, 4)) - 1;
    const year = (y, a) => Object.assign({ year: y }, a);
    return {
      name: "怀化某某科技有限公司（示例）",
      region_code: "431202", industry_code: "C3562", chain: "机械装备", established: "2015-03-01",
      niche: { market: "半导体封装设备", since: "2016-01-01", share: 0.12, domestic_rank: 3,
        key_field: true, strategic_emerging: true, gap_filling: false, years_in_field: 12 },
      years: [
        year(prev - 2, { employees: 98, tech_staff: 22, rd_staff: 18, revenue: 41000000, main_revenue: 38000000, high_tech_revenue: 28000000,
          total_cost: 35000000, rd_expense: 2100000, domestic_rd_expense: 2100000, total_assets: 62000000, total_liabilities: 26000000,
          net_profit: 3200000, equity_financing: 0, tech_contract_turnover: 0, srdi_score: 58, digital_level: 2 }),
        year(prev - 1, { employees: 110, tech_staff: 26, rd_staff: 21, revenue: 48000000, main_revenue: 44500000, high_tech_revenue: 33000000,
          total_cost: 39500000, rd_expense: 2500000, domestic_rd_expense: 2500000, total_assets: 70000000, total_liabilities: 28000000,
          net_profit: 4100000, equity_financing: 0, tech_contract_turnover: 0, srdi_score: 61, digital_level: 2 }),
        year(prev, { employees: 120, tech_staff: 30, rd_staff: 25, revenue: 56000000, main_revenue: 52000000, high_tech_revenue: 40000000,
          total_cost: 45000000, rd_expense: 3000000, domestic_rd_expense: 3000000, total_assets: 80000000, total_liabilities: 30000000,
          net_profit: 5000000, equity_financing: 0, tech_contract_turnover: 0, srdi_score: 63.5, digital_level: 2 }),
      ],
      ip: { class1: 3, class1_high_value: 0, class1_self_developed: 3, class2: 10 },
      honors: [
        { kind: "hnte", level: "national", issued: (prev - 1) + "-12-01", expires: (prev + 2) + "-11-30", number: "GR" + (prev - 1) + "43000123" },
        { kind: "sci_award", level: "provincial", issued: (prev - 1) + "-05-01", rank: 2 },
        { kind: "rd_institution", level: "provincial", issued: (prev - 4) + "-09-01" },
        { kind: "standard_led", level: "industry", issued: (prev - 2) + "-03-01" },
      ],
      compliance: { incidents: [{ date: (prev - 3) + "-07-01", kind: "environment", major: true }],
        abnormal_list: false, serious_dishonesty: false, prohibited_industry: false },
    };
  }

  // --- errors ---------------------------------------------------------------------------------------------------
  function clearErrors() {
    for (const n of $$(".field-error", form)) n.textContent = "";
    for (const n of $$(".invalid", form)) n.classList.remove("invalid");
    clear($("#form-errors"));
  }
  // inputFor finds the input behind an API field name.
  function inputFor(path) {
    path = String(path || "").replace(/^profile\./, "");
    let m = path.match(/^years\[(\d+)\]\.(\w+)$/);
    if (m) {
      const n = Number(m[1]);
      const y = n >= 1000 ? n : sent.years[n];
      return y ? form.querySelector("[data-path='years." + y + "." + m[2] + "']") : null;
    }
    m = path.match(/^honors\[(\d+)\]\.(\w+)$/);
    if (m) return sent.honors[m[1]] ? sent.honors[m[1]].querySelector("[data-key=" + m[2] + "]") : null;
    m = path.match(/^compliance\.incidents\[(\d+)\]\.(\w+)$/);
    if (m) return sent.incidents[m[1]] ? sent.incidents[m[1]].querySelector("[data-key=" + m[2] + "]") : null;
    if (/^programs/.test(path)) return $("#programs");
    return form.querySelector("[data-path='" + path + "']");
  }
  function reveal(input) {
    if (input.closest(".not-needed") || input.closest(".cell-not-needed")) { showAll = true; applyNeeds(); }
    const box = input.closest("#incidents-list-box");
    if (box) box.classList.remove("hidden");
  }
  function focusInput(input) {
    reveal(input);
    input.scrollIntoView({ block: "center" });
    input.focus({ preventScroll: true });
    input.classList.add("flash");
    setTimeout(() => input.classList.remove("flash"), 1500);
  }
  function showErrors(details, message) {
    const items = [];
    for (const d of details) {
      const input = inputFor(d.field);
      const text = R.zh(d.problem);
      const label = R.fieldLabel(d.field, sent.years);
      if (input) {
        const wrap = input.closest(".field, td") || input.parentElement;
        const slot = wrap && wrap.querySelector(".field-error") || (input.id === "programs" ? $("#programs-error") : null);
        if (slot) slot.textContent = text;
        input.classList.add("invalid");
        reveal(input);
      }
      items.push(el("li", {}, input
        ? el("a", { href: "#", onclick: ev => { ev.preventDefault(); focusInput(input); } }, label)
        : label, "：", text));
    }
    show($("#form-errors"), el("div", { class: "alert error", role: "alert", id: "error-list" },
      R.zh(message) || "请修改以下内容后重新提交：", el("ul", {}, items)));
    $("#form-errors").scrollIntoView({ block: "center" });
  }

  // A "待补充" item in the results jumps to its input.
  function onMissing(path) {
    const input = inputFor(path);
    if (input) { focusInput(input); return; }
    const m = String(path).match(/^years\[(\d+)\]/);
    show($("#form-errors"), el("div", { class: "alert warn", role: "status" }, R.fieldLabel(path) + "：" +
      (m ? "该年度不在表格显示的三年内，请调整评估日期后填写。" : "请在上方表单中填写。")));
    $("#form-errors").scrollIntoView({ block: "center" });
  }

  // --- actions ---------------------------------------------------------------------------------------------------------
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    clearErrors();
    const { body, problems } = collect();
    if (problems.length) { showErrors(problems, "有数据格式不正确："); return; }
    const btn = $("#submit");
    btn.disabled = true;
    show(results, el("p", { class: "spinner" }));
    try {
      const answer = await api("POST", "/api/v1/self-check", body);
      await R.render(results, answer, { profile: body.profile, onMissing, title: "评估结果" + (body.profile.name ? "：" + body.profile.name : "") });
      document.body.classList.add("has-results");
      results.scrollIntoView({ block: "start" });
    } catch (e) {
      clear(results);
      if (e.details && e.details.length) showErrors(e.details, e.status === 400 && e.code === "invalid" ? "数据校验未通过，请按提示修改：" : e.message);
      else show($("#form-errors"), el("div", { class: "alert error", role: "alert" }, R.zh(e.message)));
    } finally {
      btn.disabled = false;
    }
  });

  $("#fill-example").addEventListener("click", () => {
    fill(example());
    show($("#file-msg"), Peiyu.okBox("已填入示例企业数据，可直接点击“开始评估”，也可以修改后再评估。"));
  });
  $("#clear-form").addEventListener("click", () => {
    resetForm();
    buildYears();
    applyNeeds();
    clear(results);
    document.body.classList.remove("has-results");
    show($("#file-msg"), "");
  });
  $("#print").addEventListener("click", () => window.print());

  $("#save-profile").addEventListener("click", () => {
    const { body, problems } = collect();
    const p = body.profile;
    const name = (p.name || "企业画像").replace(/[\\/:*?"<>|\s]+/g, "_").slice(0, 40);
    Peiyu.saveBlob(new Blob([JSON.stringify(p, null, 2) + "\n"], { type: "application/json" }), name + "-" + asOf() + ".json");
    show($("#file-msg"), problems.length
      ? el("div", { class: "alert warn" }, "已保存，但有" + problems.length + "个输入不是有效数字，未写入文件。")
      : Peiyu.okBox("已保存为 JSON 文件。以后可用“从文件载入”继续填写。"));
  });

  const known = new Set(["uscc", "name", "region_code", "industry_code", "chain", "established", "niche", "years", "ip", "honors", "compliance"]);
  $("#load-profile").addEventListener("change", ev => {
    const f = ev.target.files && ev.target.files[0];
    ev.target.value = "";
    if (!f) return;
    if (f.size > 1 << 20) { show($("#file-msg"), el("div", { class: "alert error" }, "文件过大（超过 1 MB），不是企业画像文件。")); return; }
    const reader = new FileReader();
    reader.onload = () => {
      let doc;
      try { doc = JSON.parse(String(reader.result).replace(/^\uFEFF/, "")); } catch {
        show($("#file-msg"), el("div", { class: "alert error" }, "无法读取：文件不是有效的 JSON。"));
        return;
      }
      // A saved profile, a saved request {profile, as_of, programs}, or a
      // firm record of the registry.
      let p = doc && typeof doc === "object" && doc.profile && typeof doc.profile === "object" ? doc.profile : doc;
      if (!p || typeof p !== "object" || Array.isArray(p) || !Object.keys(p).some(k => known.has(k))) {
        show($("#file-msg"), el("div", { class: "alert error" }, "文件中没有企业画像数据（应包含 name、years、honors 等字段）。"));
        return;
      }
      if (doc.as_of && /^\d{4}-\d{2}-\d{2}$/.test(doc.as_of)) asOfInput.value = doc.as_of;
      fill(p);
      if (Array.isArray(doc.programs)) {
        for (const cb of $$("#programs input[type=checkbox]")) cb.checked = doc.programs.some(x => String(x).split("@")[0] === cb.value);
        updateNeeds();
      }
      const ignored = Object.keys(p).filter(k => !known.has(k));
      show($("#file-msg"), Peiyu.okBox("已载入 " + f.name + (ignored.length ? "（已忽略无法识别的字段：" + ignored.join("、") + "）" : "")));
    };
    reader.onerror = () => show($("#file-msg"), el("div", { class: "alert error" }, "读取文件失败。"));
    reader.readAsText(f);
  });

  // --- start ---------------------------------------------------------------------------------------------------------------
  async function start() {
    buildBasic();
    buildIP();
    buildCompliance();
    // The fiscal-year fields and their titles come from the engine's metrics.
    try {
      const m = await api("GET", "/api/v1/metrics");
      const list = (m.items || []).filter(x => x.year_offset === 1 && /_prev$/.test(x.name))
        .map(x => ({ name: x.name.replace(/_prev$/, ""), title: x.title, unit: x.unit }));
      if (list.length) yearFields = list;
    } catch { /* the built-in list */ }
    buildYears();
    await buildPrograms();
    // From the enterprise page: start from the firm's own registry record.
    if (Peiyu.query("from") === "myfirm") {
      try {
        const p = JSON.parse(sessionStorage.getItem("peiyu.selfcheck.profile") || "null");
        if (p) { fill(p); show($("#file-msg"), Peiyu.okBox("已填入本企业在系统中的数据，可修改后试算（不会改动系统中的数据）。")); }
      } catch { /* nothing to fill */ }
      sessionStorage.removeItem("peiyu.selfcheck.profile");
    }
    applyNeeds();
    form.dataset.ready = "true";
  }
  start();

  // For the browser tests and for debugging: the form as the request body.
  window.PeiyuSelfCheck = { collect: () => collect().body, fill, example };
})();
