/* llm-kb: client-side behaviour. Every script it uses is served from this site (assets/vendor),
   and loaded only on a page that needs it: Mermaid where there is a diagram, force-graph when a
   graph comes into view (hooks/assets.py copies them there). Math needs no script: it is rendered
   at build time (hooks/mathrender). */
(function () {
  "use strict";

  var VENDOR = (function () {
    var me = document.currentScript && document.currentScript.src;
    return me ? me.replace(/assets\/llm-kb\/llm-kb\.js(\?.*)?$/, "assets/vendor/") : "assets/vendor/";
  })();
  var loading = {};

  function load(path) {
    if (!loading[path]) {
      loading[path] = new Promise(function (resolve, reject) {
        var el;
        if (/\.css$/.test(path)) {
          el = document.createElement("link");
          el.rel = "stylesheet";
          el.href = VENDOR + path;
        } else {
          el = document.createElement("script");
          el.src = VENDOR + path;
        }
        el.onload = resolve;
        el.onerror = reject;
        document.head.appendChild(el);
      });
    }
    return loading[path];
  }

  function onPage(fn) {
    if (typeof document$ !== "undefined") document$.subscribe(function () { fn(document); });
    else document.addEventListener("DOMContentLoaded", function () { fn(document); });
  }

  // Link graphs (force-graph, served from assets/vendor): the global graph page and each note's
  // neighbourhood. One small JSON file, fetched only on pages that show a graph.
  function drawGraphs(root) {
    var boxes = root.querySelectorAll(".llm-kb-graph");
    if (!boxes.length) return;
    // A note's own graph sits at the end of the page: fetch the library when it comes near.
    var seen = new IntersectionObserver(function (entries) {
      if (!entries.some(function (e) { return e.isIntersecting; })) return;
      seen.disconnect();
      load("force-graph/dist/force-graph.min.js").then(function () { plot(boxes); });
    }, { rootMargin: "400px" });
    boxes.forEach(function (box) { seen.observe(box); });
  }

  function plot(boxes) {
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

  // Mermaid diagrams: ```mermaid fences render as <pre class="llm-kb-mermaid"> (mkdocs.yml).
  function drawDiagrams(root) {
    var blocks = root.querySelectorAll("pre.llm-kb-mermaid");
    if (!blocks.length) return;
    load("mermaid/dist/mermaid.min.js").then(function () {
      var dark = document.body.getAttribute("data-md-color-scheme") === "slate";
      mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default",
                           fontFamily: "inherit" });
      blocks.forEach(function (pre, i) {
        mermaid.render("llm-kb-mermaid-" + i, pre.textContent).then(function (out) {
          var box = document.createElement("div");
          box.className = "llm-kb-mermaid-diagram";
          box.innerHTML = out.svg;
          pre.replaceWith(box);
        });
      });
    });
  }

  onPage(drawDiagrams);
  onPage(drawGraphs);
})();
