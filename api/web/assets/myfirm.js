// The enterprise's own page (/web/myfirm): the firm the signed-in key is
// bound to (GET /api/v1/me → scope.uscc): its registry record
// (GET /api/v1/firms/{uscc}), its eligibility evaluated on that record
// (GET …/eligibility, shown with results.js like the self-check), the
// stored evaluation history (…/eligibility/history) and who looked it up on
// the whitelist (…/lookups).
"use strict";

(() => {
  const { el, $, api, show, clear, fmt } = Peiyu;
  const R = PeiyuResults;
  const who = Peiyu.requireRole("enterprise");
  if (!who) return;
  const uscc = who.scope && who.scope.uscc;
  const base = "/api/v1/firms/" + encodeURIComponent(uscc || "");
  let firm = null;
  let programNames = {};

  $("#as-of").value = Peiyu.today();

  // --- the profile ------------------------------------------------------------------
  const boolText = v => v === true ? "是" : v === false ? "否" : "未填写";
  function kv(pairs) {
    return el("dl", { class: "kv" }, pairs.filter(p => p).map(([k, v]) => [el("dt", {}, k), el("dd", {}, v === undefined || v === null || v === "" ? "—" : v)]));
  }
  function honorState(h, today) {
    if (h.issued && h.issued > today) return el("span", { class: "badge s-no_data" }, "未生效");
    if (h.expires && h.expires < today) return el("span", { class: "badge s-expired" }, "已过期");
    if (h.expires) {
      const days = (new Date(h.expires) - new Date(today)) / 864e5;
      if (days <= 90) return el("span", { class: "badge s-needs_review" }, "将于" + Math.max(0, Math.round(days)) + "天后到期");
    }
    return el("span", { class: "badge s-eligible" }, "有效");
  }
  function renderProfile(f) {
    const today = Peiyu.today();
    const n = f.niche || {};
    const years = [...(f.years || [])].sort((a, b) => b.year - a.year);
    const fields = R.YEAR_FIELDS.filter(([name]) => years.some(y => y[name] !== undefined && y[name] !== null));
    const ip = f.ip || {};
    const c = f.compliance;
    show($("#profile"),
      el("h2", {}, "企业信息"),
      kv([
        ["统一社会信用代码", el("span", { class: "mono" }, f.uscc)],
        ["所在地区", f.region_code ? R.regionName(f.region_code) + "（" + f.region_code + "）" : ""],
        ["国民经济行业", f.industry_code ? f.industry_code + (R.industryName(f.industry_code) ? " " + R.industryName(f.industry_code) : "") : ""],
        ["所属产业链", f.chain],
        ["成立日期", f.established],
        ["主导产品细分市场", n.market ? n.market + (n.since ? "（" + n.since + " 起）" : "") : ""],
        n.share !== undefined ? ["细分市场占有率", fmt.pct(n.share)] : null,
        n.domestic_rank !== undefined || n.global_rank !== undefined
          ? ["市场排名", [n.domestic_rank !== undefined ? "国内第" + n.domestic_rank + "名" : "", n.global_rank !== undefined ? "全球第" + n.global_rank + "名" : ""].filter(Boolean).join("，")] : null,
        f.niche ? ["重点领域 / 战略性新兴产业 / 补短板", [boolText(n.key_field), boolText(n.strategic_emerging), boolText(n.gap_filling)].join(" / ")] : null,
      ]),
      el("h3", {}, "近年财务与人员"),
      years.length ? el("div", { class: "table-wrap" }, el("table", { id: "profile-years" },
        el("thead", {}, el("tr", {}, el("th", {}, "项目"), years.map(y => el("th", { class: "num" }, y.year + "年")))),
        el("tbody", {}, fields.map(([name, title, unit]) => el("tr", {},
          el("th", { scope: "row" }, title),
          years.map(y => el("td", { class: "num" }, y[name] === undefined || y[name] === null ? "—" : R.valueText(y[name], unit))))))))
        : el("p", { class: "muted" }, "尚未登记财务数据。"),
      el("h3", {}, "知识产权"),
      kv(["class1", "class1_high_value", "class1_self_developed", "class2"].map(k => [R.LABELS["ip." + k], ip[k] !== undefined ? ip[k] + "项" : "未填写"])),
      el("h3", {}, "资质荣誉"),
      (f.honors || []).length ? el("div", { class: "table-wrap" }, el("table", { id: "profile-honors" },
        el("thead", {}, el("tr", {}, ["类型", "级别", "认定日期", "有效期至", "证书编号", "状态"].map(h => el("th", {}, h)))),
        el("tbody", {}, f.honors.map(h => el("tr", {},
          el("td", {}, Peiyu.honorText[h.kind] || h.kind),
          el("td", {}, h.level ? Peiyu.levelText[h.level] || h.level : "—"),
          el("td", {}, h.issued || "—"),
          el("td", {}, h.expires || "长期"),
          el("td", { class: "mono small" }, h.number || "—"),
          el("td", {}, honorState(h, today)))))))
        : el("p", { class: "muted" }, "尚未登记资质荣誉。"),
      el("h3", {}, "合规情况"),
      c ? kv([
        [R.LABELS["compliance.abnormal_list"], boolText(c.abnormal_list)],
        [R.LABELS["compliance.serious_dishonesty"], boolText(c.serious_dishonesty)],
        [R.LABELS["compliance.prohibited_industry"], boolText(c.prohibited_industry)],
        ["事故或违法事件", (c.incidents || []).length
          ? el("ul", { class: "plain" }, c.incidents.map(i => el("li", {}, i.date + " " + ((R.INCIDENT_KINDS.find(([k]) => k === i.kind) || [])[1] || i.kind) + (i.major ? "（重大）" : ""))))
          : "无"],
      ]) : el("p", { class: "muted" }, "尚未登记合规情况。"));
  }

  // --- eligibility ------------------------------------------------------------------------
  async function evaluate() {
    const btn = $("#eval-btn");
    btn.disabled = true;
    show($("#results"), el("p", { class: "spinner" }));
    const q = new URLSearchParams();
    if ($("#as-of").value) q.set("as_of", $("#as-of").value);
    if ($("#review").checked) q.set("review", "true");
    try {
      const ans = await api("GET", base + "/eligibility?" + q.toString());
      await R.render($("#results"), ans, { profile: firm, title: "资格评估（按系统登记的数据）" });
    } catch (e) {
      show($("#results"), R.errorBox(e));
    } finally {
      btn.disabled = false;
    }
    loadHistory();
  }
  $("#eval-form").addEventListener("submit", ev => { ev.preventDefault(); evaluate(); });
  $("#print").addEventListener("click", () => window.print());
  $("#try-selfcheck").addEventListener("click", () => {
    if (firm) sessionStorage.setItem("peiyu.selfcheck.profile", JSON.stringify(firm));
  });

  // --- history ------------------------------------------------------------------------------
  async function loadHistory() {
    const prog = $("#history-program").value;
    try {
      const d = await api("GET", base + "/eligibility/history" + (prog ? "?programs=" + encodeURIComponent(prog) : ""));
      const items = d.items || [];
      if (!items.length) { show($("#history"), el("p", { class: "muted" }, "暂无评估记录。")); return; }
      // Newest first: the change is against the next older entry of the same program.
      const older = {};
      const change = new Array(items.length);
      for (let i = items.length - 1; i >= 0; i--) {
        const it = items[i];
        const prev = older[it.program];
        change[i] = prev && prev.status !== it.status ? Peiyu.statusText[prev.status] + " → " + Peiyu.statusText[it.status] : "";
        older[it.program] = it;
      }
      show($("#history"), el("div", { class: "table-wrap" }, el("table", { id: "history-table" },
        el("thead", {}, el("tr", {}, ["评估时间", "评估日期", "项目", "版本", "结论", "得分", "变化"].map(h => el("th", {}, h)))),
        el("tbody", {}, items.map((it, i) => el("tr", { dataset: { program: it.program, status: it.status } },
          el("td", { class: "nowrap" }, fmt.time(it.evaluated_at)),
          el("td", { class: "nowrap" }, it.as_of),
          el("td", {}, programNames[it.program] || it.program),
          el("td", {}, it.edition),
          el("td", {}, Peiyu.badge(it.status)),
          el("td", { class: "num" }, it.score !== undefined && it.score !== null ? String(Math.round(it.score * 10) / 10) : "—"),
          el("td", { class: "small" }, change[i] ? el("strong", {}, change[i]) : "")))))));
    } catch (e) {
      show($("#history"), R.errorBox(e));
    }
  }
  $("#history-program").addEventListener("change", loadHistory);

  // --- who looked the firm up ------------------------------------------------------------------
  async function loadLookups() {
    try {
      const d = await api("GET", base + "/lookups?limit=200");
      const items = d.items || [];
      show($("#lookups"), items.length
        ? el("div", { class: "table-wrap" }, el("table", { id: "lookups-table" },
          el("thead", {}, el("tr", {}, ["时间", "查询机构", "身份", "结果"].map(h => el("th", {}, h)))),
          el("tbody", {}, items.map(it => el("tr", {},
            el("td", { class: "nowrap" }, fmt.time(it.time)),
            el("td", {}, it.key_name || "—"),
            el("td", {}, Peiyu.roleText[it.role] || it.role || "—"),
            el("td", {}, it.outcome >= 200 && it.outcome < 300 ? "已答复" : "未答复（" + it.outcome + "）"))))))
        : el("p", { class: "muted" }, "暂无机构查询过本企业。"));
    } catch (e) {
      show($("#lookups"), R.errorBox(e));
    }
  }

  // --- start ---------------------------------------------------------------------------------------
  async function start() {
    if (!uscc) {
      show($("#msg"), el("div", { class: "alert error" }, "当前密钥没有绑定企业，请联系主管部门。"));
      clear($("#profile"));
      return;
    }
    const metas = await R.programs();
    for (const m of metas) {
      programNames[m.id] = m.name;
      $("#history-program").append(el("option", { value: m.id }, m.name));
    }
    try {
      firm = await api("GET", base);
      $("#firm-name").textContent = firm.name || "本企业";
      document.title = (firm.name || "本企业") + " · 培育 Peiyu";
      renderProfile(firm);
    } catch (e) {
      show($("#profile"), R.errorBox(e));
    }
    loadLookups();
    if (firm) evaluate(); else loadHistory();
  }
  start();
})();
