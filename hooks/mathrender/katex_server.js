// The KaTeX renderer of the build: one long-lived Node process (hooks/mathrender/__init__.py starts it).
// Protocol, one JSON document per line on stdin and stdout:
//   request  [[tex, display], …]            all the formulas of one page
//   response [{"html": …} | {"error": …}, …] in the same order
// Errors are answered, never thrown: the build reports them with the note's file and line.
"use strict";
const path = require("path");
const readline = require("readline");
const katex = require(path.join(process.argv[2], "katex"));

const OPTIONS = {
  throwOnError: true,
  // Chinese in math mode and other non-LaTeX input render as KaTeX draws them, without a console warning.
  strict: "ignore",
  trust: false, // notes are untrusted: no \href, \includegraphics, \htmlClass…
  output: "htmlAndMathml", // MathML for screen readers, HTML for the eye
};

function render(item) {
  try {
    return { html: katex.renderToString(item[0], Object.assign({ displayMode: !!item[1] }, OPTIONS)) };
  } catch (e) {
    return { error: e instanceof katex.ParseError ? e.message : String(e) };
  }
}

process.stdout.write(JSON.stringify({ ready: katex.version }) + "\n");
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  process.stdout.write(JSON.stringify(JSON.parse(line).map(render)) + "\n");
});
