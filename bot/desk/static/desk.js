// Nhắc việc — trang làm việc. No inline script anywhere (the CSP forbids it): this file
// logs in from the one-time link's page, refreshes the live view while it is visible,
// and prints invitation sheets.
(function () {
  "use strict";

  var login = document.querySelector("form[data-autosubmit]");
  if (login) {
    login.submit();
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var live = document.getElementById("live");
  if (!live) {
    return;
  }
  var seconds = parseInt(live.getAttribute("data-refresh"), 10) || 30;
  var busy = false;

  function refresh() {
    if (busy || document.visibilityState !== "visible") {
      return;
    }
    if (document.activeElement && document.activeElement.closest && document.activeElement.closest("#live form")) {
      return; // the office is choosing a filter: do not pull the form from under them
    }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Desk-Refresh": "1" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("live");
        if (fresh) {
          live.replaceChildren.apply(live, Array.prototype.slice.call(fresh.childNodes));
          live.setAttribute("data-refreshed", new Date().toISOString());
        }
      })
      .catch(function () { /* the next round tries again */ })
      .finally(function () { busy = false; });
  }

  window.deskRefresh = refresh; // for the browser tests: refresh now
  setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); }
  });
})();
