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

  // Link graphs (force-graph, served from assets/vendor): the global graph page and each note's
  // neighbourhood. One small JSON file, fetched only on pages that show a graph.
  function drawGraphs(root) {
    var boxes = root.querySelectorAll(".llm-kb-graph");
    if (!boxes.length || typeof ForceGraph !== "function") return;
    var base = boxes[0].getAttribute("data-root");
    fetch(base + "assets/graph.json").then(function (r) { return r.json(); }).then(function (raw) {
      var data = {
        nodes: raw.nodes,
        links: raw.links.map(function (p) { return { source: raw.nodes[p[0]].id, target: raw.nodes[p[1]].id }; }),
      };
      boxes.forEach(function (box) {
        var page = box.getAttribute("data-page");
        var graph = data;
        if (page !== null) {
          var near = new Set([page]);
          data.links.forEach(function (l) {
            if (l.source === page) near.add(l.target);
            if (l.target === page) near.add(l.source);
          });
          if (near.size < 2) { box.parentNode.style.display = "none"; return; }
          graph = {
            nodes: data.nodes.filter(function (n) { return near.has(n.id); }).map(function (n) { return Object.assign({}, n); }),
            links: data.links.filter(function (l) { return near.has(l.source) && near.has(l.target); })
                             .map(function (l) { return Object.assign({}, l); }),
          };
        }
        var dark = document.body.getAttribute("data-md-color-scheme") === "slate";
        var chart = ForceGraph()(box)
          .width(box.clientWidth).height(box.clientHeight)
          .graphData(graph)
          .nodeId("id").nodeLabel("title").nodeAutoColorBy("group")
          .nodeVal(function (n) { return 1 + n.degree / 4; })
          .linkColor(function () { return dark ? "rgba(255,255,255,0.25)" : "rgba(0,0,0,0.2)"; })
          .onNodeClick(function (n) { window.location.href = base + n.id; })
          .cooldownTicks(120)
          .onEngineStop(function () { chart.zoomToFit(300, 24); });
        if (page !== null) {
          chart.nodeCanvasObjectMode(function () { return "after"; })
            .nodeCanvasObject(function (n, ctx, scale) {
              ctx.font = (n.id === page ? "bold " : "") + 11 / scale + "px sans-serif";
              ctx.fillStyle = dark ? "#ddd" : "#333";
              ctx.textAlign = "center";
              ctx.fillText(n.title.length > 18 ? n.title.slice(0, 17) + "…" : n.title, n.x, n.y + 8 / scale + 4);
            });
        }
        box.setAttribute("data-graph-nodes", String(graph.nodes.length));
      });
    });
  }

  onPage(renderMath);
  onPage(drawGraphs);
})();
