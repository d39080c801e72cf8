// Small behaviours the server-rendered pages need. No inline scripts: everything is wired
// here through data attributes, so a strict Content Security Policy stays possible.
(function () {
  "use strict";

  function toast(text) {
    var el = document.getElementById("toast");
    if (!el) {
      el = document.createElement("div");
      el.id = "toast";
      el.setAttribute("role", "alert");
      document.body.appendChild(el);
    }
    el.textContent = text;
    el.hidden = false;
    clearTimeout(el._timer);
    el._timer = setTimeout(function () { el.hidden = true; }, 6000);
  }
  window.workshopToast = toast;

  // Copy buttons: <button data-copy="#input-id">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.querySelector(button.getAttribute("data-copy"));
    if (!input) return;
    var done = function () { toast("복사했습니다."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
    } else {
      input.select();
      try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
    }
  });

  // Plain forms that ask first: <button data-confirm="...">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  if (!window.htmx) return;

  // htmx does not swap error responses; tell the person what went wrong instead of silence.
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var message = "요청을 처리하지 못했습니다. 잠시 후 다시 시도하세요.";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var found = doc.querySelector("[data-error-message]");
      if (found && found.textContent.trim()) message = found.textContent.trim();
    } catch (e) { /* keep the generic message */ }
    toast(message + " (" + xhr.status + ")");
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast("서버에 연결할 수 없습니다. 네트워크를 확인한 뒤 다시 시도하세요. 입력한 내용은 화면에 남아 있습니다.");
  });
})();
