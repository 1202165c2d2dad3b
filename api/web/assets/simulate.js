// 政策模拟: choose a program and edition, change parameter values, run the
// draft against the registry (POST /api/v1/programs/{id}/simulate) and see
// which firms become eligible or stop being, with each criterion's old and
// new values; save the overrides as a draft, list drafts, publish one.
"use strict";
(() => {
  const who = Peiyu.requireRole("staff", "admin");
  if (!who) return;
  const { el, $, show, clear, fmt, badge, query, api } = Peiyu;
  const S = Staff;
  const app = $("#app");

  const fProg = el("select", { id: "p-program" });
  const fEdition = el("select", { id: "p-edition" });
  const fRegion = S.regionSelect({ id: "p-region" }, { all: "全部地区" });
  const fChain = S.chainSelect({ id: "p-chain" });
  const fAsOf = el("input", { id: "p-as-of", type: "date" });
  const note = el("input", { id: "p-note", placeholder: "如：按2026年新政策调整营收门槛", maxLength: 500 });
  const params = el("div", { id: "params", "data-testid": "params" }, S.loading());
  const runBtn = el("button", { type: "submit", id: "run", "data-testid": "run-simulation" }, "运行模拟");
  const saveBtn = el("button", { type: "button", id: "save-draft", class: "secondary", "data-testid": "save-draft" }, "保存为草稿");
  const msg = el("div", { id: "msg" });
  const out = el("div", { id: "result", "data-testid": "sim-result" });
  const drafts = el("div", { id: "drafts", "data-testid": "drafts" });
  const form = el("form", { id: "sim-form", autocomplete: "off" },
    el("div", { class: "card" },
      el("div", { class: "grid" }, el("label", {}, "项目", fProg), el("label", {}, "版本", fEdition)),
      el("div", { id: "prog-info", class: "small muted" })),
    el("fieldset", {}, el("legend", {}, "参数（填写新值；留空或与现行值相同表示不改）"), params),
    el("fieldset", {}, el("legend", {}, "模拟范围"),
      el("div", { class: "grid" }, el("label", {}, "地区", fRegion), el("label", {}, "产业链", fChain),
        el("label", {}, "评估日期（默认今天）", fAsOf))),
    el("div", { class: "card" },
      el("div", { class: "row" }, runBtn, el("label", { class: "grow" }, "草稿备注", note), saveBtn),
      msg));
  show(app, form, out, el("div", { class: "card" }, el("h2", {}, "草稿与发布"),
    el("p", { class: "small muted" }, "草稿须通过规则包内置测试用例方可发布；发布后立即对所有地区生效，并记入审计日志。"), drafts));

  let programList = [];
  let pack = null; // the chosen edition's pack (GET /programs/{id})
  let inputs = {}; // parameter name → {input, param}

  // --- parameter units: what the form shows and what the API takes -----------------------
  const unitText = { yuan: "万元", ratio: "%", people: "人", count: "项", years: "年", days: "天", score: "分", points: "分", rank: "名", level: "级" };
  function toDisplay(v, unit) {
    if (unit === "yuan") return Math.round(v / 100) / 100;
    if (unit === "ratio") return Math.round(v * 1e6) / 1e4;
    return v;
  }
  function fromDisplay(s, unit) {
    const v = Number(String(s).replace(/[,，\s]/g, ""));
    if (!Number.isFinite(v)) return NaN;
    if (unit === "yuan") return Math.round(v * 10000);
    if (unit === "ratio") return Number((v / 100).toFixed(10));
    return v;
  }
  const sourceText = { official: "官方", "engine-default": "引擎默认" };
  function paramValue(v, unit) {
    if (unit === "yuan") return S.bigYuan(v);
    if (unit === "ratio") return fmt.pct(v);
    return S.value(v, unit);
  }

  function editionOf(id) {
    return programList.find(p => p.id === id);
  }
  function sel() { return fProg.value + "@" + fEdition.value; }

  async function loadPrograms() {
    try {
      const data = await S.programs();
      programList = data.items || [];
      S.loadNames();
      show(fProg, programList.map(p => el("option", { value: p.id }, p.name + "（" + p.id + "）")));
      fProg.value = query("program") && editionOf(query("program")) ? query("program") : programList[0].id;
      fillEditions(query("edition"));
      await loadPack();
    } catch (e) {
      show(params, S.err(e));
    }
  }
  function fillEditions(want) {
    const p = editionOf(fProg.value);
    show(fEdition, (p.editions || []).map(e => el("option", { value: e.edition },
      e.edition + "版" + (e.edition === p.in_force ? "（现行）" : "") + (e.revision > 1 ? " · 第" + e.revision + "次修订" : ""))));
    fEdition.value = want && p.editions.some(e => e.edition === want) ? want : p.in_force;
  }
  fProg.addEventListener("change", () => { fillEditions(); loadPack(); });
  fEdition.addEventListener("change", loadPack);

  async function loadPack() {
    S.setQuery({ program: fProg.value, edition: fEdition.value });
    clear(out); clear(msg);
    show(params, S.loading());
    loadDrafts();
    let d;
    try {
      d = await api("GET", "/api/v1/programs/" + encodeURIComponent(fProg.value));
    } catch (e) {
      show(params, S.err(e));
      return;
    }
    pack = (d.editions || []).find(e => e.edition === fEdition.value) || (d.editions || [])[0];
    const eff = pack.effective || {};
    show($("#prog-info"), "生效：" + (eff.from || "—") + (eff.to ? " 至 " + eff.to : " 起") + " · 修订号 " + (pack.revision || 1) + ((pack.revision || 1) === 1 ? "（内置版本）" : "（已发布修订）") +
      (pack.in_force ? " · 现行版本" : "") + (pack.basis && pack.basis.length ? " · 依据：" + pack.basis.join("；") : ""));
    inputs = {};
    const names = Object.keys(pack.parameters || {}).sort();
    if (!names.length) { show(params, el("p", { class: "muted" }, "该版本没有可调整的参数。")); return; }
    show(params, el("div", { class: "param-row head small muted" }, el("div", {}, "参数"), el("div", {}, "现行值"), el("div", {}, "新值"), el("div", {}, "来源与依据")),
      names.map(name => {
        const p = pack.parameters[name];
        const input = el("input", { type: "text", inputMode: "decimal", name, id: "param-" + name, placeholder: String(toDisplay(p.value, p.unit)), "data-param": name });
        const used = usedBy(name);
        const row = el("div", { class: "param-row", "data-param": name },
          el("div", {}, el("div", {}, p.title || (used[0] ? "用于：" + used[0] : name)),
            el("div", { class: "small muted" }, el("span", { class: "mono" }, name), p.title && used[0] ? " · 用于：" + used[0] : "",
              used.length > 1 ? "等" + used.length + "项条件" : "")),
          el("div", { class: "num" }, paramValue(p.value, p.unit)),
          el("div", { class: "inline-input" }, input, el("span", { class: "unit" }, unitText[p.unit] || "")),
          el("div", { class: "small" }, el("span", { class: "badge " + (p.source === "official" ? "s-eligible" : "s-insufficient_data") }, sourceText[p.source] || p.source), " ", p.basis || "", p.note ? el("div", { class: "muted" }, p.note) : null));
        input.addEventListener("input", () => row.classList.toggle("changed", input.value.trim() !== ""));
        inputs[name] = { input, param: p };
        return row;
      }));
  }

  // usedBy lists the titles of the criteria whose expressions name the
  // parameter (packs give few parameters a title of their own).
  function usedBy(name) {
    const re = new RegExp("\\b" + name + "\\b");
    return (pack.criteria || []).filter(c => re.test(JSON.stringify([c.expr, c.score, c.review_expr]))).map(c => c.title);
  }

  // overrides reads the changed parameters, or throws an error naming the
  // bad ones.
  function overrides() {
    const o = {};
    const bad = [];
    for (const [name, { input, param }] of Object.entries(inputs)) {
      const s = input.value.trim();
      if (!s) continue;
      const v = fromDisplay(s, param.unit);
      if (Number.isNaN(v)) { bad.push({ field: param.title || name, problem: "请输入数字" }); continue; }
      if (v !== param.value) o[name] = v;
    }
    if (bad.length) throw Object.assign(new Error("参数值有误"), { details: bad });
    if (!Object.keys(o).length) throw new Error("请至少修改一个参数的值（与现行值不同）");
    return o;
  }
  function filter() {
    const f = {};
    if (fRegion.value) f.region_code = fRegion.value;
    if (fChain.value) f.chain = fChain.value;
    return f;
  }

  // --- running a simulation ----------------------------------------------------------------------
  form.addEventListener("submit", ev => {
    ev.preventDefault();
    clear(msg);
    let body;
    try { body = { overrides: overrides(), filter: filter() }; } catch (e) { show(msg, S.err(e)); return; }
    if (fAsOf.value) body.as_of = fAsOf.value;
    simulate(sel(), body, runBtn);
  });
  async function simulate(path, body, button) {
    clear(msg);
    show(out, el("div", { class: "card" }, el("p", { class: "spinner" }), el("p", { class: "small muted" }, "正在对范围内的全部企业按现行规则与草案各评估一次，可能需要数十秒。")));
    await S.busy(button, async () => {
      button.textContent = "模拟中…";
      try {
        const r = await api("POST", "/api/v1/programs/" + encodeURIComponent(path) + "/simulate", body);
        renderResult(r, body);
      } catch (e) {
        show(out, S.err(e));
      }
    });
    out.scrollIntoView();
  }

  // unitFor finds a changed criterion's unit: the API's, else the unit of
  // a parameter whose old or new value is its threshold, else a guess.
  function unitFor(ch, over) {
    const given = (ch.new && ch.new.unit) || (ch.old && ch.old.unit);
    if (given) return given;
    const ps = (pack && pack.parameters) || {};
    for (const side of [ch.new, ch.old]) {
      if (!side || typeof side.threshold !== "number") continue;
      for (const [name, p] of Object.entries(ps)) {
        const v = over && name in over ? over[name] : p.value;
        if (Math.abs(v - side.threshold) < 1e-9 || Math.abs(p.value - side.threshold) < 1e-9) return p.unit;
      }
    }
    return S.guessUnit(ch.old && ch.old.actual, ch.old && ch.old.threshold, ch.new && ch.new.actual, ch.new && ch.new.threshold);
  }
  function stateText(s, unit) {
    if (!s) return el("span", { class: "muted" }, "（无此条件）");
    return el("span", {}, badge(s.status), " ", S.value(s.actual, unit),
      typeof s.threshold === "number" ? el("span", { class: "muted" }, " / 要求 " + S.value(s.threshold, unit)) : null,
      typeof s.points === "number" ? el("span", { class: "muted" }, " · " + fmt.num(s.points) + "分") : null);
  }
  function flipTable(list, over, testid) {
    const rows = (list || []).map(f => el("tr", { "data-uscc": f.uscc },
      el("td", {}, S.firmLink(f.uscc, f.name), el("div", { class: "small muted mono" }, f.uscc)),
      el("td", { class: "nowrap" }, S.regionName(f.region_code)),
      el("td", {}, badge(f.old_status), " → ", badge(f.new_status)),
      el("td", {}, (f.criteria || []).length ? el("ul", { class: "plain" }, f.criteria.map(ch => {
        const unit = unitFor(ch, over);
        return el("li", { "data-criterion": ch.id }, el("div", {}, ch.title),
          el("div", { class: "small" }, "现行：", stateText(ch.old, unit)),
          el("div", { class: "small" }, "草案：", stateText(ch.new, unit)));
      })) : el("span", { class: "muted" }, "—"))));
    return S.table(["企业", "地区", "结果变化", "变化的条件（现行 → 草案）"], rows.length ? rows : [S.emptyRow(4, "无")], { "data-testid": testid });
  }
  function renderResult(r, body) {
    const over = body.overrides || null;
    const c = r.counts || {};
    const k = (cls, label, n, id) => el("div", { class: "kpi " + cls, "data-testid": id }, el("div", { class: "v" }, fmt.num(n)), el("div", { class: "k" }, label));
    const changes = over ? Object.entries(over).map(([n, v]) => {
      const p = (pack.parameters || {})[n] || {};
      return el("li", {}, (p.title || n) + "：", el("span", { class: "diff-old" }, paramValue(p.value, p.unit)), " → ", el("span", { class: "diff-new" }, paramValue(v, p.unit)));
    }) : null;
    show(out, el("div", { class: "card" },
      el("h2", {}, "模拟结果"),
      el("p", { class: "small muted" }, S.programName(r.program) + " · 现行 " + r.old.edition + "版第" + r.old.revision + "次修订 → " +
        (r.new.draft ? "草稿 " + r.new.draft.slice(0, 8) : "草案（" + r.new.edition + "版）") + " · 评估日期 " + r.as_of +
        (r.filter && (r.filter.region_code || r.filter.chain) ? " · 范围：" + [r.filter.region_code ? S.regionName(r.filter.region_code) : "", r.filter.chain || ""].filter(Boolean).join("、") : " · 范围：全部企业")),
      changes ? el("ul", {}, changes) : null,
      el("div", { class: "kpis" },
        k("", "模拟企业", r.firms, "sim-firms"), k("good", "新增符合", c.newly_eligible, "sim-newly-eligible"),
        k("bad", "不再符合", c.newly_ineligible, "sim-newly-ineligible"), k("warn", "同侧状态变化", c.other_changes, "sim-other"),
        k("", "结果不变", r.unchanged, "sim-unchanged")),
      r.truncated ? el("div", { class: "alert warn" }, "名单较长，每类只列出按信用代码排序的前500家；上方数字为全部家数。") : null,
      el("p", { class: "small muted" }, "“符合”含符合条件与待审核确认；“同侧状态变化”如符合条件 ↔ 待审核确认、不符合 ↔ 待补充数据。")),
      el("div", { class: "card" }, el("h3", {}, "新增符合（" + fmt.num(c.newly_eligible) + "）"), flipTable(r.newly_eligible, over, "newly-eligible")),
      el("div", { class: "card" }, el("h3", {}, "不再符合（" + fmt.num(c.newly_ineligible) + "）"), flipTable(r.newly_ineligible, over, "newly-ineligible")),
      el("div", { class: "card" }, el("h3", {}, "其他状态变化（" + fmt.num(c.other_changes) + "）"), flipTable(r.other_changes, over, "other-changes")));
  }

  // --- drafts -------------------------------------------------------------------------------------
  saveBtn.addEventListener("click", () => {
    clear(msg);
    let body;
    try { body = { overrides: overrides() }; } catch (e) { show(msg, S.err(e)); return; }
    if (note.value.trim()) body.note = note.value.trim();
    S.busy(saveBtn, async () => {
      try {
        const d = await api("POST", "/api/v1/programs/" + encodeURIComponent(sel()) + "/drafts", body);
        show(msg, el("div", {}, Peiyu.okBox("已保存草稿 " + d.id.slice(0, 8) + "（" + d.edition + "版，基于第" + d.base_revision + "次修订）。"), casesBox(d.cases)));
        loadDrafts();
      } catch (e) {
        show(msg, S.err(e));
      }
    });
  });
  // caseProblem words in Chinese the usual differences a failing case
  // reports (rules/cases.go writes them in English: "status = ineligible,
  // want eligible"); anything else is shown as it came.
  function caseProblem(p) {
    const st = s => "“" + (Peiyu.statusText[s] || s) + "”";
    const v = s => s === "<none>" ? "无" : s;
    let m;
    if ((m = /^status = (\S+), want (\S+)$/.exec(p))) return "评估结果为" + st(m[1]) + "，用例预期" + st(m[2]);
    if ((m = /^route = (.+), want (.+)$/.exec(p))) return "通过路径为 " + v(m[1]) + "，用例预期 " + m[2];
    if ((m = /^score = (\S+), want (\S+)$/.exec(p))) return "得分为 " + v(m[1]) + "，用例预期 " + m[2];
    if ((m = /^criterion (\S+) = (\S+), want (\S+)(?: \((.*)\))?$/.exec(p))) return "条件 " + m[1] + " 结果为" + st(m[2]) + "，用例预期" + st(m[3]) + (m[4] ? "（" + m[4] + "）" : "");
    if ((m = /^points of (\S+) = (\S+), want (\S+)$/.exec(p))) return "条件 " + m[1] + " 得分为 " + v(m[2]) + "，用例预期 " + m[3];
    if ((m = /^criterion (\S+) not in the result$/.exec(p))) return "结果中没有条件 " + m[1];
    return p;
  }
  // casesBox shows how a draft's embedded cases fare.
  function casesBox(cases) {
    if (!cases) return null;
    if (!cases.failed || !cases.failed.length) return el("div", { class: "alert ok", "data-testid": "cases-ok" }, "内置测试用例 " + cases.passed + "/" + cases.total + " 全部通过，可以发布。");
    return el("div", { class: "alert warn", "data-testid": "cases-failed" },
      "内置测试用例 " + cases.passed + "/" + cases.total + " 通过，" + cases.failed.length + " 个未通过，发布会被拒绝：",
      el("ul", {}, cases.failed.map(f => el("li", {}, el("strong", {}, f.name), el("ul", {}, (f.problems || []).map(p => el("li", { class: "small" }, caseProblem(p))))))),
      el("p", { class: "small" }, "用例是规则包自带的核对样例。改动门槛后，样例的预期结果也要相应修改：可在草稿列表中“编辑规则包”，修改用例后另存为新草稿。"));
  }
  function publishFailure(e) {
    if (e.code === "cases_failed") {
      return el("div", { class: "alert error", role: "alert", "data-testid": "publish-cases-failed" },
        "发布被拒绝：" + S.zh(e.message),
        el("ul", {}, (e.details || []).map(d => el("li", {}, el("strong", {}, String(d.field || "").replace(/^cases\./, "用例：")),
          el("ul", {}, String(d.problem || "").split("; ").map(p => el("li", { class: "small" }, caseProblem(p))))))),
        el("p", { class: "small" }, "请修改草稿，使内置测试用例全部通过后再发布。"));
    }
    if (e.status === 409) return el("div", { class: "alert error", role: "alert" }, "发布被拒绝：" + S.zh(e.message));
    return S.err(e);
  }
  function overridesText(d) {
    const ps = (pack && pack.edition === d.edition && pack.parameters) || {};
    return Object.entries(d.overrides || {}).map(([n, v]) => {
      const p = ps[n];
      return el("div", {}, (p && p.title) || n, "：", p ? el("span", {}, el("span", { class: "diff-old" }, paramValue(p.value, p.unit)), " → ", el("span", { class: "diff-new" }, paramValue(v, p.unit))) : String(v));
    });
  }
  let draftSeq = 0;
  async function loadDrafts() {
    const my = ++draftSeq;
    const id = fProg.value;
    show(drafts, S.loading());
    let data;
    try {
      data = await api("GET", "/api/v1/programs/" + encodeURIComponent(id) + "/drafts");
    } catch (e) {
      if (my === draftSeq) show(drafts, S.err(e));
      return;
    }
    if (my !== draftSeq) return;
    const rowMsg = el("div", { id: "draft-msg" });
    const editor = el("div", { id: "draft-editor" });
    const rows = (data.items || []).map(d => {
      const pub = d.status === "published";
      const simBtn = el("button", { type: "button", class: "secondary" }, "模拟");
      simBtn.addEventListener("click", () => simulate(d.program + "@" + d.edition, Object.assign({ draft: d.id, filter: filter() }, fAsOf.value ? { as_of: fAsOf.value } : {}), simBtn));
      const editBtn = el("button", { type: "button", class: "secondary" }, "编辑规则包");
      editBtn.addEventListener("click", () => editDraft(d, editor, rowMsg));
      const pubBtn = el("button", { type: "button", "data-testid": "publish", disabled: pub }, "发布");
      pubBtn.addEventListener("click", () => {
        if (!confirm("确认发布草稿 " + d.id.slice(0, 8) + "（" + S.programName(d.program) + " " + d.edition + "版）？\n发布后立即对所有地区生效。")) return;
        S.busy(pubBtn, async () => {
          clear(rowMsg);
          try {
            const r = await api("POST", "/api/v1/programs/" + encodeURIComponent(d.program + "@" + d.edition) + "/drafts/" + encodeURIComponent(d.id) + "/publish", {});
            show(rowMsg, Peiyu.okBox("已发布：" + S.programName(r.program) + " " + r.edition + "版第" + r.revision + "次修订（" + r.published_by + "，" + fmt.time(r.published_at) + "）。"));
            refreshPrograms();
          } catch (e) {
            show(rowMsg, publishFailure(e));
            rowMsg.scrollIntoView();
          }
        });
      });
      return el("tr", { "data-draft": d.id, "data-status": d.status },
        el("td", {}, fmt.time(d.created_at), el("div", { class: "small muted mono" }, d.id.slice(0, 8))),
        el("td", {}, d.created_by || "—"),
        el("td", {}, d.edition + "版", el("div", { class: "small muted" }, "基于第" + d.base_revision + "次修订")),
        el("td", { class: "small" }, d.overrides ? overridesText(d) : el("span", { class: "muted" }, "整包编辑")),
        el("td", { class: "small" }, d.note || ""),
        el("td", {}, pub ? el("span", { class: "badge s-eligible" }, "已发布为第" + d.published_revision + "次修订") : el("span", { class: "badge s-insufficient_data" }, "草稿"),
          pub && d.published_by ? el("div", { class: "small muted" }, d.published_by + " " + fmt.time(d.published_at)) : null),
        el("td", {}, el("div", { class: "row" }, simBtn, editBtn, pub ? null : pubBtn)));
    });
    show(drafts, rowMsg, S.table(["创建时间", "创建人", "版本", "修改的参数", "备注", "状态", "操作"], rows.length ? rows : [S.emptyRow(7, "该项目还没有草稿")], { id: "drafts-table" }), editor);
  }
  async function refreshPrograms() {
    // A publish changes the revision in use: reload the list and the pack.
    try {
      const data = await api("GET", "/api/v1/programs");
      programList = data.items || [];
      fillEditions(fEdition.value);
      loadPack();
    } catch { /* the page still works with the old list */ }
  }

  // editDraft opens a draft's whole pack in a text box; saving makes a new
  // draft from it (POST …/drafts {"pack"}).
  async function editDraft(d, box, rowMsg) {
    show(box, S.loading());
    let full;
    try {
      full = await api("GET", "/api/v1/programs/" + encodeURIComponent(d.program) + "/drafts/" + encodeURIComponent(d.id));
    } catch (e) {
      show(box, S.err(e));
      return;
    }
    const ta = el("textarea", { id: "draft-yaml", rows: 24, spellcheck: false });
    ta.value = full.yaml || "";
    const n = el("input", { placeholder: "备注", maxLength: 500, value: d.note ? d.note + "（修改用例）" : "" });
    const save = el("button", { type: "button" }, "另存为新草稿");
    const m = el("div", {});
    save.addEventListener("click", () => S.busy(save, async () => {
      clear(m);
      try {
        const nd = await api("POST", "/api/v1/programs/" + encodeURIComponent(d.program + "@" + d.edition) + "/drafts", { pack: ta.value, note: n.value.trim() || undefined });
        show(m, Peiyu.okBox("已另存为草稿 " + nd.id.slice(0, 8) + "。"), casesBox(nd.cases));
        setTimeout(loadDrafts, 1500);
      } catch (e) {
        show(m, S.err(e));
      }
    }));
    show(box, el("div", { class: "card" },
      el("h3", {}, "编辑规则包（草稿 " + d.id.slice(0, 8) + "，" + d.edition + "版）"),
      el("p", { class: "small muted" }, "可修改参数、条件与内置测试用例（cases）。保存时会编译并运行用例；有误时列出行号与原因。"),
      ta, el("div", { class: "row" }, el("label", { class: "grow" }, "备注", n), save,
        el("button", { type: "button", class: "secondary", onclick: () => clear(box) }, "关闭")), m));
    box.scrollIntoView();
  }

  loadPrograms();
})();
