// Sign-in: check the key with GET /api/v1/me, keep it for this tab, then go
// on to the page that sent the user here, or the role's home page.
"use strict";
(() => {
  const { $, show, errorBox, signIn } = Peiyu;
  const home = { admin: "/web/firms", staff: "/web/firms", enterprise: "/web/myfirm", bank: "/web/bank" };
  $("#login").addEventListener("submit", async ev => {
    ev.preventDefault();
    const msg = $("#msg");
    show(msg);
    try {
      const who = await signIn($("#key").value);
      const next = Peiyu.query("next");
      location.href = next && next.startsWith("/") && !next.startsWith("//") ? next : (home[who.role] || "/");
    } catch (e) {
      show(msg, errorBox(e.status === 401 ? new Error("密钥无效或已吊销，请核对后重试") : { message: Peiyu.zh(e.message), details: e.details }));
    }
  });
})();
