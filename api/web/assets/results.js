// Peiyu 培育 — the eligibility result view, shared by the self-check (/),
// the enterprise's own page (/web/myfirm) and the staff firm page: the
// cultivation ladder, a summary table, and one card per program with its
// status, score or route, finance outputs, every criterion (the requirement,
// the firm's value, the gap, the policy clause) and the next steps. Also the
// names of profile fields, Huaihua's divisions and industry chains, and
// small formatting helpers the public pages share. Loaded after app.js.
//
//   PeiyuResults.render(container, answer, opts) → Promise
//     answer: {as_of, uscc, results: [...]} as POST /api/v1/self-check and
//             GET /api/v1/firms/{uscc}/eligibility return it (SPEC §4)
//     opts.profile    the firm profile: its valid honors are the held rungs
//     opts.onMissing  function(path): a "待补充" input was clicked; path is
//                     the engine's name, e.g. "years[2024].rd_expense"
//     opts.title      heading above the results (default 评估结果)
//   PeiyuResults.fieldLabel(path, years)  Chinese name of a profile field
//   PeiyuResults.zh(message)              an API message without its English half
//   PeiyuResults.errorBox(err)            an API error in Chinese, fields by label
//   PeiyuResults.valueText(v, unit)       a criterion value in its unit
"use strict";

