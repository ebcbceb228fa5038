/* The cheat sheet's only script: typeset the math with the site's KaTeX copy, then mark the page
   ready (data-ready on <html>) so printing to PDF can wait for it. */
(function () {
  "use strict";
  document.querySelectorAll(".arithmatex").forEach(function (el) {
    if (typeof renderMathInElement === "function") {
      renderMathInElement(el, {
        delimiters: [{ left: "\\(", right: "\\)", display: false }, { left: "\\[", right: "\\]", display: true }],
        throwOnError: false,
      });
    }
  });
  document.documentElement.setAttribute("data-ready", "1");
})();
