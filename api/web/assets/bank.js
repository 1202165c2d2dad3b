// The bank's whitelist page (/web/bank): look firms up on the latest
// published finance whitelist by USCC (GET /api/v1/whitelist/{uscc}, or
// POST /api/v1/whitelist/lookup for a batch), download the signed receipts,
// list the versions and the changes since one, and show the receipt
// signing keys (GET /api/v1/receipts/public-key) with how to verify a
// receipt offline (peiyu receipts verify) or in this browser (WebCrypto
// Ed25519). The page shows only what the whitelist publishes.
"use strict";

(() => {
  const { el, $, $$, api, show, clear, fmt } = Peiyu;
  const R = PeiyuResults;
  const who = Peiyu.requireRole("bank", "staff", "admin");
  if (!who) return;
  const LIST = "finance-whitelist";
  const MAX = 1000;
  let lastAnswer = null;   // the last lookup, as {list, version, items}
  let publicKeys = null;   // GET /receipts/public-key
  let routeTitles = {};    // entry route → the pack's title of it

  // --- tabs -----------------------------------------------------------------------
  function showTab(name) {
    for (const b of $$(".tabs button")) b.classList.toggle("active", b.dataset.tab === name);
    for (const p of $$("[data-panel]")) p.classList.toggle("hidden", p.dataset.panel !== name);
    if (name === "versions" && !$("#versions").dataset.loaded) loadVersions();
  }
  for (const b of $$(".tabs button")) b.addEventListener("click", () => { showTab(b.dataset.tab); history.replaceState(null, "", "#" + b.dataset.tab); });


  // --- names ---------------------------------------------------------------------------
  async function loadRoutes() {
    const p = await R.pack(LIST);
    const e = R.editionOf(p, "");
    for (const c of (e && e.criteria) || []) {
      if (!c.route || routeTitles[c.route]) continue;
      if (c.kind === "direct" || c.kind === "hard") routeTitles[c.route] = c.title;
    }
  }
  function routeText(r) {
    if (!r) return "—";
    return routeTitles[r] || (r === "score" ? "综合评分" : r);
  }
  function titlesText(titles) {
    if (!titles || !titles.length) return "—";
    return el("ul", { class: "plain" }, titles.map(t => el("li", {},
      (Peiyu.honorText[t.kind] || t.kind) + (t.level ? "（" + (Peiyu.levelText[t.level] || t.level) + "）" : ""),
      el("span", { class: "small muted" }, t.expires ? " 有效期至 " + t.expires : (t.issued ? " " + t.issued + " 取得" : "")))));
  }

  // --- the current version ------------------------------------------------------------------
  let versions = [];
  async function loadCurrent() {
    try {
      const d = await api("GET", "/api/v1/whitelists/" + LIST + "/versions?limit=200");
      versions = d.items || [];
      const v = versions[0];
      show($("#current"), v
        ? el("div", { class: "row" },
          el("div", {}, el("strong", {}, "当前版本：第 " + v.version + " 版"), "　共 " + v.count + " 家企业",
            el("div", { class: "small muted" }, "评估日期 " + v.as_of + " · 发布于 " + fmt.time(v.published_at) + " · 发布人 " + (v.published_by || "—"))))
        : el("div", { class: "alert warn" }, "白名单尚未发布。发布后即可查询。"));
      fillSince();
    } catch (e) {
      show($("#current"), R.errorBox(e));
    }
  }

  // --- lookups ----------------------------------------------------------------------------------
  function parseCodes(text) {
    const seen = new Set();
    const out = [];
    for (const s of String(text || "").toUpperCase().split(/[\s,，;；、]+/)) {
      const c = s.trim().replace(/^["']|["']$/g, "");
      if (c && !seen.has(c)) { seen.add(c); out.push(c); }
    }
    return out;
  }
  const usccs = $("#usccs");
  function updCount() {
    const n = parseCodes(usccs.value).length;
    $("#usccs-count").textContent = n ? "共 " + n + " 个代码（已去重）" + (n > MAX ? "，超过一次最多 " + MAX + " 个的限制" : "") : "";
  }
  usccs.addEventListener("input", updCount);

  $("#uscc-file").addEventListener("change", ev => {
    const f = ev.target.files && ev.target.files[0];
    ev.target.value = "";
    if (!f) return;
    const reader = new FileReader();
    reader.onload = () => {
      // A CSV: take every cell that looks like a USCC (18 characters).
      const codes = parseCodes(String(reader.result).replace(/^\uFEFF/, "")).filter(c => c.length === 18);
      usccs.value = codes.join("\n");
      updCount();
      show($("#lookup-msg"), codes.length ? Peiyu.okBox("已从 " + f.name + " 读入 " + codes.length + " 个代码。")
        : el("div", { class: "alert warn" }, f.name + " 中没有找到18位的统一社会信用代码。"));
    };
    reader.readAsText(f);
  });

  $("#lookup-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    const codes = parseCodes(usccs.value);
    clear($("#lookup-msg"));
    if (!codes.length) { show($("#lookup-msg"), el("div", { class: "alert error" }, "请输入统一社会信用代码。")); return; }
    if (codes.length > MAX) { show($("#lookup-msg"), el("div", { class: "alert error" }, "一次最多查询 " + MAX + " 个，当前 " + codes.length + " 个，请分批查询。")); return; }
    const btn = $("#lookup-btn");
    btn.disabled = true;
    show($("#lookup-results"), el("p", { class: "spinner" }));
    try {
      let answer;
      if (codes.length === 1) {
        const a = await api("GET", "/api/v1/whitelist/" + encodeURIComponent(codes[0]));
        answer = { list: LIST, version: a.version, items: [a] };
      } else {
        answer = await api("POST", "/api/v1/whitelist/lookup", { usccs: codes });
      }
      lastAnswer = answer;
      renderLookup(answer);
    } catch (e) {
      clear($("#lookup-results"));
      // A batch names bad codes by index: say which code.
      if (e.details && e.details.length) {
        e.details = e.details.map(d => {
          const m = String(d.field).match(/^usccs\[(\d+)\]$/);
          return m ? { field: "", problem: "第" + (Number(m[1]) + 1) + "个（" + codes[m[1]] + "）：" + R.zh(d.problem) } : d;
        });
      }
      show($("#lookup-msg"), R.errorBox(e));
    } finally {
      btn.disabled = false;
    }
  });

  function renderLookup(answer) {
    const items = answer.items || [];
    const listed = items.filter(a => a.listed).length;
    const onlyListed = el("input", { type: "checkbox", id: "only-listed", onchange: ev => table.classList.toggle("only-listed", ev.target.checked) });
    const table = el("table", { id: "lookup-table" },
      el("thead", {}, el("tr", {}, ["统一社会信用代码", "企业名称", "是否列入", "版本", "分档", "入库路径", "资质（有效期）", "连续列入自"].map(h => el("th", {}, h)))),
      el("tbody", {}, items.map(a => el("tr", { class: a.listed ? "is-listed" : "not-listed", dataset: { uscc: a.uscc, listed: String(a.listed) } },
        el("td", { class: "mono nowrap" }, a.uscc),
        el("td", {}, a.name || "—"),
        el("td", { class: "nowrap", "data-testid": "listed-" + a.uscc }, a.listed ? el("span", { class: "listed-yes" }, "✓ 已列入") : el("span", { class: "listed-no" }, "✗ 未列入")),
        el("td", { class: "nowrap" }, "第" + a.version + "版"),
        el("td", {}, a.tier ? el("span", { class: "badge tier tier-" + a.tier }, a.tier + "档") : "—"),
        el("td", { class: "small" }, a.listed ? routeText(a.entry_route) : "—"),
        el("td", { class: "small" }, a.listed ? titlesText(a.titles) : "—"),
        el("td", { class: "nowrap" }, a.listed_since || "—")))));
    show($("#lookup-results"), el("div", { class: "card" },
      el("div", { class: "row" },
        el("div", { class: "grow" }, el("strong", { id: "lookup-summary" }, "共查询 " + items.length + " 家：已列入 " + listed + " 家，未列入 " + (items.length - listed) + " 家"),
          el("div", { class: "small muted" }, "名单版本：第 " + answer.version + " 版。未列入包括名单以外的企业和尚未登记的代码。")),
        el("button", { type: "button", id: "download-receipts", "data-testid": "download-receipts", onclick: downloadReceipts }, "下载签名回执（JSON）"),
        el("button", { type: "button", class: "secondary", onclick: downloadCSV }, "导出表格（CSV）")),
      items.length > 1 ? el("label", { class: "check" }, onlyListed, "只看已列入") : null,
      el("div", { class: "table-wrap" }, table)));
  }

  function stamp() {
    const d = new Date();
    const p = n => String(n).padStart(2, "0");
    return d.getFullYear() + p(d.getMonth() + 1) + p(d.getDate()) + "-" + p(d.getHours()) + p(d.getMinutes()) + p(d.getSeconds());
  }
  function downloadReceipts() {
    if (!lastAnswer) return;
    // The shape of POST /whitelist/lookup: peiyu receipts verify reads it.
    const doc = { list: lastAnswer.list || LIST, version: lastAnswer.version, items: lastAnswer.items };
    Peiyu.saveBlob(new Blob([JSON.stringify(doc, null, 2) + "\n"], { type: "application/json" }),
      "whitelist-receipts-v" + lastAnswer.version + "-" + stamp() + ".json");
  }
  function csvCell(v) {
    const s = String(v === undefined || v === null ? "" : v);
    return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? '"' + s.replace(/"/g, '""').replace(/^([=+\-@])/, "'$1") + '"' : s;
  }
  function downloadCSV() {
    if (!lastAnswer) return;
    const rows = [["统一社会信用代码", "企业名称", "是否列入", "版本", "分档", "入库路径", "资质", "连续列入自"]];
    for (const a of lastAnswer.items) {
      rows.push([a.uscc, a.name || "", a.listed ? "是" : "否", a.version, a.tier || "", a.listed ? routeText(a.entry_route) : "",
        (a.titles || []).map(t => (Peiyu.honorText[t.kind] || t.kind) + (t.expires ? "（至" + t.expires + "）" : "")).join("；"), a.listed_since || ""]);
    }
    const text = "\uFEFF" + rows.map(r => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
    Peiyu.saveBlob(new Blob([text], { type: "text/csv;charset=utf-8" }), "whitelist-lookup-v" + lastAnswer.version + "-" + stamp() + ".csv");
  }

  // --- versions and changes ------------------------------------------------------------------------
  async function loadVersions() {
    $("#versions").dataset.loaded = "1";
    if (!versions.length) await loadCurrent();
    if (!versions.length) { show($("#versions"), el("p", { class: "muted" }, "尚无已发布的版本。")); return; }
    show($("#versions"), el("div", { class: "table-wrap" }, el("table", { id: "versions-table" },
      el("thead", {}, el("tr", {}, ["版本", "评估日期", "发布时间", "发布人", "企业数", "较上版", "校验值", ""].map(h => el("th", {}, h)))),
      el("tbody", {}, versions.map(v => el("tr", { dataset: { version: String(v.version) } },
        el("td", {}, "第" + v.version + "版"),
        el("td", {}, v.as_of),
        el("td", {}, fmt.time(v.published_at)),
        el("td", {}, v.published_by || "—"),
        el("td", { class: "num" }, fmt.num(v.count)),
        el("td", { class: "small" }, "新增 " + (v.added || []).length + "，移出 " + (v.removed || []).length),
        el("td", { class: "mono small", title: v.hash }, v.hash ? v.hash.slice(0, 16) + "…" : "—"),
        el("td", {}, el("button", { type: "button", class: "secondary small-btn", onclick: () => downloadVersion(v.version) }, "下载")),
      ))))));
  }
  async function downloadVersion(n) {
    try {
      const d = await api("GET", "/api/v1/whitelists/" + LIST + "/versions/" + n);
      Peiyu.saveBlob(new Blob([JSON.stringify(d, null, 2) + "\n"], { type: "application/json" }), "whitelist-v" + n + ".json");
    } catch (e) {
      show($("#changes"), R.errorBox(e));
    }
  }
  function fillSince() {
    const sel = $("#since");
    const latest = versions[0] ? versions[0].version : 0;
    show(sel, el("option", { value: "0" }, "0（全部，相当于整份名单）"),
      versions.filter(v => v.version < latest).map(v => el("option", { value: String(v.version) }, "第" + v.version + "版（" + v.as_of + "）")));
    if (latest > 1) sel.value = String(latest - 1);
  }
  $("#changes-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    const since = $("#since").value || "0";
    show($("#changes"), el("p", { class: "spinner" }));
    try {
      const ch = await api("GET", "/api/v1/whitelists/" + LIST + "/changes?since=" + encodeURIComponent(since));
      const added = ch.added || [], removed = ch.removed || [];
      show($("#changes"),
        el("p", { id: "changes-summary" }, "第 " + ch.from + " 版 → 第 " + ch.to + " 版：新增 " + added.length + " 家，移出 " + removed.length + " 家。"),
        added.length ? [el("h3", {}, "新增"), el("div", { class: "table-wrap" }, el("table", {},
          el("thead", {}, el("tr", {}, ["统一社会信用代码", "企业名称", "地区", "产业链", "分档", "入库路径", "资质"].map(h => el("th", {}, h)))),
          el("tbody", {}, added.map(a => el("tr", {},
            el("td", { class: "mono" }, a.uscc), el("td", {}, a.name), el("td", {}, R.regionName(a.region_code)),
            el("td", {}, a.chain || "—"), el("td", {}, a.tier ? a.tier + "档" : "—"), el("td", { class: "small" }, routeText(a.entry_route)),
            el("td", { class: "small" }, titlesText(a.titles)))))))] : null,
        removed.length ? [el("h3", {}, "移出"), el("div", { class: "table-wrap" }, el("table", {},
          el("thead", {}, el("tr", {}, el("th", {}, "统一社会信用代码"), el("th", {}, "企业名称"))),
          el("tbody", {}, removed.map(a => el("tr", {}, el("td", { class: "mono" }, a.uscc), el("td", {}, a.name))))))] : null);
    } catch (e) {
      show($("#changes"), R.errorBox(e));
    }
  });

  // --- receipt keys and verification ------------------------------------------------------------------
  function b64bytes(s) {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  const hex = buf => [...new Uint8Array(buf)].map(b => b.toString(16).padStart(2, "0")).join("");
  async function fingerprint(pub) {
    if (!window.crypto || !crypto.subtle) return "";
    try { return hex(await crypto.subtle.digest("SHA-256", b64bytes(pub))); } catch { return ""; }
  }
  async function loadKeys() {
    try {
      publicKeys = await api("GET", "/api/v1/receipts/public-key", undefined, { key: "" });
      const rows = await Promise.all((publicKeys.keys || []).map(async k => {
        const fp = await fingerprint(k.public_key);
        return el("tr", { dataset: { keyId: k.key_id } },
          el("td", { class: "mono" }, k.key_id),
          el("td", {}, k.alg),
          el("td", { class: "mono small" }, k.public_key),
          el("td", { class: "mono small" }, fp ? fp.match(/.{1,4}/g).join(" ") : "—"),
          el("td", {}, fmt.time(k.created_at)),
          el("td", {}, k.current ? el("span", { class: "badge s-eligible" }, "当前使用") : el("span", { class: "badge s-no_data" }, k.retired_at ? "已停用 " + fmt.date(k.retired_at) : "可校验")));
      }));
      show($("#keys"),
        el("p", { class: "small" }, "回执用 Ed25519 签名。密钥编号是公钥 SHA-256 指纹的前 16 位十六进制；更换密钥后旧公钥仍列在这里，旧回执仍可校验。"),
        el("div", { class: "table-wrap" }, el("table", {},
          el("thead", {}, el("tr", {}, ["密钥编号", "算法", "公钥（Base64）", "SHA-256 指纹", "生成时间", "状态"].map(h => el("th", {}, h)))),
          el("tbody", {}, rows))),
        el("p", {}, el("button", { type: "button", class: "secondary", id: "download-keys", onclick: () =>
          Peiyu.saveBlob(new Blob([JSON.stringify(publicKeys, null, 2) + "\n"], { type: "application/json" }), "keys.json") }, "下载公钥文件（keys.json）")));
    } catch (e) {
      show($("#keys"), R.errorBox(e));
    }
  }
  $("#verify-server-cmd").textContent = "peiyu receipts verify --server " + location.origin + " receipts.json";

  // findReceipts reads a receipt, an answer with "receipt", or a batch
  // answer whose items carry receipts (as peiyu receipts verify does).
  function findReceipts(doc) {
    const out = [];
    if (doc && typeof doc.signed === "string") out.push(doc);
    else if (doc && doc.receipt) out.push(doc.receipt);
    for (const it of (doc && Array.isArray(doc.items) ? doc.items : [])) if (it && it.receipt) out.push(it.receipt);
    return out;
  }
  async function verifyOne(rc) {
    if (rc.alg !== "Ed25519") return { ok: false, why: "签名算法不是 Ed25519" };
    const k = ((publicKeys && publicKeys.keys) || []).find(k => k.key_id === rc.key_id);
    if (!k) return { ok: false, why: "签名密钥 " + rc.key_id + " 不在本服务公布的公钥中" };
    let body;
    try {
      const key = await crypto.subtle.importKey("raw", b64bytes(k.public_key), { name: "Ed25519" }, false, ["verify"]);
      const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, b64bytes(rc.signature), new TextEncoder().encode(rc.signed));
      if (!ok) return { ok: false, why: "签名无效：内容被改动过，或不是本系统签发" };
      body = JSON.parse(rc.signed);
    } catch (e) {
      // WebCrypto and atob fail in English; say in Chinese what to do.
      if (e && e.name === "NotSupportedError") return { ok: false, why: "无法校验：本浏览器不支持 Ed25519 签名，请换用新版浏览器，或用命令行校验" };
      return { ok: false, why: "无法校验：回执的签名或内容格式有误，请确认文件是本系统导出且未被改动" + (e && e.message ? "（" + e.message + "）" : "") };
    }
    if (body.key_id !== rc.key_id) return { ok: false, why: "回执内的密钥编号不一致" };
    return { ok: true, body };
  }
  $("#receipt-file").addEventListener("change", ev => {
    const f = ev.target.files && ev.target.files[0];
    ev.target.value = "";
    if (!f) return;
    if (!window.crypto || !crypto.subtle) {
      show($("#verify-result"), el("div", { class: "alert warn" }, "本浏览器在此连接下不提供加密接口（需 HTTPS），请用命令行校验。"));
      return;
    }
    const reader = new FileReader();
    reader.onload = async () => {
      let doc;
      try { doc = JSON.parse(String(reader.result)); } catch { show($("#verify-result"), el("div", { class: "alert error" }, "文件不是有效的 JSON。")); return; }
      const list = findReceipts(doc);
      if (!list.length) { show($("#verify-result"), el("div", { class: "alert error" }, "文件中没有找到回执。")); return; }
      if (!publicKeys) await loadKeys();
      const res = [];
      for (const rc of list) res.push([rc, await verifyOne(rc)]);
      const bad = res.filter(([, r]) => !r.ok).length;
      show($("#verify-result"),
        el("div", { class: "alert " + (bad ? "error" : "ok"), id: "verify-summary" }, "共 " + res.length + " 张回执：" + (res.length - bad) + " 张校验通过" + (bad ? "，" + bad + " 张未通过" : "") + "。"),
        el("div", { class: "table-wrap" }, el("table", {},
          el("thead", {}, el("tr", {}, ["结果", "统一社会信用代码", "是否列入", "版本", "分档", "签发时间"].map(h => el("th", {}, h)))),
          el("tbody", {}, res.map(([rc, r]) => el("tr", {},
            el("td", {}, r.ok ? el("span", { class: "badge s-pass" }, "通过") : el("span", { class: "badge s-fail" }, "未通过"), r.ok ? null : el("div", { class: "small" }, r.why)),
            el("td", { class: "mono" }, r.ok ? r.body.uscc : "—"),
            el("td", {}, r.ok ? (r.body.listed ? "已列入" : "未列入") : "—"),
            el("td", {}, r.ok ? "第" + r.body.version + "版" : "—"),
            el("td", {}, r.ok && r.body.tier ? r.body.tier + "档" : "—"),
            el("td", {}, r.ok ? fmt.time(r.body.issued_at) : "—")))))));
    };
    reader.readAsText(f);
  });

  // --- start ---------------------------------------------------------------------------------------------
  loadRoutes();
  loadCurrent();
  loadKeys();
  const fromHash = () => {
    const h = (location.hash || "").slice(1);
    if (["lookup", "versions", "receipts"].includes(h)) showTab(h);
  };
  window.addEventListener("hashchange", fromHash);
  fromHash();
  const q = Peiyu.query("uscc");
  if (q) { usccs.value = q; updCount(); }
})();
