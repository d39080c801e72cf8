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

  // <button data-print>: the report's print stylesheet makes a clean page (or PDF).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // Plain forms that ask first: <button data-confirm="...">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // --- Character counters: <textarea data-max-chars="2000"> --------------------------------
  // A live "1,234 / 2,000" under long text, red and saying by how much once over. The server
  // refuses text over the limit with the same numbers and keeps it; there is no maxlength
  // attribute, which would cut pasted text without a word. A one-line field shows its counter
  // only near its limit. Characters are counted as Python does (code points, \n as one).
  function formatCount(n) { return n.toLocaleString("ko-KR"); }
  function updateCounter(field) {
    var limit = Number(field.getAttribute("data-max-chars"));
    if (!limit) return;
    var length = Array.from(field.value).length;
    var near = field.tagName === "TEXTAREA" || length >= limit * 0.8;
    var counter = field._charCount;
    if (!counter) {
      if (!near) return;
      counter = document.createElement("p");
      counter.className = "char-count";
      counter.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", counter);
      field._charCount = counter;
    }
    var over = length - limit;
    counter.textContent = formatCount(length) + " / " + formatCount(limit) +
      (over > 0 ? " · " + formatCount(over) + "자 넘음" : "");
    counter.classList.toggle("over", over > 0);
    counter.hidden = !near;
  }
  function initCounters(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("[data-max-chars]")) updateCounter(scope);
    scope.querySelectorAll("[data-max-chars]").forEach(updateCounter);
  }
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-max-chars]")) updateCounter(field);
  });
  initCounters(document);
  document.addEventListener("htmx:load", function (event) { initCounters(event.target); });

  // --- Unsaved edits: <form data-warn-unsaved> ---------------------------------------------
  // Typing into such a form marks it, and leaving the page (reload, back, closing the tab)
  // asks first. A plain form is cleared when it is sent, or by its [data-discard] link; an
  // htmx form when its answer replaces it (a save, or 취소). A form the server sent back with
  // errors still holds text nobody saved, so it starts marked.
  function unsavedForm(el) {
    return el && el.closest ? el.closest("form[data-warn-unsaved]") : null;
  }
  function markUnsaved(event) {
    var form = unsavedForm(event.target);
    if (form) form.setAttribute("data-unsaved", "");
  }
  document.addEventListener("input", markUnsaved);
  document.addEventListener("change", markUnsaved);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // An htmx form stays marked until its answer arrives: a save in flight is not saved yet.
    if (form.matches && form.matches("form[data-warn-unsaved]") && !form.hasAttribute("hx-post")) {
      form.removeAttribute("data-unsaved");
    }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-discard]");
    var form = unsavedForm(link);
    if (form) form.removeAttribute("data-unsaved");
  });
  function markReturnedWithErrors(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var forms = Array.prototype.slice.call(scope.querySelectorAll("form[data-warn-unsaved]"));
    if (scope.matches && scope.matches("form[data-warn-unsaved]")) forms.push(scope);
    forms.forEach(function (form) {
      if (form.querySelector(".errorlist li, .error-message, .conflict")) {
        form.setAttribute("data-unsaved", "");
      }
    });
  }
  markReturnedWithErrors(document);
  document.addEventListener("htmx:load", function (event) { markReturnedWithErrors(event.target); });
  window.addEventListener("beforeunload", function (event) {
    if (!document.querySelector("form[data-warn-unsaved][data-unsaved]")) return;
    event.preventDefault();
    event.returnValue = ""; // the browser shows its own "leave site?" text
  });

  // --- The CSRF token for forms the server pushed ------------------------------------------
  // A pushed region is rendered once for every socket of its audience, with no request, so its
  // forms carry no token; and the cookie is HttpOnly, so no script can read it. The page's own
  // token (<meta name="csrf-token">, rendered with the page) is valid for every form of this
  // browser's session. htmx requests send it as a header (hx-headers on <body>, and
  // htmx:configRequest below); a plain <form method="post"> gets it as the usual hidden field
  // when it is submitted. Filling at submit time, rather than after each swap only, holds for
  // every way a form reaches the page: a push, a held region swapped in later, an answer.
  function pageToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }
  function postsHere(form) {
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") return false;
    try {
      return new URL(form.getAttribute("action") || "", location.href).origin === location.origin;
    } catch (e) {
      return false; // never hand the token to another site
    }
  }
  function fillToken(form) {
    var token = pageToken();
    if (!token || !postsHere(form)) return;
    var field = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "csrfmiddlewaretoken";
      form.insertBefore(field, form.firstChild);
    }
    if (!field.value) field.value = token;
  }
  function fillTokens(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.tagName === "FORM") fillToken(root);
    root.querySelectorAll("form").forEach(fillToken);
  }
  window.workshopFillTokens = fillTokens; // the tests call it to check a region's forms
  document.addEventListener("submit", function (event) {
    if (event.target && event.target.tagName === "FORM") fillToken(event.target);
  }, true);

  if (!window.htmx) return;

  document.body.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.headers["X-CSRFToken"] && pageToken()) {
      event.detail.headers["X-CSRFToken"] = pageToken();
    }
  });
  // Also when pushed content lands, so the forms in the page are whole, not only when sent.
  htmx.onLoad(fillTokens);

  // --- A workshop closing while people work ------------------------------------------------
  // The status region, pushed to every page of the workshop, carries data-workshop-closed once
  // the workshop is closed. Then every write control on the page is locked at once, and so is
  // whatever is swapped in later: typed text stays where it is (read-only, so it can still be
  // copied), buttons and write links stop working. Reopening unlocks what this locked. A save
  // already on its way is answered in place by the server (see "Answer-In-Place" below).
  var loadedClosed = null;
  function isClosed() { return !!document.querySelector("[data-workshop-closed]"); }
  function lockable(form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post" &&
      !form.hasAttribute("data-stays-open");
  }
  function lockWrites() {
    document.querySelectorAll(".live-root form").forEach(function (form) {
      if (!lockable(form)) return;
      form.querySelectorAll("button, input, select, textarea").forEach(function (control) {
        if (control.type === "hidden" || control.hasAttribute("data-locked")) return;
        var typed = control.tagName === "TEXTAREA" ||
          (control.tagName === "INPUT" && ["checkbox", "radio", "file", "submit", "button"].indexOf(control.type) < 0);
        if (typed && !control.readOnly) {
          control.readOnly = true;
          control.setAttribute("data-locked", "readonly");
        } else if (!typed && !control.disabled) {
          control.disabled = true;
          control.setAttribute("data-locked", "disabled");
        }
      });
    });
    document.querySelectorAll(".live-root a[data-write]:not([data-locked]), .live-root a[hx-post]:not([data-locked])").forEach(function (link) {
      link.setAttribute("data-locked", "link");
      link.setAttribute("aria-disabled", "true");
      link.setAttribute("tabindex", "-1");
    });
  }
  function unlockWrites() {
    document.querySelectorAll("[data-locked]").forEach(function (el) {
      var how = el.getAttribute("data-locked");
      el.removeAttribute("data-locked");
      if (how === "readonly") el.readOnly = false;
      else if (how === "disabled") el.disabled = false;
      else { el.removeAttribute("aria-disabled"); el.removeAttribute("tabindex"); }
    });
  }
  function syncLock() {
    var closed = isClosed();
    if (loadedClosed === null) loadedClosed = closed;
    if (closed) {
      lockWrites();
    } else if (document.querySelector("[data-locked]") || loadedClosed) {
      unlockWrites();
      if (loadedClosed) showLive("워크샵이 다시 열렸습니다. 새로 고침하면 다시 쓸 수 있습니다.", "reopened");
    }
  }
  htmx.onLoad(syncLock);
  document.body.addEventListener("htmx:afterRequest", function () { setTimeout(syncLock, 0); });
  document.addEventListener("click", function (event) {
    var locked = event.target.closest && event.target.closest("a[data-locked]");
    if (!locked) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    toast("워크샵이 종료되어 더 이상 바꿀 수 없습니다.");
  }, true);

  // A write refused in place (the workshop closed while it was on its way): the server answers
  // 403 with the form as typed and the reason, marked "Answer-In-Place"; show it where the
  // form is instead of the generic error toast.
  // A write announces itself, and its push often beats its own answer: the region the request
  // came from is then already replaced by the push, the same render or a newer one. htmx would
  // look for the answer's out-of-band parts inside the replaced, detached copy
  // (htmx:oobErrorNoTarget) and swap the rest into it, unseen: keep the push instead. The
  // answer's htmx:beforeSwap fires on its target, detached too by then (it would not bubble
  // up to <body>), so the check is put on the target itself when the request leaves.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target, requester = event.detail.elt, xhr = event.detail.xhr;
    if (!target || !requester || !xhr) return;
    target.addEventListener("htmx:beforeSwap", function check(swap) {
      if (swap.detail.xhr !== xhr) return;
      target.removeEventListener("htmx:beforeSwap", check);
      if (!document.documentElement.contains(requester)) swap.detail.shouldSwap = false;
    });
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 403 && xhr.getResponseHeader("Answer-In-Place")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The server's HX-Trigger: {"workshop:toast": {"message": "..."}}
  document.body.addEventListener("workshop:toast", function (event) {
    if (event.detail && event.detail.message) toast(event.detail.message);
  });

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

  // --- Live updates (htmx WebSocket extension) ---------------------------------------------
  // The server pushes whole regions, each with an id and data-version (when it was rendered).
  // Keep the newest copy of each region, and never swap away a task someone is editing:
  // hold the newest push until the edit form closes.

  var held = {}; // region id -> outerHTML of the newest push held back

  function versionOf(el) {
    var v = el && el.getAttribute && el.getAttribute("data-version");
    return v ? Number(v) : 0;
  }

  function isEditing(region) {
    return !!(region && region.querySelector && region.querySelector("form.task-edit"));
  }

  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    var incoming = event.detail.fragment && event.detail.fragment.firstElementChild;
    if (!target || !incoming || !incoming.hasAttribute("data-version")) return;
    if (versionOf(incoming) < versionOf(target)) {
      event.detail.shouldSwap = false; // an older copy overtaken by a newer one
      return;
    }
    if (isEditing(target)) {
      event.detail.shouldSwap = false;
      var previous = held[target.id];
      if (!previous || versionOf(incoming) >= previous.version) {
        held[target.id] = { version: versionOf(incoming), html: incoming.outerHTML };
      }
      showLive("팀원이 업무를 바꿨습니다. 수정을 마치면 반영됩니다.", "info");
    }
  });

  function applyHeld() {
    Object.keys(held).forEach(function (id) {
      var region = document.getElementById(id);
      if (!region) { delete held[id]; hideLive("info"); return; }
      if (isEditing(region)) return;
      var pending = held[id];
      delete held[id];
      if (pending.version > versionOf(region)) {
        htmx.swap(region, pending.html, { swapStyle: "outerHTML" });
      }
      hideLive("info");
    });
  }
  // A swapped region is new markup: <details> someone had opened (deep-analysis steps, say)
  // would snap shut on every teammate's change. Remember which were open and reopen them.
  var reopen = {};
  function rememberOpen(event) {
    var target = event.detail.target;
    if (!target || !target.querySelectorAll) return;
    target.querySelectorAll("details[open][id]").forEach(function (d) { reopen[d.id] = true; });
  }
  document.body.addEventListener("htmx:oobBeforeSwap", rememberOpen);
  document.body.addEventListener("htmx:beforeSwap", rememberOpen);
  document.body.addEventListener("htmx:afterSettle", function () {
    Object.keys(reopen).forEach(function (id) {
      var details = document.getElementById(id);
      if (details && details.tagName === "DETAILS") details.open = true;
    });
    reopen = {};
    applyHeld();
  });

  function liveStatus() { return document.querySelector("[data-live-status]"); }
  function showLive(text, kind) {
    var el = liveStatus();
    if (!el) return;
    el.textContent = text;
    el.setAttribute("data-kind", kind);
    el.hidden = false;
  }
  function hideLive(kind) {
    var el = liveStatus();
    if (el && (!kind || el.getAttribute("data-kind") === kind)) el.hidden = true;
  }

  var retries = 0;
  document.body.addEventListener("htmx:wsOpen", function () {
    retries = 0;
    hideLive();
  });
  document.body.addEventListener("htmx:wsClose", function (event) {
    var code = event.detail.event.code;
    if (code === 4401) {
      showLive("로그아웃되었습니다. 다시 로그인하면 실시간 화면이 이어집니다.", "error");
      return;
    }
    if (code === 4403) {
      showLive("이 워크샵의 실시간 화면을 볼 수 없습니다.", "error");
      return;
    }
    showLive("연결 끊김 — 재연결 중", "offline");
    // The extension retries by itself after abnormal closes (1006, 1011-1013); a server
    // going away cleanly (1001, a deploy) needs the same treatment.
    if ([1006, 1011, 1012, 1013].indexOf(code) < 0) {
      var wrapper = event.detail.socketWrapper;
      var delay = Math.random() * 1000 * Math.pow(2, Math.min(retries, 5));
      retries += 1;
      setTimeout(function () { wrapper.reconnect(); }, delay);
    }
  });
  document.body.addEventListener("htmx:wsError", function () {
    showLive("연결 끊김 — 재연결 중", "offline");
  });
})();
