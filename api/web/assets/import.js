// 表格导入: download the template (GET /api/v1/firms/import-template.xlsx),
// upload an XLSX or CSV (POST /api/v1/firms/import, field "file",
// ?dry_run=true to check only) and show the row-by-row report.
"use strict";
(() => {
  const who = Peiyu.requireRole("staff", "admin");
  if (!who) return;
  const { el, $, show, clear, fmt, api } = Peiyu;
  const S = Staff;
  const app = $("#app");
  const MAX = 20 * 1024 * 1024;

  const tmplMsg = el("div", {});
  const file = el("input", { type: "file", id: "file", name: "file", accept: ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv", required: true });
  const dry = el("input", { type: "checkbox", id: "dry-run", checked: true });
  const submit = el("button", { type: "submit", id: "upload", "data-testid": "upload" }, "上传并校验");
  const msg = el("div", { id: "msg" });
  const report = el("div", { id: "report", "data-testid": "import-report" });
  const form = el("form", { id: "import-form", class: "card", autocomplete: "off" },
    el("h2", {}, "2. 上传文件"),
    el("label", {}, "Excel（.xlsx）或 CSV 文件，不超过20MB", file),
    el("label", { class: "check" }, dry, "仅校验不写入（先检查一遍，确认无误后取消勾选再导入）"),
    el("div", { class: "row" }, submit), msg);
  show(app,
    el("div", { class: "card" }, el("h2", {}, "1. 下载模板"),
      el("p", {}, "模板含企业基本信息、年度数据、称号等工作表及填写说明。金额以元为单位，日期格式为 YYYY-MM-DD；一行有误不影响其他行。"),
      el("div", { class: "row" }, S.downloadButton("下载导入模板（.xlsx）", () => "/api/v1/firms/import-template.xlsx", "企业导入模板.xlsx", tmplMsg, "template")),
      tmplMsg),
    form, report);
  const syncLabel = () => { submit.textContent = dry.checked ? "上传并校验" : "上传并导入"; };
  dry.addEventListener("change", syncLabel);

  form.addEventListener("submit", ev => {
    ev.preventDefault();
    clear(msg);
    const f = file.files && file.files[0];
    if (!f) { show(msg, S.err(new Error("请选择要上传的文件"))); return; }
    if (!/\.(xlsx|csv)$/i.test(f.name)) { show(msg, S.err(new Error("只支持 .xlsx 或 .csv 文件"))); return; }
    if (f.size > MAX) { show(msg, S.err(new Error("文件超过20MB，请分批导入"))); return; }
    const fd = new FormData();
    fd.append("file", f, f.name);
    const dryRun = dry.checked;
    S.busy(submit, async () => {
      submit.textContent = dryRun ? "正在校验…" : "正在导入…";
      show(report, el("div", { class: "card" }, S.loading()));
      try {
        const r = await api("POST", "/api/v1/firms/import" + (dryRun ? "?dry_run=true" : ""), fd);
        renderReport(r, f.name);
      } catch (e) {
        clear(report);
        show(msg, S.err(e));
      }
    }).then(syncLabel);
  });

  const fieldText = { uscc: "统一社会信用代码", name: "企业名称", region_code: "地区代码", industry_code: "行业代码", chain: "产业链" };
  function renderReport(r, name) {
    const problems = r.problems || [];
    const kpi = (cls, label, n, id) => el("div", { class: "kpi " + cls, "data-testid": id }, el("div", { class: "v" }, fmt.num(n || 0)), el("div", { class: "k" }, label));
    const verdict = r.dry_run
      ? (r.failed ? el("div", { class: "alert warn" }, "校验完成（未写入）：" + fmt.num(r.failed) + " 家企业的数据有误，请按下表修改后重新上传；其余企业可以导入。")
        : el("div", { class: "alert ok" }, "校验通过（未写入）：取消勾选“仅校验不写入”后再次上传即可导入。"))
      : (r.failed ? el("div", { class: "alert warn" }, "导入完成：数据无误的企业已写入，" + fmt.num(r.failed) + " 家企业的数据有误、未写入，请按下表修改后重新上传。")
        : el("div", { class: "alert ok" }, "导入完成，全部写入。"));
    const rows = problems.map(p => el("tr", {},
      el("td", {}, p.sheet || "—"),
      el("td", { class: "num" }, p.row !== undefined && p.row !== null ? String(p.row) : "—"),
      el("td", {}, p.column || "—"),
      el("td", {}, fieldText[p.field] || p.field || "—"),
      el("td", {}, S.zh(p.problem))));
    show(report, el("div", { class: "card" },
      el("h2", {}, (r.dry_run ? "校验报告" : "导入报告") + "：" + name),
      verdict,
      el("div", { class: "kpis" },
        kpi("", "数据行", r.rows, "rep-rows"), kpi("", "涉及企业", r.firms, "rep-firms"),
        kpi("good", r.dry_run ? "将新增" : "新增", r.created, "rep-created"), kpi("good", r.dry_run ? "将更新" : "更新", r.updated, "rep-updated"),
        kpi("", "无变化", r.unchanged, "rep-unchanged"), kpi(r.failed ? "bad" : "", "有误企业", r.failed, "rep-failed")),
      problems.length ? el("div", {}, el("h3", {}, "问题（" + (r.problems_total > problems.length ? "共" + r.problems_total + "条，列出前" + problems.length + "条" : problems.length) + "）"),
        S.table(["工作表", ["行号", "num"], "列", "字段", "问题"], rows, { id: "problems-table" })) : null));
  }
})();
