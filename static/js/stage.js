// The workshop's stage (templates/workshops/_live.html, "workshop-stage"): the phase's
// countdown and the instructor's notice. Both arrive in pages and in live pushes, so they are
// found again after every swap.
(function () {
  "use strict";

  // The countdown ends at an instant in server time (data-ends, seconds). data-now is the
  // server's clock when it rendered the region: the difference to this device's clock is
  // taken when the region arrives, so every screen shows the same time left even if a phone's
  // clock is off by minutes.
  function prepare(el) {
    if (el.hasAttribute("data-skew")) return;
    var serverNow = Number(el.getAttribute("data-now")) * 1000;
    el.setAttribute("data-skew", String(serverNow - Date.now()));
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    stalls();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      prepare(el);
      var ends = Number(el.getAttribute("data-ends")) * 1000;
      var left = Math.max(0, Math.round((ends - (Date.now() + Number(el.getAttribute("data-skew")))) / 1000));
      var out = el.querySelector(".timer-left");
      var label = el.querySelector(".timer-label");
      if (!out) return;
      if (left === 0) {
        el.classList.add("over");
        if (label) label.textContent = "";
        out.textContent = "시간 종료";
        return;
      }
      el.classList.remove("over");
      el.classList.toggle("soon", left <= 60);
      if (label) label.textContent = "남은 시간";
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      out.textContent = (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
    });
  }

  // The board's 멈춤 marker: a team that changes nothing gets no push, so the page itself
  // shows the marker once the instant the server gave (data-stalls-at) has passed.
  function stalls() {
    document.querySelectorAll("[data-stalls-at]").forEach(function (el) {
      prepare(el);
      var now = Date.now() + Number(el.getAttribute("data-skew"));
      el.hidden = now < Number(el.getAttribute("data-stalls-at")) * 1000;
    });
  }

  // A person may hide the notice on their own screen; a newer notice (another key) shows.
  function dismissed() {
    try { return window.localStorage.getItem("workshop-notice-dismissed") || ""; }
    catch (e) { return ""; }
  }
  function applyNotices() {
    document.querySelectorAll("[data-notice]").forEach(function (el) {
      el.hidden = el.getAttribute("data-notice") === dismissed();
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-dismiss-notice]");
    if (!button) return;
    var banner = button.closest("[data-notice]");
    if (!banner) return;
    try { window.localStorage.setItem("workshop-notice-dismissed", banner.getAttribute("data-notice")); }
    catch (e) { /* private mode: hide for this page only */ }
    banner.hidden = true;
  });

  function refresh() { tick(); applyNotices(); }
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("htmx:oobAfterSwap", refresh);
  setInterval(tick, 1000);
  refresh();
})();
