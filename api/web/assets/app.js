// Peiyu 培育 — what every page shares: the signed-in key, calls to the JSON
// API, a small DOM builder (no innerHTML with data, so nothing a firm's
// name contains can run), the navigation bar, formatting and status labels,
// and Huaihua's divisions and industry chains (from seeds/data).
// Each page has <body data-page="NAME"> and loads this file, then its own.
"use strict";

const Peiyu = (() => {
  const KEY = "peiyu.key";
  const ME = "peiyu.me";

  // --- the signed-in key (kept for this browser tab only) ---------------
  function key() { return sessionStorage.getItem(KEY) || ""; }
  function me() {
    try { return JSON.parse(sessionStorage.getItem(ME) || "null"); } catch { return null; }
  }
  // signIn checks a key with GET /api/v1/me and keeps it with who it is.
  async function signIn(k) {
    k = (k || "").trim();
    if (!k) throw new ApiError(400, "bad_request", "请输入 API 密钥", []);
    const who = await api("GET", "/api/v1/me", undefined, { key: k });
    sessionStorage.setItem(KEY, k);
    sessionStorage.setItem(ME, JSON.stringify(who));
    return who;
  }
  function signOut() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ME);
  }
  // requireRole sends a visitor without a suitable key to the sign-in page
  // and returns the key's record, or null.
  function requireRole(...roles) {
    const who = me();
    if (!key() || !who || (roles.length && !roles.includes(who.role))) {
      location.href = "/web/login?next=" + encodeURIComponent(location.pathname + location.search);
      return null;
    }
    return who;
  }

  // --- the API -----------------------------------------------------------
  class ApiError extends Error {
    constructor(status, code, message, details) {
      super(message);
      this.status = status; this.code = code; this.details = details || [];
    }
  }
  const plain = {
    401: "未登录或密钥无效，请重新登录",
    403: "当前密钥无权进行此操作",
    404: "未找到",
    409: "数据已被他人修改，请刷新后重试",
    413: "提交的内容过大",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误，请稍后重试；如持续出现，请联系系统管理员",
    502: "服务暂时无法访问，请稍后重试；如持续出现，请联系系统管理员",
    503: "服务暂时不可用（数据库连接中断），请稍后重试",
    504: "服务响应超时，请稍后重试；如持续出现，请联系系统管理员",
  };
  // api calls the JSON API. body (an object) is sent as JSON; opts.raw
  // returns the Response (for downloads); opts.key overrides the key.
  // A non-2xx answer throws an ApiError with the envelope's message.
  async function api(method, path, body, opts = {}) {
    const headers = { "Accept": "application/json" };
    const k = opts.key !== undefined ? opts.key : key();
    if (k) headers["Authorization"] = "Bearer " + k;
    let payload;
    if (body instanceof FormData || body instanceof Blob) {
      payload = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    Object.assign(headers, opts.headers || {});
    let res;
    try {
      res = await fetch(path, { method, headers, body: payload });
    } catch (e) {
      throw new ApiError(0, "network", "无法连接服务，请检查网络后重试", []);
    }
    if (opts.raw && res.ok) return res;
    const text = await res.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch { data = null; }
    }
    if (!res.ok) {
      const e = (data && data.error) || {};
      throw new ApiError(res.status, e.code || "error", e.message || plain[res.status] || ("请求失败（HTTP " + res.status + "），请稍后重试；如持续出现，请联系系统管理员"), e.details);
    }
    return data;
  }
  // download fetches path with the key and saves it as filename.
  async function download(path, filename) {
    const res = await api("GET", path, undefined, { raw: true });
    saveBlob(await res.blob(), filename);
  }
  function saveBlob(blob, filename) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // --- DOM -----------------------------------------------------------------
  // el builds an element: attrs are properties or attributes ("class",
  // "on*" handlers, "dataset"); children are nodes, strings or arrays.
  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") n.className = v;
      else if (k === "dataset") Object.assign(n.dataset, v);
      else if (k.startsWith("on") && typeof v === "function") n.addEventListener(k.slice(2), v);
      else if (k in n && typeof v !== "string") n[k] = v;
      else n.setAttribute(k, v === true ? "" : v);
    }
    append(n, children);
    return n;
  }
  function append(n, children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      n.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return n;
  }
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return [...(root || document).querySelectorAll(sel)]; }
  function clear(n) { while (n.firstChild) n.firstChild.remove(); return n; }
  // show replaces a container's content.
  function show(n, ...children) { return append(clear(n), children); }

  // errorBox renders an error (an ApiError or any Error) in plain Chinese,
  // with the fields the API names.
  function errorBox(err) {
    const details = (err && err.details) || [];
    return el("div", { class: "alert error", role: "alert" },
      (err && err.message) || "出现错误",
      details.length ? el("ul", {}, details.map(d => el("li", {}, (d.field ? d.field + "：" : "") + (d.problem || "")))) : null);
  }
  // zh drops the English gloss the API puts in parentheses after its
  // Chinese message: "不能为负数 (must not be negative)" → "不能为负数". The
  // gloss is the last balanced "(…)" after a space; it may hold parentheses
  // and Chinese of its own ("must be 是 (yes) or 否 (no)"). A message with
  // no Chinese before it is left whole.
  function zh(msg) {
    const s = String(msg || "").trimEnd();
    if (!s.endsWith(")")) return s;
    let depth = 0;
    for (let i = s.length - 1; i > 0; i--) {
      if (s[i] === ")") depth++;
      else if (s[i] === "(" && --depth === 0) {
        const head = s.slice(0, i), gloss = s.slice(i + 1, -1);
        const isGloss = /\s$/.test(head) && /[^\x00-\x7f]/.test(head) && /^[\x20-\x7e]/.test(gloss) && /[A-Za-z]/.test(gloss);
        return isGloss ? head.trim() : s;
      }
    }
    return s;
  }
  function okBox(msg) { return el("div", { class: "alert ok", role: "status" }, msg); }

  // --- formatting ------------------------------------------------------------
  const nf = new Intl.NumberFormat("zh-CN");
  const fmt = {
    num: v => (v === null || v === undefined || Number.isNaN(v)) ? "—" : nf.format(v),
    yuan: v => (v === null || v === undefined) ? "—" : "¥" + nf.format(Math.round(v)),
    wan: v => (v === null || v === undefined) ? "—" : nf.format(Math.round(v / 1000) / 10) + "万元",
    pct: v => (v === null || v === undefined) ? "—" : (Math.round(v * 1000) / 10) + "%",
    date: v => v ? String(v).slice(0, 10) : "—",
    time: v => v ? new Date(v).toLocaleString("zh-CN", { hour12: false }) : "—",
    // value formats a criterion's actual or threshold by its unit.
    value: (v, unit) => {
      if (v === null || v === undefined) return "—";
      switch (unit) {
        case "yuan": return fmt.yuan(v);
        case "ratio": return fmt.pct(v);
        case "percent": return (Math.round(v * 10) / 10) + "%";
        case "people": return nf.format(v) + "人";
        case "count": return nf.format(v);
        case "years": return nf.format(v) + "年";
        case "months": return nf.format(v) + "个月";
        case "days": return nf.format(v) + "天";
        case "points": return nf.format(v) + "分";
        default: return typeof v === "number" ? nf.format(Math.round(v * 1000) / 1000) : String(v);
      }
    },
  };

  // --- statuses and names ------------------------------------------------------
  const statusText = {
    eligible: "符合条件", needs_review: "待审核确认", ineligible: "不符合", insufficient_data: "待补充数据",
    pass: "满足", fail: "未满足", review: "需人工确认", missing: "待补充",
    queued: "排队中", running: "进行中", done: "已完成", failed: "失败",
    met: "已完成", on_track: "进度正常", behind: "滞后", missed: "未完成", no_data: "暂无数据",
  };
  function badge(status) {
    return el("span", { class: "badge s-" + status }, statusText[status] || status);
  }
  const roleText = { admin: "管理员", staff: "工作人员", enterprise: "企业", bank: "银行" };
  const honorText = {
    tech_sme: "科技型中小企业", innovative_sme: "创新型中小企业", specialized_sme: "专精特新中小企业",
    little_giant: "专精特新“小巨人”", champion: "制造业单项冠军", hnte: "高新技术企业",
    rd_institution: "研发机构", sci_award: "科技奖励", standard_led: "主导制定标准", quality_award: "质量奖",
    qms_cert: "质量管理体系认证", own_brand: "自主品牌", chuangke_top500: "创客中国500强", chuangke_top50: "创客中国50强",
    ip_demo: "知识产权示范/优势企业", innovation_platform: "创新平台", cloud_adoption: "企业上云", key_project: "重点项目",
  };
  // Huaihua's divisions (seeds/data/regions.json; there is no API).
  const REGIONS = [
    { code: "431200", name: "怀化市", level: "city" },
    { code: "431202", name: "鹤城区" }, { code: "431221", name: "中方县" },
    { code: "431222", name: "沅陵县" }, { code: "431223", name: "辰溪县" },
    { code: "431224", name: "溆浦县" }, { code: "431225", name: "会同县" },
    { code: "431226", name: "麻阳苗族自治县" }, { code: "431227", name: "新晃侗族自治县" },
    { code: "431228", name: "芷江侗族自治县" }, { code: "431229", name: "靖州苗族侗族自治县" },
    { code: "431230", name: "通道侗族自治县" }, { code: "431281", name: "洪江市" },
  ];
  // Huaihua's industry chains (seeds/data/chains.json), each with its group
  // and typical GB/T 4754 industries.
  const CHAINS = [
    { key: "绿色矿业", group: "传统产业升链", industries: [["C3215", "锑冶炼"], ["C3221", "金冶炼"], ["C3231", "钨钼冶炼"], ["C3091", "石墨及碳素制品制造"], ["C3099", "其他非金属矿物制品制造"], ["B0915", "锑矿采选"], ["B1019", "粘土及其他土砂石开采"]] },
    { key: "箱包皮具", group: "传统产业升链", industries: [["C1922", "皮箱、包（袋）制造"], ["C1923", "皮手套及皮装饰制品制造"], ["C1929", "其他皮革制品制造"], ["C2925", "塑料人造革、合成革制造"], ["C3389", "其他金属制日用品制造"]] },
    { key: "生物基新材料", group: "传统产业升链", industries: [["C2612", "无机碱制造"], ["C2614", "有机化学原料制造"], ["C2651", "初级形态塑料及合成树脂制造"], ["C2662", "专项化学用品制造"], ["C2831", "生物基化学纤维制造"], ["C2832", "生物基、淀粉基新材料制造"]] },
    { key: "机械装备", group: "优势产业延链", industries: [["C3572", "机械化农业及园艺机具制造"], ["C3576", "农林牧渔机械配件制造"], ["C3360", "金属表面处理及热处理加工"], ["C3511", "矿山机械制造"], ["C3443", "阀门和旋塞制造"], ["C3562", "半导体器件专用设备制造"]] },
    { key: "中医药", group: "优势产业延链", industries: [["C2730", "中药饮片加工"], ["C2740", "中成药生产"], ["A0171", "中草药种植"]] },
    { key: "食品", group: "优势产业延链", industries: [["C1373", "水果和坚果加工"], ["C1353", "肉制品及副产品加工"], ["C1331", "食用植物油加工"], ["C1371", "蔬菜加工"], ["C1530", "精制茶加工"]] },
    { key: "竹业", group: "优势产业延链", industries: [["C2041", "竹制品制造"], ["C2029", "其他人造板制造"], ["C2120", "竹、藤家具制造"]] },
    { key: "电子元器件", group: "新兴产业强链", industries: [["C3973", "集成电路制造"], ["C3981", "电阻电容电感元件制造"], ["C3982", "电子电路制造"], ["C3983", "敏感元件及传感器制造"]] },
    { key: "新能源及其装备", group: "新兴产业强链", industries: [["C3841", "锂离子电池制造"], ["C3849", "其他电池制造"], ["C2613", "无机盐制造"], ["C3822", "电容器及其配套设备制造"], ["C3825", "光伏设备及元器件制造"]] },
    { key: "新型显示材料", group: "特色产业", industries: [["C3974", "显示器件制造"], ["C3985", "电子专用材料制造"], ["C3042", "特种玻璃制造"]] },
    { key: "人工智能", group: "未来产业建链", industries: [["I6513", "应用软件开发"], ["I6531", "信息系统集成服务"], ["C3491", "工业机器人制造"]] },
    { key: "低空经济", group: "未来产业建链", industries: [["C3963", "智能无人飞行器制造"], ["C3744", "航空相关设备制造"]] },
    { key: "未来能源", group: "未来产业建链", industries: [["C3825", "光伏设备及元器件制造"], ["C3849", "其他电池制造"]] },
    { key: "未来材料", group: "未来产业建链", industries: [["C3985", "电子专用材料制造"], ["C3091", "石墨及碳素制品制造"], ["C2662", "专项化学用品制造"]] },
    { key: "未来健康", group: "未来产业建链", industries: [["C3581", "医疗诊断、监护及治疗设备制造"], ["C3586", "康复辅具制造"], ["M7340", "医学研究和试验发展"]] },
  ];
  const levelText = { national: "国家级", provincial: "省级", city: "市级", county: "县级", industry: "行业级" };

  // --- the navigation bar ----------------------------------------------------------
  const navByRole = {
    anonymous: [["/", "企业自测"], ["/web/login", "登录"]],
    enterprise: [["/", "企业自测"], ["/web/myfirm", "本企业"]],
    bank: [["/web/bank", "白名单查询"]],
    staff: [["/web/firms", "企业库"], ["/web/screenings", "批量筛查"], ["/web/near-misses", "培育库"],
      ["/web/targets", "目标台账"], ["/web/simulate", "政策模拟"], ["/web/whitelist", "白名单发布"], ["/web/import", "表格导入"], ["/", "企业自测"]],
  };
  navByRole.admin = navByRole.staff;
  function nav() {
    const host = $("header.top");
    if (!host) return;
    const who = key() ? me() : null;
    const items = navByRole[who ? who.role : "anonymous"] || navByRole.anonymous;
    const here = location.pathname;
    const links = items.map(([href, text]) => el("a", { href, class: here === href ? "active" : "" }, text));
    const whoBox = who
      ? el("div", { class: "who" }, el("span", {}, (roleText[who.role] || who.role) + "：" + who.name),
        el("button", { type: "button", onclick: () => { signOut(); location.href = "/"; } }, "退出"))
      : null;
    show(host, el("div", { class: "bar" }, el("a", { class: "brand", href: "/" }, "培育 Peiyu"), el("nav", {}, links), whoBox));
  }

  // today is the browser's local date as YYYY-MM-DD (the date a user in
  // Huaihua means; toISOString would give yesterday before 08:00).
  function today() {
    const d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  // query reads the page's query parameters.
  function query(name) { return new URLSearchParams(location.search).get(name); }

  document.addEventListener("DOMContentLoaded", nav);

  return {
    key, me, signIn, signOut, requireRole, api, download, saveBlob, ApiError,
    el, append, $, $$, clear, show, errorBox, okBox, zh, fmt, badge, statusText, roleText, honorText, levelText, REGIONS, CHAINS, query, today,
  };
})();

// --- public pages (results.js, selfcheck.js, bank.js, myfirm.js) -------------
// Honor kinds and levels the registry knows besides those above.
Object.assign(Peiyu.honorText, { tech_innovation_demo: "技术创新示范企业", green_factory: "绿色工厂" });
Object.assign(Peiyu.levelText, { international: "国际级" });
