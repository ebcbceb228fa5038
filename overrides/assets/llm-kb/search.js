/* llm-kb search: Material's header search box (partials/llm-kb-search.html), searched with Pagefind.
 *
 * The index is built by hooks/site/search.py into <site>/pagefind/ (a large vault: in shards,
 * merged here) and nothing else is fetched: pagefind.js loads only the index chunks and result
 * fragments a query needs, from this site.
 *
 * Queries: Chinese is indexed one character a word, so each Chinese run of the query is searched
 * as an exact phrase (any substring of a longer word is found; nothing that merely shares
 * characters is). English words are searched normally (prefixes match). A mixed query keeps the
 * pages found by every part. The first results are then ordered: the note whose title or alias
 * is the query, notes whose title or an alias contains it, notes whose text contains it, the rest.
 */
(() => {
  "use strict";

  const root = document.querySelector("[data-llm-kb-search]");
  const config = JSON.parse(document.getElementById("__config")?.textContent || "{}");
  const base = new URL(config.base || ".", location.href); // the site's root, wherever it is served
  const HIGHLIGHT = "h"; // query parameter naming the terms to mark on the target page (as Material)
  const PAGE = 10; // results rendered at once; more on scrolling, as in Material

  highlightTarget();
  if (!root) return;

  const toggle = document.getElementById("__search");
  const input = root.querySelector(".md-search__input");
  const meta = root.querySelector(".md-search-result__meta");
  const list = root.querySelector(".md-search-result__list");
  const scrollwrap = root.querySelector(".md-search__scrollwrap");
  const translate = (key, n) => (config.translations?.[key] || key).replace("#", n);

  /* -- Pagefind, loaded on first use ---------------------------------------------------------- */
  let pagefind = null;
  function load() {
    pagefind ??= import(new URL("pagefind/pagefind.js", base).href).then(async (pf) => {
      // noWorker: a query is a few milliseconds of WebAssembly; a shared worker would add a 40 KB download.
      const options = { baseUrl: base.pathname, excerptLength: 40 };
      await pf.options({ ...options, noWorker: true });
      await pf.init();
      // A large vault is indexed in shards (hooks/site/search.py, SHARDS_FILE): search them as one.
      // A merged shard reuses this bundle's WebAssembly; it fetches only its own index.
      const listed = await fetch(new URL("pagefind/llm-kb-shards.json", base));
      const { shards = [] } = listed.ok ? await listed.json() : {};
      await Promise.all(shards.map((s) => pf.mergeIndex(new URL(`pagefind/${s}`, base).pathname, options)));
      return pf;
    }).catch((err) => {
      pagefind = null; // e.g. `mkdocs serve` still writing the first index: try again next time
      throw err;
    });
    return pagefind;
  }

  /* -- Query ------------------------------------------------------------------------------------ */
  const ZWSP = /\u200b/g; // the index's boundary between Chinese characters (hooks/site/search.py)
  const normal = (s) => s.replace(ZWSP, "").toLocaleLowerCase().replace(/\s+/g, " ").trim();

  /** The parts of a query: Chinese runs and other words, without surrounding punctuation. */
  function parts(query) {
    const out = [];
    for (const word of query.trim().split(/\s+/)) {
      for (const [, han, other] of word.matchAll(/(\p{Script=Han}+)|([^\p{Script=Han}]+)/gu)) {
        const text = han ?? other.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, "");
        if (text) out.push({ text: text.toLocaleLowerCase(), han: Boolean(han) });
      }
    }
    return out;
  }

  /** Pagefind searches for the parts, intersected: [{id, score, data}] best first. */
  async function find(pf, query) {
    const ps = parts(query);
    if (!ps.length) return [];
    // A Chinese run twice: as an exact phrase, which finds the pages (Pagefind scores them all
    // alike), and as its characters, which ranks them (weights: title, aliases, tags, text).
    const searches = [];
    for (const p of ps.filter((p) => p.han)) {
      const chars = [...p.text].join(" ");
      searches.push({ query: `"${chars}"`, ranks: false }, { query: chars, ranks: true });
    }
    const other = ps.filter((p) => !p.han).map((p) => p.text).join(" ");
    if (other) searches.push({ query: other, ranks: true });
    // Pagefind scores an English word's extensions too (lora → lora_params) but loads only the
    // index chunk where the word itself falls: when the extensions begin the next chunk, a note's
    // score depended on what earlier queries had loaded (LoRA 显存 ranked the LoRA note first or
    // third). Preloading the chunk where the last possible extension would fall (fullwidth "ｚ"
    // sorts after ASCII and CJK and keeps the word whole) gives every search the same scores.
    await Promise.all(ps.filter((p) => !p.han).map((p) => pf.preload(`${p.text}\uff5a`)));
    const found = await Promise.all(searches.map((s) => pf.search(s.query)));
    let pages = null; // id -> {result, score}, the pages every search found
    found.forEach(({ results }, i) => {
      const here = new Map(results.map((r) => [r.id, r]));
      if (pages === null) pages = new Map(results.map((r) => [r.id, { result: r, score: 0 }]));
      for (const [id, entry] of pages) {
        if (!here.has(id)) pages.delete(id);
        else if (searches[i].ranks) entry.score += here.get(id).score;
      }
    });
    return [...pages.values()].sort((a, b) => b.score - a.score).map((e) => e.result);
  }

  /** 0: title or alias is the query; 1: one contains it; 2: the text does; 3: the rest. */
  function tier(data, query, ps) {
    const q = normal(query);
    let aliases = [];
    try { aliases = JSON.parse(data.meta.aliases || "[]"); } catch { /* none */ }
    const names = [data.meta.title || "", ...aliases].map(normal);
    const has = (text) => ps.every((p) => text.includes(p.text));
    if (names.includes(q)) return 0;
    if (names.some(has)) return 1;
    return has(normal(data.content || "")) ? 2 : 3;
  }

  /* -- Rendering (Material's markup: templates/search in Material's source) ------------------- */
  // Chinese matches come a character at a time: <mark>旋</mark><mark>转</mark> → <mark>旋转</mark>.
  const clean = (html) => html.replace(ZWSP, "").replace(/<\/mark>(\s*)<mark>/g, "$1");
  const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

  function href(url, ps) {
    const u = new URL(url, location.href);
    for (const p of ps) u.searchParams.append(HIGHLIGHT, p.text);
    return u.href;
  }

  function entry(url, title, excerpt, parent, ps) {
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.tabIndex = -1;
    a.href = href(url, ps);
    a.innerHTML = `<article class="md-search-result__article md-typeset">`
      + (parent ? `<div class="md-search-result__icon md-icon"></div><h1>${escapeHtml(title)}</h1>`
                : `<h2>${escapeHtml(clean(title))}</h2>`)
      + (excerpt ? `<p>${clean(excerpt)}</p>` : "") + `</article>`;
    return a;
  }

  function item(data, ps) {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    // The page with its own excerpt if it matched above its first heading (as Material does),
    // then the sections that matched, each linking to its heading.
    const top = (data.sub_results || []).find((s) => !s.anchor);
    const sections = (data.sub_results || []).filter((s) => s.anchor);
    li.append(entry(data.url, clean(data.meta.title || data.url),
      top ? top.excerpt : sections.length ? "" : data.excerpt, true, ps));
    for (const s of sections.slice(0, 2)) li.append(entry(s.url, s.title, s.excerpt, false, ps));
    const more = sections.slice(2);
    if (more.length) {
      const details = document.createElement("details");
      details.className = "md-search-result__more";
      details.innerHTML = `<summary tabindex="-1"><div>${escapeHtml(
        translate(more.length === 1 ? "search.result.more.one" : "search.result.more.other", more.length))}</div></summary>`;
      for (const s of more) details.append(entry(s.url, s.title, s.excerpt, false, ps));
      li.append(details);
    }
    return li;
  }

  /* -- Search as you type ----------------------------------------------------------------------- */
  let current = { query: null, results: [], shown: 0, ps: [] };
  let sequence = 0;

  async function run(query) {
    const mine = ++sequence;
    if (!query.trim()) {
      current = { query, results: [], shown: 0, ps: [] };
      list.replaceChildren();
      meta.textContent = translate("search.result.placeholder");
      done(query, 0);
      return;
    }
    const pf = await load();
    const results = await find(pf, query);
    const ps = parts(query);
    const first = await Promise.all(results.slice(0, PAGE).map((r) => r.data()));
    if (mine !== sequence) return; // a newer query is on its way
    const order = first.map((data, i) => ({ data, i, t: tier(data, query, ps) }))
      .sort((a, b) => a.t - b.t || a.i - b.i);
    current = { query, results, shown: first.length, ps };
    list.replaceChildren(...order.map(({ data }) => item(data, ps)));
    meta.textContent = results.length === 0 ? translate("search.result.none")
      : results.length === 1 ? translate("search.result.one")
      : translate("search.result.other", results.length);
    done(query, results.length);
  }

  async function more() {
    const { results, shown, ps, query } = current;
    if (shown >= results.length || current.loading) return;
    current.loading = true;
    const next = await Promise.all(results.slice(shown, shown + PAGE).map((r) => r.data()));
    if (current.query === query) {
      list.append(...next.map((data) => item(data, ps)));
      current.shown = shown + next.length;
    }
    current.loading = false;
  }

  /** Tells a test (and anyone listening) that the results for this query are on screen. */
  function done(query, count) {
    root.dataset.query = query;
    root.dataset.results = String(count);
    root.dispatchEvent(new CustomEvent("llm-kb-search", { detail: { query, count } }));
  }

  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value;
    load(); // start fetching pagefind.js while the reader is still typing
    timer = setTimeout(() => run(query).catch((err) => {
      // No bundle: a page opened from disk (file://, where browsers refuse module imports) or a
      // `mkdocs serve` still writing its first index.
      meta.textContent = "搜索索引加载失败（请通过 HTTP 访问本站，例如 make serve）";
      console.error("llm-kb search:", err);
    }), 60);
  });
  scrollwrap.addEventListener("scroll", () => {
    if (scrollwrap.scrollTop + scrollwrap.clientHeight >= scrollwrap.scrollHeight - 16) more();
  });

  /* -- Opening, closing, keyboard (as Material's own search does) ------------------------------ */
  function setOpen(open) {
    if (toggle.checked !== open) {
      toggle.checked = open;
      toggle.dispatchEvent(new CustomEvent("change")); // Material watches it (scroll lock, header)
    }
    if (open) { input.focus(); load(); } else { input.blur(); }
  }
  toggle.addEventListener("change", () => { if (toggle.checked) { input.focus(); load(); } else { input.blur(); } });
  input.addEventListener("focus", () => setOpen(true));
  root.querySelector("form").addEventListener("submit", (e) => e.preventDefault());
  root.querySelector("form").addEventListener("reset", () => setTimeout(() => { run(""); input.focus(); }));
  list.addEventListener("click", (e) => { if (e.target.closest("a")) setOpen(false); });

  const editable = (el) => el && (el.isContentEditable || /^(input|textarea|select)$/i.test(el.tagName));
  window.addEventListener("keydown", (e) => {
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    if (!toggle.checked) {
      if (["f", "s", "/"].includes(e.key) && !editable(document.activeElement)) {
        e.preventDefault();
        setOpen(true);
      }
      return;
    }
    const links = [input, ...list.querySelectorAll(":scope > li > a, details[open] > a, summary")];
    const at = links.indexOf(document.activeElement);
    switch (e.key) {
      case "Escape":
      case "Tab":
        setOpen(false);
        break;
      case "Enter":
        if (document.activeElement === input) {
          e.preventDefault();
          list.querySelector("a")?.click();
        }
        break;
      case "ArrowDown":
      case "ArrowUp": {
        e.preventDefault();
        const next = Math.max(0, Math.min(links.length - 1, (at < 0 ? 0 : at) + (e.key === "ArrowDown" ? 1 : -1)));
        links[next].focus();
        break;
      }
      default:
        if (document.activeElement !== input && e.key.length === 1) input.focus(); // keep typing
    }
  });

  /* -- On the page a result led to: mark the searched terms ------------------------------------ */
  function highlightTarget() {
    if (!new URLSearchParams(location.search).has(HIGHLIGHT)) return;
    import(new URL("pagefind/pagefind-highlight.js", base).href).then(() => {
      // eslint-disable-next-line no-undef
      new PagefindHighlight({
        highlightParam: HIGHLIGHT,
        markContext: "article.md-content__inner",
        markOptions: {
          className: "llm-kb-search-highlight",
          // Not in chrome, nor inside formulas and diagrams (their markup would break).
          exclude: [".md-tags", ".headerlink", ".llm-kb-backlinks", ".llm-kb-local-graph-box",
                    ".arithmatex", ".arithmatex *", ".katex", ".katex *", ".mermaid", ".mermaid *"],
        },
        addStyles: false,
      });
    }).catch(() => { /* no bundle (e.g. a serve build still indexing): no marks */ });
  }
})();