const PeiyuResults = (() => {
  const { el, api, fmt, badge } = Peiyu;

  // --- data (regions and chains in app.js) ---------------------------------
  // The public pages call the city's code 市本级: a firm registered with
  // the city itself, not in one of its counties.
  const REGIONS = Peiyu.REGIONS.map(r => r.level === "city" ? { code: r.code, name: r.name + "（市本级）" } : r);
  const CHAINS = Peiyu.CHAINS;
  function regionName(code) {
    const r = REGIONS.find(r => r.code === code);
    return r ? r.name : (code || "—");
  }
  // industryName names a code from the chains' industries, or "".
  function industryName(code) {
    for (const c of CHAINS) for (const [k, n] of c.industries) if (k === code) return n;
    return "";
  }

  // --- profile fields -----------------------------------------------------------
  // The fiscal-year fields (GET /api/v1/metrics lists them as NAME_prev;
  // this is the fallback and the order of the self-check form).
  const YEAR_FIELDS = [
    ["employees", "职工总数", "people"], ["tech_staff", "科技人员数", "people"], ["rd_staff", "研发人员数", "people"],
    ["revenue", "营业收入", "yuan"], ["main_revenue", "主营业务收入", "yuan"], ["high_tech_revenue", "高新技术产品（服务）收入", "yuan"],
    ["total_cost", "成本费用总额", "yuan"], ["rd_expense", "研发费用", "yuan"], ["domestic_rd_expense", "境内研发费用", "yuan"],
    ["total_assets", "资产总额", "yuan"], ["total_liabilities", "负债总额", "yuan"], ["net_profit", "净利润", "yuan"],
    ["equity_financing", "合格机构投资者实缴股权融资", "yuan"], ["tech_contract_turnover", "技术合同成交额", "yuan"],
    ["srdi_score", "专精特新发展评价得分", "score"], ["digital_level", "数字化水平等级", "level"],
  ];
  const yearTitle = Object.fromEntries(YEAR_FIELDS.map(([n, t]) => [n, t]));
  const LABELS = {
    uscc: "统一社会信用代码", name: "企业名称", region_code: "所在地区", industry_code: "国民经济行业代码",
    chain: "所属产业链", established: "成立日期", years: "财务年度", honors: "资质荣誉", ip: "知识产权",
    niche: "细分市场", compliance: "合规情况",
    "niche.market": "主导产品所属细分市场", "niche.since": "开始从事该细分市场的日期",
    "niche.share": "主导产品细分市场占有率", "niche.domestic_rank": "主导产品国内市场排名",
    "niche.global_rank": "主导产品全球市场排名",
    "niche.key_field": "主导产品属于重点领域（工业“六基”、制造强国、网络强国等）",
    "niche.strategic_emerging": "主导产品属于战略性新兴产业",
    "niche.gap_filling": "在产业链关键环节补短板、锻长板、填空白",
    "niche.years_in_field": "从事相关业务领域年限",
    "ip.class1": "Ⅰ类知识产权（发明专利、植物新品种、集成电路布图设计等）",
    "ip.class1_high_value": "其中高价值Ⅰ类知识产权", "ip.class1_self_developed": "其中自主研发的Ⅰ类知识产权",
    "ip.class2": "Ⅱ类知识产权（实用新型、外观设计、软件著作权等）",
    "compliance.abnormal_list": "列入经营异常名录", "compliance.serious_dishonesty": "列入严重违法失信名单",
    "compliance.prohibited_industry": "产品（服务）属于国家禁止、限制或淘汰类", "compliance.incidents": "重大事故或违法事件",
    as_of: "评估日期", programs: "评估项目",
  };
  // Kinds of compliance incidents (free text in the profile; these are the usual ones).
  const INCIDENT_KINDS = [["safety", "安全生产事故"], ["quality", "质量事故"], ["environment", "环境违法"],
    ["cyber", "网络和数据安全事件"], ["tax", "偷漏税等违法"], ["fraud", "数据造假"], ["other", "其他"]];
  const HONOR_FIELDS = { kind: "类型", level: "级别", issued: "认定日期", expires: "有效期至", rank: "排名", number: "证书编号" };
  const INCIDENT_FIELDS = { date: "日期", kind: "类型", major: "是否重大" };

  // fieldLabel names a field path of the API ("profile.years[0].tech_staff",
  // "years[2024].rd_expense", "niche.share") in Chinese. years, if given,
  // lists the years of the submitted years[] in order, so an index becomes
  // its year.
  function fieldLabel(path, years) {
    let p = String(path || "").replace(/^profile\./, "");
    let m = p.match(/^years\[(\d+)\](?:\.(\w+))?$/);
    if (m) {
      let y = Number(m[1]);
      if (y < 1000 && years && years[y] !== undefined) y = years[y];
      const who = y >= 1000 ? y + "年" : "第" + (y + 1) + "个年度";
      return who + (m[2] ? (yearTitle[m[2]] || (m[2] === "year" ? "年份" : m[2])) : "数据");
    }
    m = p.match(/^honors\[(\d+)\](?:\.(\w+))?$/);
    if (m) return "第" + (Number(m[1]) + 1) + "项资质荣誉" + (m[2] ? "的" + (HONOR_FIELDS[m[2]] || m[2]) : "");
    m = p.match(/^compliance\.incidents\[(\d+)\](?:\.(\w+))?$/);
    if (m) return "第" + (Number(m[1]) + 1) + "条事故或违法事件" + (m[2] ? "的" + (INCIDENT_FIELDS[m[2]] || m[2]) : "");
    m = p.match(/^usccs\[(\d+)\]$/);
    if (m) return "第" + (Number(m[1]) + 1) + "个统一社会信用代码";
    return LABELS[p] || p;
  }
  // Field paths inside the engine's next steps ("补充数据：years[2024].rd_expense、…").
  const PATH_RE = /\b(?:years\[\d+\]\.\w+|niche\.\w+|ip\.\w+|compliance\.\w+|honors|region_code|industry_code|established|uscc|chain)\b/g;
  function labelPaths(text) {
    return String(text || "").replace(PATH_RE, p => fieldLabel(p));
  }

  // zh drops the English half of an API message (Peiyu.zh).
  const zh = Peiyu.zh;
  // errorBox shows an API error in Chinese, the fields it names by their
  // labels on the public pages.
  function errorBox(e) {
    const details = ((e && e.details) || []).map(d => (d.field ? fieldLabel(d.field) + "：" : "") + zh(d.problem));
    return el("div", { class: "alert error", role: "alert" }, zh((e && e.message) || "出现错误"),
      details.length ? el("ul", {}, details.map(t => el("li", {}, t))) : null);
  }

  // --- values -------------------------------------------------------------------------
  const opText = { ">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<", "!=": "≠" };
  function round(v, n) { const f = Math.pow(10, n); return Math.round(v * f) / f; }
  function valueText(v, unit) {
    if (v === null || v === undefined) return "—";
    switch (unit) {
      case "bool": return v ? "是" : "否";
      case "score": return round(v, 1) + "分";
      case "level": return round(v, 1) + "级";
      case "rank": return "第" + round(v, 0) + "名";
      case "points": return round(v, 1) + "分";
      case "count": return fmt.num(v) + "项";
      default: return fmt.value(v, unit);
    }
  }
  const kindText = {
    hard: "基本条件", veto: "否决项", scored: "评分项", direct: "直通条件", prerequisite: "前置认定",
    review: "人工确认", info: "参考项",
  };
  const sourceText = { official: "官方口径", "engine-default": "引擎默认（非官方数字）" };
  // Titles of finance outputs (the packs name most of them; these are the fallbacks).
  const outputTitle = {
    points: "创新积分", band: "积分档次", grade: "知识价值信用等级", tier: "白名单分档",
    credit_line: "指示性授信额度", stage: "发展阶段", categories: "指标体系", weights: "类别权重",
  };
  const groupFallback = {
    innovation: "创新能力", growth: "成长性", specialization: "专业化", tech: "技术创新", aux: "辅助指标",
    credit: "信用状况", operations: "经营状况", prospects: "发展前景", pull: "产业带动",
  };

  // --- program metadata (GET /programs, GET /programs/{id}; public, cached) ------------
  let programList = null;
  function programs() {
    if (!programList) {
      programList = api("GET", "/api/v1/programs").then(d => d.items || []).catch(() => []);
    }
    return programList;
  }
  const packCache = {};
  // pack returns the GET /programs/{id} answer, or null.
  function pack(id) {
    if (!packCache[id]) packCache[id] = api("GET", "/api/v1/programs/" + encodeURIComponent(id)).catch(() => null);
    return packCache[id];
  }
  function editionOf(p, edition) {
    if (!p || !p.editions) return null;
    return p.editions.find(e => e.edition === edition) || p.editions.find(e => e.in_force) || p.editions[0];
  }

  // --- ladder ------------------------------------------------------------------------------
  function validAt(h, asOf) {
    if (h.issued && h.issued > asOf) return false;
    if (h.expires && h.expires < asOf) return false;
    return true;
  }
  const qualifies = s => s === "eligible" || s === "needs_review";

  function ladder(results, metas, profile, asOf) {
    const byRung = new Map();
    for (const m of metas) {
      const r = m.ladder && m.ladder.rung;
      if (!r) continue;
      if (!byRung.has(r)) byRung.set(r, []);
      byRung.get(r).push(m);
    }
    if (!byRung.size) return null;
    const rungs = [...byRung.keys()].sort((a, b) => a - b);
    const honors = (profile && profile.honors) || [];
    const resBy = Object.fromEntries(results.map(r => [r.program, r]));
    const state = rungs.map(n => {
      const ps = byRung.get(n);
      const held = ps.filter(p => p.honor && honors.some(h => h.kind === p.honor && validAt(h, asOf)));
      const elig = ps.filter(p => resBy[p.id] && qualifies(resBy[p.id].status));
      return { n, ps, held, elig };
    });
    let current = 0;
    for (const s of state) if (s.held.length || s.elig.length) current = s.n;
    const next = rungs.find(n => n > current);
    const box = el("div", { class: "ladder", id: "ladder", "data-testid": "ladder" });
    state.forEach((s, i) => {
      if (i) box.append(el("span", { class: "arrow", "aria-hidden": "true" }, "→"));
      let cls = "rung", note = "";
      if (s.held.length) { cls += " held"; note = "已认定"; }
      else if (s.elig.length) {
        cls += " eligible";
        note = s.elig.some(p => resBy[p.id].status === "eligible") ? "符合条件，可申报" : "基本符合，待确认";
      }
      if (s.n === next) { cls += " next"; note = note || "下一目标"; }
      if (!note) {
        const evaluated = s.ps.filter(p => resBy[p.id]);
        note = evaluated.length ? "尚未符合" : "未评估";
      }
      box.append(el("div", { class: cls, dataset: { rung: String(s.n), testid: "rung-" + s.n } },
        el("div", {}, s.ps.map(p => p.name).join(" / ")),
        el("div", { class: "small" }, note)));
    });
    const cur = state.find(s => s.n === current);
    const nxt = state.find(s => s.n === next);
    const link = p => resBy[p.id] ? el("a", { href: "#r-" + p.id }, p.name) : p.name;
    const lines = el("p", { class: "small", id: "ladder-summary" },
      cur ? ["当前梯次：", cur.ps.filter(p => cur.held.includes(p) || cur.elig.includes(p)).map(p => p.name).join("、"),
        cur.held.length ? "（已认定）" : "（符合条件，尚未认定）"] : "当前梯次：尚未进入梯度培育体系",
      nxt ? ["；下一目标：", nxt.ps.map((p, i) => [i ? " 或 " : "", link(p)]), "，点击查看差距。"] : "；已达到最高梯次。");
    return el("div", {}, box, lines);
  }

  // --- one criterion ---------------------------------------------------------------------------
  function missingList(c, opts) {
    const paths = c.missing || [];
    if (!paths.length) return null;
    return el("div", { class: "missing-list small" }, "需填写：",
      paths.map((p, i) => [i ? "、" : "", opts.onMissing
        ? el("a", { href: "#", class: "missing-link", dataset: { path: p }, onclick: ev => { ev.preventDefault(); opts.onMissing(p); } }, fieldLabel(p))
        : fieldLabel(p)]));
  }

  function criterionRow(c, r, opts) {
    // A criterion of another route than the one that passed does not
    // matter (scores still make a finance program's tier or grade).
    const alt = r.route && c.route && c.route !== r.route && c.kind !== "scored";
    const req = [el("div", { class: "crit-title" }, c.title),
      el("span", { class: "kind" }, kindText[c.kind] || c.kind),
      alt ? el("span", { class: "kind" }, "其他路径，非必需") : null,
      c.threshold !== null && c.threshold !== undefined && c.unit !== "bool"
        ? el("div", { class: "small muted" }, "要求 " + (opText[c.op] || c.op || "") + " " + valueText(c.threshold, c.unit)) : null,
      c.note ? el("div", { class: "small muted" }, c.note) : null];
    let value;
    if (c.status === "missing") {
      value = [el("strong", {}, "待补充"), missingList(c, opts), c.detail ? el("div", { class: "small muted" }, c.detail) : null];
    } else if (c.actual !== null && c.actual !== undefined) {
      value = [valueText(c.actual, c.unit),
        c.points !== null && c.points !== undefined ? el("div", { class: "small" }, "得" + round(c.points, 1) + "分") : null];
    } else {
      value = [c.detail || (c.status === "review" ? "—" : ""),
        c.points !== null && c.points !== undefined ? el("div", { class: "small" }, "得" + round(c.points, 1) + "分") : null];
    }
    let gap = "—";
    if (c.status === "fail") {
      gap = c.gap_text || (c.gap !== null && c.gap !== undefined ? "差 " + valueText(Math.abs(c.gap), c.unit) : (c.kind === "veto" ? "存在否决情形" : "未满足"));
    } else if (c.status === "review") {
      gap = "需主管部门确认";
    } else if (c.status === "missing") {
      gap = "补充数据后评估";
    }
    return el("tr", { class: "crit s-row-" + c.status + (alt ? " alt" : ""), dataset: { criterion: c.id, status: c.status } },
      el("td", { "data-label": "条件" }, req),
      el("td", { "data-label": "企业数值" }, value),
      el("td", { "data-label": "差距", class: gap === "—" ? "none" : "" }, gap),
      el("td", { "data-label": "结论" }, badge(c.status)),
      el("td", { "data-label": "政策依据", class: "small" }, c.basis || "—"));
  }

  // --- one program ---------------------------------------------------------------------------------
  function routeText(r) {
    if (!r.route) return "";
    if (r.route === "score") return "综合评分";
    if (r.route === "standard") return "标准条件";
    const c = (r.criteria || []).find(c => c.route === r.route && c.kind === "direct");
    return c ? c.title.replace(/^直通：/, "直通：") : r.route;
  }

  function financeBlock(r, info) {
    const rows = [];
    const top = [["points", v => round(v, 1) + "分（千分制）"], ["band", v => v], ["grade", v => v + "级"],
      ["tier", v => v + "档"], ["credit_line", v => fmt.yuan(v) + "（" + fmt.wan(v) + "）"]];
    const outs = r.outputs || {};
    const seen = new Set();
    const titleOf = k => (info && info.outputs && info.outputs[k] && info.outputs[k].title) || outputTitle[k] || k;
    for (const [k, f] of top) {
      if (r[k] === undefined || r[k] === null || r[k] === "") continue;
      seen.add(k);
      rows.push([titleOf(k), el("strong", {}, f(r[k])), outs[k]]);
    }
    for (const [k, o] of Object.entries(outs)) {
      if (seen.has(k)) continue;
      rows.push([titleOf(k), o.note || "—", Object.assign({}, o, { note: "" })]);
    }
    if (!rows.length) return null;
    return el("div", { class: "finance", "data-testid": "finance-" + r.program },
      el("h4", {}, "金融评估结果"),
      el("div", { class: "table-wrap" }, el("table", { class: "outputs" },
        el("thead", {}, el("tr", {}, el("th", {}, "项目"), el("th", {}, "结果"), el("th", {}, "口径与依据"))),
        el("tbody", {}, rows.map(([t, v, o]) => el("tr", {},
          el("td", {}, t),
          el("td", {}, v, o && o.note ? el("div", { class: "small muted" }, o.note) : null),
          el("td", { class: "small" }, o ? [el("span", { class: "badge src-" + o.source }, sourceText[o.source] || o.source || ""), " ", o.basis || ""] : "—")))))),
      r.status === "eligible" || r.status === "needs_review" ? null
        : el("p", { class: "small muted" }, "等级、额度和分档仅对符合条件的结果给出。"));
  }

  function programCard(r, opts, info) {
    const blocking = (r.blocking || []).map(id => (r.criteria || []).find(c => c.id === id)).filter(Boolean);
    const counts = {};
    for (const c of r.criteria || []) counts[c.status] = (counts[c.status] || 0) + 1;
    const groups = (info && info.groups) || {};
    const head = el("div", { class: "prog-head" },
      el("h3", {}, r.name, el("span", { class: "muted small" }, " " + (r.edition ? r.edition + "版" : ""))),
      el("span", { class: "prog-status", "data-testid": "status-" + r.program }, badge(r.status)));
    const facts = el("p", { class: "facts" },
      r.score !== null && r.score !== undefined ? el("span", {}, "得分 ", el("strong", {}, String(round(r.score, 1)))) : null,
      r.route ? el("span", {}, "通过路径：", routeText(r)) : null,
      r.review ? el("span", {}, "复核模式") : null,
      r.subscores ? el("span", {}, "分项：", Object.entries(r.subscores).map(([k, v], i) => (i ? "，" : "") + (groups[k] || groupFallback[k] || k) + " " + round(v, 1))) : null,
      el("span", { class: "muted" }, ["pass", "fail", "missing", "review"].filter(s => counts[s]).map(s => Peiyu.statusText[s] + counts[s] + "项").join(" · ")));
    const steps = (r.next_steps || []).filter(Boolean);
    return el("section", { class: "card result", id: "r-" + r.program, dataset: { program: r.program, status: r.status } },
      head, facts,
      r.note ? el("div", { class: "alert warn" }, r.note) : null,
      blocking.length ? el("div", { class: "small" }, "未满足：", blocking.map((c, i) => [i ? "；" : "", c.gap_text || c.title])) : null,
      financeBlock(r, info),
      el("div", { class: "table-wrap" }, el("table", { class: "criteria" },
        el("thead", {}, el("tr", {}, el("th", {}, "条件与要求"), el("th", {}, "企业数值"), el("th", {}, "差距"), el("th", {}, "结论"), el("th", {}, "政策依据"))),
        el("tbody", {}, (r.criteria || []).map(c => criterionRow(c, r, opts))))),
      steps.length ? [el("h4", {}, "下一步"), el("ol", { class: "next-steps" }, steps.map(s => el("li", {}, labelPaths(s))))] : null,
      r.basis && r.basis.length ? el("details", { class: "basis small" }, el("summary", {}, "政策依据"), el("ul", {}, r.basis.map(b => el("li", {}, b)))) : null);
  }

  function scoreText(r) {
    const parts = [];
    if (r.score !== null && r.score !== undefined) parts.push(round(r.score, 1) + "分");
    if (r.points !== null && r.points !== undefined) parts.push("积分" + round(r.points, 1));
    if (r.band) parts.push(r.band);
    if (r.grade) parts.push(r.grade + "级");
    if (r.tier) parts.push(r.tier + "档");
    if (r.credit_line !== null && r.credit_line !== undefined) parts.push("额度" + fmt.wan(r.credit_line));
    if (r.route) parts.push(routeText(r));
    return parts.join(" · ") || "—";
  }

  function summaryText(r) {
    if (r.note) return r.note;
    if (r.status === "ineligible") {
      const cs = (r.blocking || []).map(id => (r.criteria || []).find(c => c.id === id)).filter(Boolean);
      const first = cs.length ? cs : (r.criteria || []).filter(c => c.status === "fail");
      return first.slice(0, 2).map(c => c.gap_text || c.title).join("；") + (first.length > 2 ? " 等" + first.length + "项" : "");
    }
    if (r.status === "insufficient_data") {
      const n = (r.criteria || []).filter(c => c.status === "missing").length;
      return "有" + n + "项条件待补充数据";
    }
    if (r.status === "needs_review") {
      const n = (r.criteria || []).filter(c => c.status === "review").length;
      return "可计算的条件均满足，" + n + "项需主管部门确认";
    }
    return "符合全部条件";
  }

  function summaryTable(results) {
    return el("div", { class: "table-wrap" }, el("table", { class: "summary", id: "result-summary" },
      el("thead", {}, el("tr", {}, el("th", {}, "项目"), el("th", {}, "结论"), el("th", {}, "得分 / 路径"), el("th", {}, "说明"))),
      el("tbody", {}, results.map(r => el("tr", { dataset: { program: r.program, status: r.status } },
        el("td", { "data-label": "项目" }, el("a", { href: "#r-" + r.program }, r.name)),
        el("td", { "data-label": "结论" }, badge(r.status)),
        el("td", { "data-label": "得分 / 路径" }, scoreText(r)),
        el("td", { "data-label": "说明", class: "small" }, summaryText(r)))))));
  }

  // render shows an evaluation answer in container.
  async function render(container, answer, opts = {}) {
    const results = (answer && answer.results) || [];
    const asOf = (answer && answer.as_of) || Peiyu.today();
    const metas = await programs();
    // Packs name the score groups and finance outputs.
    const infos = {};
    await Promise.all(results.filter(r => r.subscores || r.outputs).map(async r => {
      infos[r.program] = editionOf(await pack(r.program), r.edition);
    }));
    const order = metas.map(m => m.id);
    const sorted = [...results].sort((a, b) => {
      const ia = order.indexOf(a.program), ib = order.indexOf(b.program);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    const counts = {};
    for (const r of results) counts[r.status] = (counts[r.status] || 0) + 1;
    container.classList.remove("only-open");
    Peiyu.show(container,
      el("div", { class: "results-head" },
        el("h2", {}, opts.title || "评估结果"),
        el("label", { class: "check no-print only-open-toggle" }, el("input", { type: "checkbox", id: "only-open",
          onchange: ev => container.classList.toggle("only-open", ev.target.checked) }), "只显示未满足、待补充和需确认的条件"),
        el("p", { class: "small muted" }, "评估日期 " + asOf + (answer.uscc ? " · 统一社会信用代码 " + answer.uscc : "") + " · 共" + results.length + "个项目：" +
          ["eligible", "needs_review", "insufficient_data", "ineligible"].filter(s => counts[s]).map(s => Peiyu.statusText[s] + counts[s] + "个").join("，"))),
      el("div", { class: "card" }, el("h3", {}, "梯度培育阶梯"), ladder(results, metas, opts.profile, asOf) || el("p", { class: "muted" }, "—"),
        el("p", { class: "small muted" }, "“需人工确认”的条件由主管部门核实，不算作不符合；“待补充”表示缺少数据，补充后即可评估。")),
      summaryTable(sorted),
      sorted.map(r => programCard(r, opts, infos[r.program])));
  }

  // Open every collapsed part before printing.
  window.addEventListener("beforeprint", () => {
    for (const d of document.querySelectorAll("details")) d.open = true;
  });

  return {
    render, fieldLabel, labelPaths, zh, errorBox, valueText, programs, pack, editionOf, validAt,
    REGIONS, CHAINS, YEAR_FIELDS, LABELS, INCIDENT_KINDS, regionName, industryName,
  };
})();
