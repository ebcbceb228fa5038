/* llm-kb drill mode (hooks/drill): practise the interview questions with spaced repetition.

   One script on every page, doing only what the page needs:
   - the practice page (#drill-app): scope, one question at a time, Space reveals the key, 1–4
     grades it; FSRS (ts-fsrs, served from assets/vendor) schedules the next review; export/import;
   - a note: each question callout shows its state (新/学习中/已掌握/到期) and can be graded in place;
     a "先思考" switch folds the note's body under its questions until the reader opens it;
   - a section's index page (.drill-progress): due and learned counts of its questions.
   Progress stays in this browser (localStorage "llm-kb-drill"); nothing is sent anywhere. */
(function () {
  "use strict";

  var ROOT = (function () {
    var me = document.currentScript && document.currentScript.src;
    return me ? me.replace(/assets\/llm-kb\/drill\.js(\?.*)?$/, "") : "";
  })();
  var STORE = "llm-kb-drill", THINK = "llm-kb-think-first";
  var GRADES = [[1, "忘了", "Again"], [2, "困难", "Hard"], [3, "记得", "Good"], [4, "简单", "Easy"]];
  var STATE_NAMES = { new: "新题", learning: "学习中", review: "已掌握", due: "到期" };

  // ---- progress store ------------------------------------------------------------------------
  function emptyStore() { return { v: 1, cards: {}, log: [] }; }
  function valid(st) {
    return st && st.v === 1 && st.cards && typeof st.cards === "object" && Array.isArray(st.log);
  }
  function load() {
    try {
      var st = JSON.parse(localStorage.getItem(STORE));
      return valid(st) ? st : emptyStore();
    } catch (e) { return emptyStore(); }
  }
  function save(st) { localStorage.setItem(STORE, JSON.stringify(st)); }

  function stateOf(card, now) {
    if (!card) return "new";
    if (new Date(card.due).getTime() <= now) return "due";
    return card.state === 2 ? "review" : "learning";
  }
  function counts(ids, st, now) {
    var c = { total: ids.length, due: 0, new: 0, learned: 0, learning: 0 };
    ids.forEach(function (id) {
      var card = st.cards[id], s = stateOf(card, now);
      if (s === "due") c.due++;
      if (s === "new") c.new++;
      if (card && card.state === 2) c.learned++;
      else if (card) c.learning++;
    });
    return c;
  }

  // ---- loading what a page needs (all from this site) ------------------------------------------
  var loading = {};
  function load_(path) {
    if (!loading[path]) {
      loading[path] = new Promise(function (resolve, reject) {
        var el = document.createElement(/\.css$/.test(path) ? "link" : "script");
        if (el.tagName === "LINK") { el.rel = "stylesheet"; el.href = ROOT + path; } else { el.src = ROOT + path; }
        el.onload = resolve;
        el.onerror = function () { reject(new Error("cannot load " + path)); };
        document.head.appendChild(el);
      });
    }
    return loading[path];
  }
  var scheduler = null;
  function fsrs() {
    return load_("assets/vendor/ts-fsrs/dist/index.umd.js").then(function () {
      if (!scheduler) scheduler = window.FSRS.fsrs(window.FSRS.generatorParameters({ enable_fuzz: false }));
      return scheduler;
    });
  }
  function typeset(el) {
    if (!el.querySelector(".arithmatex")) return;
    load_("assets/vendor/katex/dist/katex.min.css");
    load_("assets/vendor/katex/dist/katex.min.js")
      .then(function () { return load_("assets/vendor/katex/dist/contrib/auto-render.min.js"); })
      .then(function () {
        el.querySelectorAll(".arithmatex").forEach(function (m) {
          window.renderMathInElement(m, {
            delimiters: [{ left: "\\(", right: "\\)", display: false }, { left: "\\[", right: "\\]", display: true }],
            throwOnError: false,
          });
        });
      });
  }

  // Grade one question now: the card's next state from FSRS, stored with a log line.
  function grade(id, rating) {
    return fsrs().then(function (f) {
      var st = load(), now = new Date();
      var card = st.cards[id] ? window.FSRS.TypeConvert.card(st.cards[id]) : window.FSRS.createEmptyCard(now);
      var next = f.next(card, now, rating).card;
      st.cards[id] = JSON.parse(JSON.stringify(next));
      st.log.push({ id: id, r: rating, t: now.toISOString() });
      save(st);
      return st.cards[id];
    });
  }
  function previews(id) {  // rating -> human interval until the next review
    return fsrs().then(function (f) {
      var st = load(), now = new Date();
      var card = st.cards[id] ? window.FSRS.TypeConvert.card(st.cards[id]) : window.FSRS.createEmptyCard(now);
      var out = {}, rec = f.repeat(card, now);
      GRADES.forEach(function (g) { out[g[0]] = human(rec[g[0]].card.due - now); });
      return out;
    });
  }
  function human(ms) {
    var m = Math.round(ms / 60000);
    if (m < 60) return Math.max(m, 1) + " 分钟";
    if (m < 1440) return Math.round(m / 60) + " 小时";
    var d = Math.round(m / 1440);
    return d < 31 ? d + " 天" : d < 365 ? Math.round(d / 30) + " 个月" : (d / 365).toFixed(1) + " 年";
  }
  function when(iso) {
    var d = new Date(iso);
    return d.toLocaleString("zh-CN", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    return e;
  }
  function typing(ev) {  // keys meant for a form field or the browser, not for the drill
    var t = ev.target;
    return ev.ctrlKey || ev.metaKey || ev.altKey || (t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName)));
  }

  // ---- the practice page ------------------------------------------------------------------------
  function practice(app) {
    app.innerHTML = "";
    var stats = el("p", { class: "drill-stats", "aria-live": "polite" });
    var controls = el("div", { class: "drill-controls" });
    var scope = el("select", { id: "drill-scope", "aria-label": "范围" });
    var mode = el("select", { id: "drill-mode", "aria-label": "队列" });
    [["due+new", "到期 + 新题"], ["due", "只看到期"], ["new", "只看新题"]].forEach(function (o) {
      mode.appendChild(el("option", { value: o[0] }, o[1]));
    });
    controls.append(el("label", { for: "drill-scope" }, "范围 "), scope, el("label", { for: "drill-mode" }, " 队列 "), mode);
    var card = el("section", { class: "drill-card", tabindex: "-1", "aria-live": "polite" });
    var io = el("div", { class: "drill-io" });
    var exp = el("button", { type: "button", class: "md-button", id: "drill-export" }, "导出进度");
    // The file input sits inside its label: Tab reaches it, Enter opens the file dialog, and the
    // label shows the focus ring (:focus-within).
    var impLabel = el("label", { class: "md-button drill-import" }, "导入进度");
    var imp = el("input", { type: "file", id: "drill-import", accept: "application/json,.json", class: "drill-file" });
    impLabel.appendChild(imp);
    var sections = el("div", { class: "drill-sections" });  // a plain <table> inside, styled as the site's tables
    io.append(exp, impLabel);
    app.append(stats, controls, card, io, sections);

    var bank = null, current = null, revealed = false;
    fetch(ROOT + "drill/bank.json").then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (b) {
      b.q.forEach(function (q) {  // each note is listed once in the bank: [url, title, section, tags]
        var n = b.notes[q.p];
        q.u = n[0]; q.n = n[1]; q.s = n[2]; q.g = n[3];
      });
      bank = b;
      scope.appendChild(el("option", { value: "all" }, "全部（" + b.q.length + "）"));
      scope.appendChild(el("option", { value: "hot" }, "高频题（" + b.q.filter(function (q) { return q.hot; }).length + "）"));
      var g1 = el("optgroup", { label: "分区" });
      b.sections.forEach(function (s) { g1.appendChild(el("option", { value: "section:" + s.id }, s.title + "（" + s.n + "）")); });
      var tags = {};
      b.q.forEach(function (q) { q.g.forEach(function (t) { tags[t] = (tags[t] || 0) + 1; }); });
      var g2 = el("optgroup", { label: "标签" });
      Object.keys(tags).sort().forEach(function (t) {
        if (tags[t] > 1) g2.appendChild(el("option", { value: "tag:" + t }, "#" + t + "（" + tags[t] + "）"));
      });
      scope.append(g1, g2);
      var m = /(?:^|[#&])(section|tag|scope)=([^&]+)/.exec(location.hash);
      if (m) {
        var v = m[1] === "scope" ? decodeURIComponent(m[2]) : m[1] + ":" + decodeURIComponent(m[2]);
        if ([].some.call(scope.options, function (o) { return o.value === v; })) scope.value = v;
      }
      var mm = /(?:^|[#&])mode=([^&]+)/.exec(location.hash);
      if (mm) mode.value = mm[1];
      next();
    }).catch(function (e) {
      card.textContent = "题库加载失败（" + e.message + "）。";
    });

    function inScope() {
      var v = scope.value;
      return bank.q.filter(function (q) {
        if (v === "hot") return q.hot;
        if (v.indexOf("section:") === 0) return q.s === v.slice(8);
        if (v.indexOf("tag:") === 0) return q.g.indexOf(v.slice(4)) >= 0;
        return true;
      });
    }
    function pick(qs, st, now) {
      var due = qs.filter(function (q) { return st.cards[q.id] && new Date(st.cards[q.id].due).getTime() <= now; });
      due.sort(function (a, b) { return new Date(st.cards[a.id].due) - new Date(st.cards[b.id].due); });
      if (due.length && mode.value !== "new") return due[0];
      if (mode.value !== "due") return qs.filter(function (q) { return !st.cards[q.id]; })[0] || null;
      return null;
    }
    function showStats(qs, st, now) {
      var c = counts(qs.map(function (q) { return q.id; }), st, now);
      stats.innerHTML = "";
      [["due", "到期", c.due], ["new", "新题", c.new], ["learning", "学习中", c.learning], ["learned", "已掌握", c.learned], ["total", "共", c.total]]
        .forEach(function (x, i) {
          if (i) stats.append(" · ");
          var b = el("b", { "data-count": x[0] }, String(x[2]));
          stats.append(x[1] + " ", b);
        });
      var table = el("table");
      table.innerHTML = "<thead><tr><th>分区</th><th>到期</th><th>已掌握</th><th>题数</th></tr></thead>";
      var body = el("tbody");
      bank.sections.forEach(function (s) {
        var ids = bank.q.filter(function (q) { return q.s === s.id; }).map(function (q) { return q.id; });
        var k = counts(ids, st, now), tr = el("tr", { "data-section": s.id });
        tr.append(el("td", {}, s.title), el("td", { "data-count": "due" }, String(k.due)),
          el("td", { "data-count": "learned" }, String(k.learned)), el("td", {}, String(k.total)));
        body.appendChild(tr);
      });
      table.appendChild(body);
      sections.replaceChildren(table);
    }
    function next() {
      var st = load(), now = Date.now(), qs = inScope();
      showStats(qs, st, now);
      current = pick(qs, st, now);
      revealed = false;
      card.innerHTML = "";
      if (!current) {
        var soon = qs.filter(function (q) { return st.cards[q.id]; })
          .map(function (q) { return st.cards[q.id].due; }).sort()[0];
        card.append(el("p", { class: "drill-done" }, "这个范围里现在没有要做的题。" + (soon ? "下一题到期：" + when(soon) + "。" : "")));
        card.dataset.qid = "";
        return;
      }
      card.dataset.qid = current.id;
      var where = el("p", { class: "drill-where" });
      var a = el("a", { href: ROOT + current.u + "#%5E" + current.id }, current.n);
      where.append((bank.sections.filter(function (s) { return s.id === current.s; })[0] || { title: "" }).title + " · ", a);
      if (current.hot) where.append(el("span", { class: "drill-tag" }, "高频"));
      if (current.d) where.append(el("span", { class: "drill-tag" }, current.d === "hard" ? "难" : "易"));
      var q = el("div", { class: "drill-q" });
      q.innerHTML = current.t;
      var k = el("div", { class: "drill-k", hidden: "" });
      k.innerHTML = current.k || "<p class=\"drill-nokey\">这题还没有写答案要点，点上面的笔记标题看详解。</p>";
      var reveal = el("button", { type: "button", class: "md-button md-button--primary drill-reveal" }, "显示答案（空格）");
      var grades = el("div", { class: "drill-grades", hidden: "" });
      GRADES.forEach(function (g) {
        var b = el("button", { type: "button", class: "md-button", "data-grade": String(g[0]) });
        b.append(el("kbd", {}, String(g[0])), " " + g[1], el("small", {}));
        b.addEventListener("click", function () { answer(g[0]); });
        grades.appendChild(b);
      });
      reveal.addEventListener("click", show);
      card.append(where, q, k, reveal, grades);
      typeset(card);
      var id = current.id;
      previews(id).then(function (p) {
        if (!current || current.id !== id) return;
        grades.querySelectorAll("button").forEach(function (b) { b.querySelector("small").textContent = " " + p[b.dataset.grade]; });
      });
      card.focus({ preventScroll: true });
    }
    function show() {
      if (!current || revealed) return;
      revealed = true;
      card.querySelector(".drill-k").hidden = false;
      card.querySelector(".drill-grades").hidden = false;
      card.querySelector(".drill-reveal").hidden = true;
      card.querySelector(".drill-grades button[data-grade='3']").focus({ preventScroll: true });
      card.querySelector(".drill-grades").scrollIntoView({ block: "nearest" });  // on a phone the key can push them below
    }
    var busy = false;
    function answer(r) {
      if (!current || !revealed || busy) return;
      busy = true;
      grade(current.id, r).then(function () { busy = false; next(); }, function () { busy = false; });
    }
    document.addEventListener("keydown", function (ev) {
      if (!bank || typing(ev)) return;
      if (ev.key === " ") {  // also on a focused grade button: Space never grades by accident
        ev.preventDefault();
        show();
      } else if (/^[1-4]$/.test(ev.key) && revealed) {
        ev.preventDefault();
        answer(Number(ev.key));
      }
    });
    scope.addEventListener("change", next);
    mode.addEventListener("change", next);
    exp.addEventListener("click", function () {
      var blob = new Blob([JSON.stringify(load(), null, 1)], { type: "application/json" });
      var a = el("a", { href: URL.createObjectURL(blob), download: "llm-kb-drill-progress.json" });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    });
    imp.addEventListener("change", function () {
      var file = imp.files[0];
      if (!file) return;
      file.text().then(function (text) {
        var st = JSON.parse(text);
        if (!valid(st)) throw new Error("不是 llm-kb 的进度文件");
        save(st);
        imp.value = "";
        next();
      }).catch(function (e) { alert("导入失败：" + e.message); });
    });
  }

  // ---- a note: state of each question, grading in place, think-first --------------------------
  function questionBoxes(root) {
    return [].slice.call(root.querySelectorAll(".callout[data-callout='question'][id^='^q-']"));
  }
  function note(root) {
    var boxes = questionBoxes(root);
    if (!boxes.length) return;
    boxes.forEach(function (box) {
      var id = box.id.slice(1);
      var badge = el("span", { class: "drill-badge", "data-qid": id });
      var title = box.querySelector("summary, .admonition-title");
      if (title) title.appendChild(badge);
      var bar = el("div", { class: "drill-mark", role: "group", "aria-label": "给这题打分" });
      bar.append(el("span", {}, "自评："));
      GRADES.forEach(function (g) {
        var b = el("button", { type: "button", "data-grade": String(g[0]), title: g[2] }, g[0] + " " + g[1]);
        b.addEventListener("click", function () { grade(id, g[0]).then(paint); });
        bar.appendChild(b);
      });
      box.appendChild(bar);
    });
    function paint() {
      var st = load(), now = Date.now();
      root.querySelectorAll(".drill-badge").forEach(function (b) {
        var card = st.cards[b.dataset.qid], s = stateOf(card, now);
        b.dataset.state = s;
        b.textContent = STATE_NAMES[s] + (card && s !== "due" ? " · " + when(card.due) + " 复习" : "");
      });
    }
    paint();
    thinkFirst(root, boxes);
  }
  function thinkFirst(root, boxes) {
    var article = boxes[0].parentNode, kids = [].slice.call(article.children);
    var first = kids.indexOf(boxes[0]);
    var body = kids.slice(first + 1).filter(function (k) { return boxes.indexOf(k) < 0; });
    if (!body.length) return;
    var lastQ = boxes.filter(function (b) { return b.parentNode === article; }).pop();
    var bar = el("div", { class: "drill-think" });
    var label = el("label");
    var box = el("input", { type: "checkbox", id: "drill-think-first" });
    box.checked = localStorage.getItem(THINK) === "1";
    label.append(box, " 先思考：正文折叠在问题下面，想好了再展开");
    var open = el("button", { type: "button", class: "md-button drill-open-body" }, "展开正文");
    bar.append(label);
    boxes[0].parentNode.insertBefore(bar, boxes[0]);
    lastQ.parentNode.insertBefore(open, lastQ.nextSibling);
    function apply(fold) {
      body.forEach(function (k) { if (k !== open) k.classList.toggle("drill-folded", fold); });
      open.hidden = !fold;
    }
    box.addEventListener("change", function () {
      localStorage.setItem(THINK, box.checked ? "1" : "0");
      apply(box.checked);
    });
    open.addEventListener("click", function () { apply(false); });
    apply(box.checked);
  }

  // ---- a section's index page -----------------------------------------------------------------
  function sectionProgress(root) {
    root.querySelectorAll(".drill-progress[data-ids]").forEach(function (p) {
      var ids = p.dataset.ids.split(/\s+/).filter(Boolean), c = counts(ids, load(), Date.now());
      var out = p.querySelector(".drill-progress-state");
      out.innerHTML = "";
      out.append(" · 到期 ", el("b", { "data-count": "due" }, String(c.due)),
        " · 已掌握 ", el("b", { "data-count": "learned" }, String(c.learned)), " / " + c.total);
    });
  }

  function onPage(fn) {
    if (typeof document$ !== "undefined") document$.subscribe(function () { fn(document); });
    else if (document.readyState !== "loading") fn(document);
    else document.addEventListener("DOMContentLoaded", function () { fn(document); });
  }
  onPage(function (root) {
    var app = root.getElementById("drill-app");
    if (app) practice(app);
    else note(root);
    sectionProgress(root);
  });
})();
