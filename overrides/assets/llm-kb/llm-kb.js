/* llm-kb: client-side behaviour. Every script it uses is served from this site (assets/vendor). */
(function () {
  "use strict";

  // Math: arithmatex (generic mode) leaves \( … \) and \[ … \] inside .arithmatex elements;
  // KaTeX renders exactly those, so a literal "$5" in prose is never touched.
  function renderMath(root) {
    if (typeof renderMathInElement !== "function") return;
    root.querySelectorAll(".arithmatex").forEach(function (el) {
      renderMathInElement(el, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true },
        ],
        throwOnError: false,
      });
    });
  }

  function onPage(fn) {
    if (typeof document$ !== "undefined") document$.subscribe(function () { fn(document); });
    else document.addEventListener("DOMContentLoaded", function () { fn(document); });
  }

  onPage(renderMath);
})();
