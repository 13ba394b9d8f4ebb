// symjac web pages: typeset [data-tex] with the vendored KaTeX, copy buttons, the live answer preview.
(function () {
  "use strict";

  function typeset(root) {
    if (!window.katex) return;
    root.querySelectorAll("[data-tex]").forEach(function (el) {
      var display = el.classList.contains("display");
      try {
        window.katex.render(el.getAttribute("data-tex"), el, {displayMode: display, throwOnError: false});
      } catch (err) {
        el.textContent = el.getAttribute("data-tex");
      }
    });
  }

  function copyFrom(id, button) {
    var el = document.getElementById(id);
    if (!el) return;
    var text = el.value !== undefined ? el.value : el.textContent;
    var done = function () {
      var old = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = old; }, 1200);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); done(); } catch (err) { /* nothing to do */ }
      document.body.removeChild(area);
    }
  }

  function livePreview() {
    var answer = document.getElementById("answer");
    var out = document.getElementById("preview");
    if (!answer || !out) return;
    var timer = null, seq = 0;
    function update() {
      var mine = ++seq;
      var problem = document.getElementById("problem");
      var spec = document.getElementById("spec");
      var body = JSON.stringify({
        problem: problem ? problem.value : "",
        spec: spec ? spec.value : "",
        answer: answer.value
      });
      fetch("/api/preview", {method: "POST", headers: {"Content-Type": "application/json"}, body: body})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (mine !== seq) return;
          out.textContent = "";
          if (data.ok && data.latex) {
            var span = document.createElement("span");
            span.className = "math display";
            span.setAttribute("data-tex", data.latex);
            out.appendChild(span);
            typeset(out);
          } else if (!data.ok) {
            var err = document.createElement("span");
            err.className = "error";
            err.textContent = data.error;
            out.appendChild(err);
          }
        })
        .catch(function () { /* the server is gone: keep the last preview */ });
    }
    answer.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 400);
    });
    if (answer.value) update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    typeset(document.body);
    document.querySelectorAll("button.copy").forEach(function (b) {
      b.addEventListener("click", function () { copyFrom(b.getAttribute("data-copy"), b); });
    });
    livePreview();
  });
})();
