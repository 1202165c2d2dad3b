// 企业详情 /web/firm?uscc=…: the profile (basic facts, the last three fiscal
// years, IP, compliance), the cultivation ladder, eligibility now and its
// history, titles with their expiry, and whitelist lookups.
"use strict";
(() => {
  const who = Peiyu.requireRole("staff", "admin");
  if (!who) return;
  const { el, $, show, fmt, honorText, levelText, badge, query, api } = Peiyu;
  const S = Staff;
  const app = $("#app");
  const uscc = (query("uscc") || "").trim().toUpperCase();
  const enc = encodeURIComponent(uscc);
  const DAY = 86400000;
  const SOON_DAYS = 180;

  if (!uscc) {
    show(app, el("div", { class: "alert warn" }, "请从", el("a", { href: "/web/firms" }, "企业库"), "选择一家企业。"));
    return;
  }

  const sec = id => el("section", { id, "data-testid": id }, S.loading());
  const parts = {
    warn: el("div", { id: "warnings", "data-testid": "warnings" }),
    profile: sec("profile"),
    ladder: sec("ladder-section"),
    elig: sec("eligibility"),
    history: sec("history"),
    titles: sec("titles"),
    lookups: sec("lookups"),
  };
  // Tabs: the eligibility view is long, so each part has its own.
  const TABS = [
    ["overview", "概况与称号", [parts.profile, parts.titles]],
    ["eligibility", "资格评估与培育阶梯", [parts.ladder, parts.elig]],
    ["history", "评估历史", [parts.history]],
    ["lookups", "白名单查询记录", [parts.lookups]],
  ];
  const panels = TABS.map(([id, , kids]) => el("div", { class: "tab-panel", id: "tab-" + id, "data-tab": id }, kids));
  const buttons = TABS.map(([id, text]) => el("button", { type: "button", "data-tab": id, role: "tab", onclick: () => openTab(id) }, text));
  function openTab(id) {
    if (!TABS.some(t => t[0] === id)) id = TABS[0][0];
    for (const b of buttons) b.classList.toggle("active", b.dataset.tab === id);
    for (const p of panels) p.classList.toggle("hidden", p.dataset.tab !== id);
    history.replaceState(null, "", location.pathname + location.search + "#" + id);
  }
  show(app, parts.warn, el("div", { class: "tabs no-print", role: "tablist", "data-testid": "firm-tabs" }, buttons), panels);
  openTab(location.hash.slice(1));

  function daysUntil(date) {
    const t = Date.parse(S.today() + "T00:00:00Z");
    return Math.round((Date.parse(date + "T00:00:00Z") - t) / DAY);
  }
  function validNow(h) {
    const t = S.today();
    return (!h.issued || h.issued <= t) && (!h.expires || h.expires >= t);
  }

  // --- profile -------------------------------------------------------------------
  const yearFields = [
    ["employees", "职工总数", "people"], ["tech_staff", "科技人员", "people"], ["rd_staff", "研发人员", "people"],
    ["revenue", "营业收入", "wan"], ["main_revenue", "主营业务收入", "wan"], ["high_tech_revenue", "高新技术产品（服务）收入", "wan"],
    ["total_cost", "成本费用总额", "wan"], ["rd_expense", "研发费用", "wan"], ["domestic_rd_expense", "境内研发费用", "wan"],
    ["total_assets", "资产总额", "wan"], ["total_liabilities", "负债总额", "wan"], ["net_profit", "净利润", "wan"],
    ["equity_financing", "新增股权融资", "wan"], ["tech_contract_turnover", "技术合同成交额", "wan"],
    ["srdi_score", "专精特新发展评价得分", "score"], ["digital_level", "数字化水平等级", "level"],
  ];
  function cell(v, unit) {
    if (v === null || v === undefined) return el("td", { class: "num muted" }, "—");
    if (unit === "wan") return el("td", { class: "num", title: fmt.yuan(v) }, fmt.wan(v));
    return el("td", { class: "num" }, S.value(v, unit));
  }
  function dl(pairs) {
    return el("dl", { class: "facts" }, pairs.filter(p => p).map(([k, v]) => [el("dt", {}, k), el("dd", {}, v === undefined || v === null || v === "" ? "—" : v)]));
  }
  const yesNo = v => v === undefined || v === null ? "—" : (v ? "是" : "否");

  function renderProfile(firm, etag) {
    document.title = firm.name + " · 企业详情 · 培育 Peiyu";
    $("main h1").textContent = firm.name;
    const years = (firm.years || []).slice().sort((a, b) => b.year - a.year).slice(0, 3).reverse();
    const n = firm.niche || {};
    const ip = firm.ip || {};
    const c = firm.compliance || {};
    const incidents = c.incidents || [];
    show(parts.profile,
      el("div", { class: "grid2" },
        el("div", { class: "card" }, el("h2", {}, "基本信息"), dl([
          ["统一社会信用代码", el("span", { class: "mono", "data-testid": "firm-uscc" }, firm.uscc)],
          ["地区", S.regionName(firm.region_code) + "（" + (firm.region_code || "—") + "）"],
          ["行业代码", firm.industry_code],
          ["产业链", firm.chain],
          ["成立日期", fmt.date(firm.established)],
          ["细分市场", n.market],
          ["进入细分领域", n.since ? fmt.date(n.since) + (n.years_in_field != null ? "（" + n.years_in_field + "年）" : "") : (n.years_in_field != null ? n.years_in_field + "年" : null)],
          ["细分市场占有率", n.share != null ? fmt.pct(n.share) : null],
          ["国内 / 全球排名", (n.domestic_rank ? "第" + n.domestic_rank + "名" : "—") + " / " + (n.global_rank ? "第" + n.global_rank + "名" : "—")],
          ["重点领域 / 战略性新兴产业 / 补短板", [yesNo(n.key_field), yesNo(n.strategic_emerging), yesNo(n.gap_filling)].join(" / ")],
        ])),
        el("div", { class: "card" },
          el("h2", {}, "知识产权"), dl([
            ["Ⅰ类知识产权", fmt.num(ip.class1)], ["其中高价值", fmt.num(ip.class1_high_value)],
            ["其中自主研发", fmt.num(ip.class1_self_developed)], ["Ⅱ类知识产权", fmt.num(ip.class2)],
          ]),
          el("h2", {}, "合规情况"), dl([
            ["列入经营异常名录", yesNo(c.abnormal_list)], ["严重失信主体", yesNo(c.serious_dishonesty)],
            ["属禁止、限制或淘汰类", yesNo(c.prohibited_industry)],
            ["事故与违法记录", incidents.length ? el("ul", { class: "plain" }, incidents.map(i =>
              el("li", {}, fmt.date(i.date) + " " + (incidentText[i.kind] || i.kind || "") + (i.major ? "（重大）" : "")))) : "无"],
          ]))),
      el("div", { class: "card" },
        el("h2", {}, "近三个会计年度"),
        years.length ? S.table(["指标"].concat(years.map(y => [y.year + "年", "num"])),
          yearFields.map(([k, label, unit]) => el("tr", {}, el("td", {}, label), years.map(y => cell(y[k], unit)))),
          { id: "years-table" }) : el("p", { class: "muted" }, "尚无年度数据"),
        el("p", { class: "small muted" }, "金额单位：万元（悬停可见精确金额）。" + (etag ? "" : ""))));
  }
  const incidentText = { environment: "环境污染", safety: "安全事故", quality: "质量事故", tax: "偷漏税", cyber: "网络安全", data: "数据安全", other: "其他" };

  // --- titles ----------------------------------------------------------------------
  function titleState(h) {
    const t = S.today();
    if (h.issued && h.issued > t) return { cls: "s-no_data", text: "尚未生效" };
    if (!h.expires) return { cls: "s-held", text: "有效（长期）" };
    const d = daysUntil(h.expires);
    if (d < 0) return { cls: "s-expired", text: "已过期（" + (-d) + "天前）", expired: true };
    if (d <= SOON_DAYS) return { cls: "s-expiring", text: "即将到期（剩" + d + "天）", soon: true, days: d };
    return { cls: "s-held", text: "有效" };
  }
  function renderTitles(firm) {
    const hs = (firm.honors || []).slice().sort((a, b) => String(b.issued || "").localeCompare(String(a.issued || "")));
    const rows = hs.map(h => {
      const st = titleState(h);
      return el("tr", { "data-kind": h.kind, class: st.soon ? "expiring" : (st.expired ? "expired" : "") },
        el("td", {}, honorText[h.kind] || h.kind),
        el("td", {}, levelText[h.level] || h.level || "—"),
        el("td", { class: "mono" }, h.number || "—"),
        el("td", {}, fmt.date(h.issued)),
        el("td", {}, h.expires ? fmt.date(h.expires) : "长期"),
        el("td", {}, h.rank ? "第" + h.rank + "名" : ""),
        el("td", {}, el("span", { class: "badge " + st.cls, "data-testid": st.soon ? "title-expiring" : (st.expired ? "title-expired" : "title-state") }, st.text)));
    });
    show(parts.titles, el("div", { class: "card" }, el("h2", {}, "称号与认定"),
      S.table(["称号", "级别", "证书编号", "认定日期", "有效期至", "排名", "状态"], rows.length ? rows : [S.emptyRow(7, "暂无称号")], { id: "titles-table" }),
      el("p", { class: "small muted" }, "有效期在" + SOON_DAYS + "天内届满的标为“即将到期”，请提醒企业及时复核或重新申报。")));
    // Warnings at the top: titles that expire soon (or lapsed this year).
    const soon = hs.map(h => [h, titleState(h)]).filter(([, st]) => st.soon);
    const lapsed = hs.map(h => [h, titleState(h)]).filter(([h, st]) => st.expired && daysUntil(h.expires) >= -365 &&
      !hs.some(o => o !== h && o.kind === h.kind && validNow(o)));
    const boxes = [];
    if (soon.length) {
      boxes.push(el("div", { class: "alert warn", role: "status", "data-testid": "expiry-warning" },
        "称号即将到期：", el("ul", {}, soon.map(([h, st]) => el("li", {}, (honorText[h.kind] || h.kind) + (h.level ? "（" + (levelText[h.level] || h.level) + "）" : "") +
          " 将于 " + h.expires + " 到期，剩 " + st.days + " 天")))));
    }
    if (lapsed.length) {
      boxes.push(el("div", { class: "alert error", role: "status", "data-testid": "expired-warning" },
        "近一年内已过期、尚无新证书的称号：", el("ul", {}, lapsed.map(([h]) => el("li", {}, (honorText[h.kind] || h.kind) + " 已于 " + h.expires + " 到期")))));
    }
    show(parts.warn, boxes);
  }

  // --- ladder ----------------------------------------------------------------------
  const RUNGS = [
    { kinds: ["tech_sme", "innovative_sme"], programs: ["tech-sme", "innovative-sme"], name: "科技型 / 创新型中小企业" },
    { kinds: ["specialized_sme"], programs: ["specialized-sme"], name: "专精特新中小企业" },
    { kinds: ["little_giant"], programs: ["little-giant"], name: "专精特新“小巨人”" },
    { kinds: ["champion"], programs: ["champion"], name: "制造业单项冠军" },
  ];
  const qualifies = s => s === "eligible" || s === "needs_review";
  function renderLadder(firm, results) {
    const byProg = {};
    for (const r of results || []) byProg[r.program] = r;
    const heldKinds = new Set((firm.honors || []).filter(validNow).map(h => h.kind));
    let top = -1;
    RUNGS.forEach((r, i) => { if (r.kinds.some(k => heldKinds.has(k))) top = i; });
    const next = top + 1 < RUNGS.length ? top + 1 : -1;
    const rungs = [];
    RUNGS.forEach((r, i) => {
      const held = r.kinds.some(k => heldKinds.has(k));
      const res = r.programs.map(p => byProg[p]).filter(Boolean);
      const ok = res.filter(x => qualifies(x.status));
      let state;
      if (held) {
        const h = (firm.honors || []).filter(x => r.kinds.includes(x.kind) && validNow(x))
          .sort((a, b) => String(b.expires || "9").localeCompare(String(a.expires || "9")))[0];
        state = "已认定" + (h && h.expires ? "，有效期至 " + h.expires : "");
      } else if (ok.length) {
        state = ok.some(x => x.status === "eligible") ? "现符合条件，可申报" : "计算条件已满足，待人工确认";
      } else if (res.length) {
        const blocking = Math.min(...res.map(x => (x.blocking || []).length || (x.criteria || []).filter(c => c.status === "fail").length));
        state = res.some(x => x.status === "insufficient_data") ? "数据不足，待补充" : "尚差 " + blocking + " 项条件";
      } else {
        state = "—";
      }
      if (i > 0) rungs.push(el("span", { class: "arrow" }, "→"));
      rungs.push(el("div", {
        class: "rung" + (held ? " held" : "") + (i === next ? " next" : "") + (!held && ok.length ? " eligible" : ""),
        "data-testid": "rung", "data-held": held ? "1" : "0",
      }, el("div", {}, r.name), el("div", { class: "small" }, state)));
    });
    const hnte = byProg["hnte"];
    const hnteHeld = heldKinds.has("hnte");
    show(parts.ladder, el("div", { class: "card" },
      el("h2", {}, "梯度培育阶梯"),
      el("div", { class: "ladder", "data-testid": "ladder-rungs" }, rungs),
      el("p", { class: "small muted" }, "绿色：已持有有效称号；虚线框：下一台阶；“可申报”为按当前数据评估符合条件。"),
      el("div", { class: "ladder" },
        el("span", { class: "muted" }, "并行：高新技术企业"),
        el("div", { class: "rung" + (hnteHeld ? " held" : "") }, hnteHeld ? "已认定" : hnte ? Peiyu.statusText[hnte.status] : "—"))));
  }

  // --- eligibility ------------------------------------------------------------------
  const asOfInput = el("input", { type: "date", id: "as-of", value: query("as_of") || "" });
  const reviewBox = el("input", { type: "checkbox", id: "review" });
  const evalForm = el("form", { class: "row no-print", id: "eval-form" },
    el("label", {}, "评估日期（默认今天）", asOfInput),
    el("label", { class: "check" }, reviewBox, "复核模式"),
    el("button", { type: "submit", class: "secondary" }, "重新评估"));
  evalForm.addEventListener("submit", ev => { ev.preventDefault(); loadEligibility(); });

  let firmRec = null;
  async function loadEligibility() {
    const q = S.qs({ as_of: asOfInput.value, review: reviewBox.checked ? "true" : "" });
    try {
      const data = await api("GET", "/api/v1/firms/" + enc + "/eligibility" + q);
      // The shared result view (results.js, also used by the self-check
      // and the enterprise's page): ladder, summary, one card a program.
      const holder = el("div", { id: "results-view" });
      show(parts.ladder);
      show(parts.elig, el("div", { class: "card no-print" }, el("h2", {}, "当前资格评估"), evalForm), holder);
      await PeiyuResults.render(holder, data, { profile: firmRec, title: "评估结果（评估日期 " + data.as_of + "）" });
      loadHistory();
    } catch (e) {
      show(parts.elig, el("div", { class: "card" }, el("h2", {}, "当前资格评估"), evalForm, S.err(e)));
      if (firmRec) renderLadder(firmRec, []);
    }
  }

  // --- history --------------------------------------------------------------------
  async function loadHistory() {
    let data;
    try {
      data = await api("GET", "/api/v1/firms/" + enc + "/eligibility/history");
    } catch (e) {
      show(parts.history, el("div", { class: "card" }, el("h2", {}, "评估历史"), S.err(e)));
      return;
    }
    const by = new Map();
    for (const it of data.items || []) {
      if (!by.has(it.program)) by.set(it.program, []);
      by.get(it.program).push(it);
    }
    const rows = [...by.entries()].map(([prog, items]) => {
      const chrono = items.slice().reverse(); // oldest first
      const steps = [];
      chrono.forEach((it, i) => {
        const changed = i > 0 && chrono[i - 1].status !== it.status;
        if (i > 0) steps.push(el("span", { class: "arrow" }, "→"));
        steps.push(el("span", { class: "step" + (changed ? " changed" : ""), title: "评估于 " + fmt.time(it.evaluated_at) + "，" + it.edition + "版" },
          el("span", { class: "small muted" }, it.as_of), " ", badge(it.status),
          it.score !== null && it.score !== undefined ? el("span", { class: "small" }, " " + fmt.num(it.score) + "分") : null));
      });
      return el("tr", { "data-program": prog },
        el("td", {}, S.programName(prog)),
        el("td", { class: "num" }, String(items.length)),
        el("td", {}, el("div", { class: "timeline" }, steps)),
        el("td", {}, fmt.time(items[0].evaluated_at)));
    });
    show(parts.history, el("div", { class: "card" },
      el("h2", {}, "评估历史"),
      el("p", { class: "small muted" }, "每次评估的输入或规则有变化时记录一条；从左到右由早到晚，粗框为状态变化。"),
      S.table(["项目", ["记录数", "num"], "状态变化（按评估日期）", "最近评估时间"], rows.length ? rows : [S.emptyRow(4, "暂无历史记录")], { id: "history-table" })));
  }

  // --- lookups ---------------------------------------------------------------------
  const outcomeText = o => (o === 200 || o === "200" || o === "ok") ? "成功" : String(o);
  async function loadLookups() {
    try {
      const data = await api("GET", "/api/v1/firms/" + enc + "/lookups?limit=50");
      const rows = (data.items || []).map(it => el("tr", {},
        el("td", {}, fmt.time(it.time)), el("td", {}, it.key_name || "—"),
        el("td", {}, Peiyu.roleText[it.role] || it.role || "—"), el("td", {}, outcomeText(it.outcome))));
      show(parts.lookups, el("div", { class: "card" }, el("h2", {}, "白名单查询记录"),
        el("p", { class: "small muted" }, "银行通过白名单接口查询本企业的记录（最近50条）。"),
        S.table(["时间", "查询方", "角色", "结果"], rows.length ? rows : [S.emptyRow(4, "暂无查询记录")], { id: "lookups-table" })));
    } catch (e) {
      show(parts.lookups, el("div", { class: "card" }, el("h2", {}, "白名单查询记录"), S.err(e)));
    }
  }

  async function main() {
    S.loadNames();
    try {
      firmRec = await api("GET", "/api/v1/firms/" + enc);
    } catch (e) {
      const back = el("a", { href: "/web/firms" }, "返回企业库");
      const box = e.status === 404 ? el("div", { class: "alert error" }, "未找到统一社会信用代码为 " + uscc + " 的企业。", back)
        : e.status === 400 ? el("div", { class: "alert error" }, "统一社会信用代码 " + uscc + " 有误：" + ((e.details || []).map(d => S.zh(d.problem)).join("；") || S.zh(e.message)) + "。", back)
          : S.err(e);
      show(app, box);
      return;
    }
    renderProfile(firmRec);
    renderTitles(firmRec);
    loadEligibility();
    loadLookups();
  }
  main();
})();
