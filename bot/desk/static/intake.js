// Nhắc việc — the plan intake. As the clerk types a deadline, the server's reader says how
// it is understood (no inline script: the CSP forbids it).
(function () {
  "use strict";

  function watch(input) {
    var out = input.parentNode.parentNode.querySelector("[data-deadline-read]") ||
      input.parentNode.querySelector("[data-deadline-read]");
    if (!out) { return; }
    var timer = null;
    var asked = 0;
    function read() {
      var text = input.value.trim();
      if (!text) { out.textContent = ""; out.removeAttribute("data-confidence"); return; }
      var n = ++asked;
      var url = "/ke-hoach/doc-han?q=" + encodeURIComponent(text) + "&nam=" + encodeURIComponent(input.getAttribute("data-year") || "");
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (data) {
          if (n !== asked) { return; }
          out.textContent = data.text;
          out.setAttribute("data-confidence", data.confidence);
          out.classList.toggle("bad", !data.ok);
        })
        .catch(function () { /* typing again retries */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(read, 250);
    });
    if (input.value.trim()) { read(); }
  }

  document.querySelectorAll("[data-deadline-input]").forEach(watch);
})();
