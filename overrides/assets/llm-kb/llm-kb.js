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

  // Author text (a note's title) put into HTML by a script: escaped here, as hooks/escape.py does.
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

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

  // Colours from the theme, read again when the reader toggles light/dark (Material sets
  // data-md-color-scheme on <body>): text, lines and a palette readable on either background.
  function theme() {
    var dark = document.body.getAttribute("data-md-color-scheme") === "slate";
    return {
      scheme: dark ? "slate" : "default",
      text: dark ? "#e6e6ef" : "#1f2330",
      halo: dark ? "rgba(30,33,41,0.85)" : "rgba(255,255,255,0.85)",
      link: dark ? "rgba(255,255,255,0.22)" : "rgba(0,0,0,0.18)",
      current: dark ? "#ffb74d" : "#e65100",
      lightness: dark ? 68 : 42,
    };
  }

  function groupColour(groups, colours) {
    var names = Object.keys(groups).sort();
    return function (group) {
      var i = names.indexOf(group);
      return "hsl(" + Math.round((i < 0 ? 0 : i) * 360 / Math.max(names.length, 1)) + ",60%," + colours.lightness + "%)";
    };
  }

  function label(ctx, text, x, y, size, colours, bold) {
    ctx.font = (bold ? "bold " : "") + size + "px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineWidth = size / 3;
    ctx.strokeStyle = colours.halo;
    ctx.strokeText(text, x, y);
    ctx.fillStyle = colours.text;
    ctx.fillText(text, x, y);
  }

  function short(text, max) { return text.length > max ? text.slice(0, max - 1) + "…" : text; }

  // What a box shows: a note's neighbourhood (data-page), the sections of the vault (the home
  // page: one point per section, a line where notes of two sections link), or every note.
  function subgraph(box, data) {
    var page = box.getAttribute("data-page");
    if (page === null) return { kind: "global", nodes: data.nodes.map(copy), links: data.links.map(copy) };
    if (page === "") return sections(data);
    var near = new Set([page]);
    data.links.forEach(function (l) {
      if (l.source === page) near.add(l.target);
      if (l.target === page) near.add(l.source);
    });
    // The current note drawn last (on top of any hub), fixed at the centre.
    var nodes = data.nodes.filter(function (n) { return near.has(n.id) && n.id !== page; }).map(copy);
    var me = copy(data.nodes.find(function (n) { return n.id === page; }) || { id: page, title: "", degree: 0 });
    me.fx = 0; me.fy = 0; me.current = true;
    nodes.push(me);
    return { kind: "local", nodes: nodes, links: data.links.filter(function (l) {
      return near.has(l.source) && near.has(l.target); }).map(copy) };
  }

  function sections(data) {
    var by = {}, pairs = {};
    data.nodes.forEach(function (n) {
      var g = n.group || "";
      by[g] = by[g] || { id: "section:" + g, group: g, title: data.groups[g] || g || "首页", degree: 0, href: n.group ? g + "/" : "" };
      by[g].degree += 1;
    });
    var id = {};
    data.nodes.forEach(function (n) { id[n.id] = n.group || ""; });
    data.links.forEach(function (l) {
      var a = id[l.source], b = id[l.target];
      if (a === b) return;
      var key = a < b ? a + "|" + b : b + "|" + a;
      pairs[key] = (pairs[key] || 0) + 1;
    });
    return { kind: "sections", nodes: Object.keys(by).map(function (g) { return by[g]; }),
             links: Object.keys(pairs).map(function (k) {
               var ab = k.split("|");
               return { source: "section:" + ab[0], target: "section:" + ab[1], weight: pairs[k] };
             }) };
  }

  function copy(o) { return Object.assign({}, o); }

  function plot(boxes) {
    var base = boxes[0].getAttribute("data-root");
    fetch(base + "assets/graph.json").then(function (r) { return r.json(); }).then(function (raw) {
      var data = {
        groups: raw.groups || {},
        nodes: raw.nodes,
        links: raw.links.map(function (p) { return { source: raw.nodes[p[0]].id, target: raw.nodes[p[1]].id }; }),
      };
      boxes.forEach(function (box) { draw(box, subgraph(box, data), data, base); });
    });
  }

  function draw(box, graph, data, base) {
    if (graph.kind === "local" && graph.nodes.length < 2) { box.parentNode.style.display = "none"; return; }
    var colours = theme(), colour = groupColour(data.groups, colours);
    // On a phone the page must keep scrolling under a finger: no pan, zoom or drag there.
    var touch = window.matchMedia("(pointer: coarse)").matches;
    var labelled = labelsFor(graph);
    var chart = ForceGraph()(box)
      .width(box.clientWidth).height(box.clientHeight)
      .graphData(graph)
      .nodeId("id")
      // force-graph shows the label as HTML; a title is author text (hooks/escape.py).
      .nodeLabel(function (n) { return escapeHtml(n.title); })
      .nodeColor(function (n) { return n.current ? colours.current : colour(n.group); })
      .nodeVal(function (n) { return n.current ? 6 : graph.kind === "sections" ? 1 + n.degree / 3 : 1 + n.degree / 4; })
      .linkColor(function () { return colours.link; })
      .linkWidth(function (l) { return l.weight ? Math.min(1 + l.weight / 4, 6) : 1; })
      .onNodeClick(function (n) { window.location.href = base + (n.href !== undefined ? n.href : n.id); })
      .enableZoomInteraction(!touch && function (ev) { return graph.kind === "global" || ev.ctrlKey || ev.metaKey; })
      .enablePanInteraction(!touch).enableNodeDrag(!touch)
      .cooldownTicks(120)
      .onEngineStop(function () {
        box.setAttribute("data-graph-settled", "");
        if (graph.kind !== "local") { chart.zoomToFit(300, 24); return; }
        // The current note in the middle of the box, zoomed so its farthest neighbour still shows.
        var fx = 1, fy = 1;
        graph.nodes.forEach(function (n) { fx = Math.max(fx, Math.abs(n.x)); fy = Math.max(fy, Math.abs(n.y)); });
        chart.centerAt(0, 0, 300);
        chart.zoom(Math.min(4, (box.clientWidth / 2 - 40) / fx, (box.clientHeight / 2 - 24) / fy), 300);
      })
      .nodeCanvasObjectMode(function () { return "after"; })
      .nodeCanvasObject(function (n, ctx, scale) {
        // Local and section graphs: every point named (the current note in bold). The global graph:
        // the best-connected notes, and every note once zoomed in far enough to read them.
        if (!(n.current || labelled.has(n.id) || scale > 2.2)) return;
        var r = Math.sqrt(Math.max(0, chart.nodeVal()(n))) * chart.nodeRelSize();
        label(ctx, short(n.title, n.current ? 24 : 12), n.x, n.y + r + 1, (n.current ? 12 : 10.5) / scale, colours, n.current);
      });
    if (touch) box.classList.add("llm-kb-graph-touch");
    box.setAttribute("data-graph-kind", graph.kind);
    box.setAttribute("data-graph-nodes", String(graph.nodes.length));
    box.setAttribute("data-graph-labels", String(graph.nodes.filter(function (n) { return n.current || labelled.has(n.id); }).length));
    box.setAttribute("data-graph-scheme", colours.scheme);
    box.__llmKbChart = chart;
    new MutationObserver(function () {
      colours = theme();
      colour = groupColour(data.groups, colours);
      box.setAttribute("data-graph-scheme", colours.scheme);
      chart.nodeColor(chart.nodeColor()).linkColor(chart.linkColor());  // redraw with the new colours
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    if (graph.kind === "global") sectionFilter(box, chart, graph, data);
  }

  function labelsFor(graph) {
    if (graph.kind !== "global") return new Set(graph.nodes.map(function (n) { return n.id; }));
    var top = graph.nodes.slice().sort(function (a, b) { return b.degree - a.degree; }).slice(0, 25);
    return new Set(top.map(function (n) { return n.id; }));
  }

  // The global graph: one toggle button per section, above the graph, to show or hide its notes.
  function sectionFilter(box, chart, graph, data) {
    var bar = document.createElement("div");
    bar.className = "llm-kb-graph-filter";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "按分区筛选");
    var hidden = new Set();
    var groups = Array.from(new Set(graph.nodes.map(function (n) { return n.group; }))).sort();
    groups.forEach(function (g) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "md-button llm-kb-graph-section";
      b.textContent = data.groups[g] || g || "首页";
      b.setAttribute("data-group", g);
      b.setAttribute("aria-pressed", "true");
      b.addEventListener("click", function () {
        if (hidden.has(g)) hidden.delete(g); else hidden.add(g);
        b.setAttribute("aria-pressed", String(!hidden.has(g)));
        var nodes = graph.nodes.filter(function (n) { return !hidden.has(n.group); });
        var keep = new Set(nodes.map(function (n) { return n.id; }));
        chart.graphData({ nodes: nodes, links: graph.links.filter(function (l) {
          var s = l.source.id || l.source, t = l.target.id || l.target;
          return keep.has(s) && keep.has(t);
        }) });
        box.setAttribute("data-graph-nodes", String(nodes.length));
      });
      bar.appendChild(b);
    });
    box.parentNode.insertBefore(bar, box);
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

  // A display formula wider than its column scrolls in its own box (llm-kb.css): reachable with
  // the keyboard too (axe: scrollable-region-focusable).
  function focusableFormulas(root) {
    root.querySelectorAll(".katex-display").forEach(function (d) {
      if (d.scrollWidth > d.clientWidth + 1) d.setAttribute("tabindex", "0");
    });
  }

  onPage(focusableFormulas);
  onPage(drawDiagrams);
  onPage(drawGraphs);
})();
