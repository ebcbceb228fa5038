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
 * A question is understood first (understand(): spelling, words, question words dropped,
 * synonyms) and ranked word by word when it is not found as typed (find()); a question callout
 * it matches becomes the excerpt (item()). docs/about/search.md explains it with examples.
 */
(() => {
  "use strict";

  const root = document.querySelector("[data-llm-kb-search]");
  const config = JSON.parse(document.getElementById("__config")?.textContent || "{}");
  const base = new URL(config.base || ".", location.href); // the site's root, wherever it is served
  const HIGHLIGHT = "h"; // query parameter naming the terms to mark on the target page (as Material)
  const PAGE = 10; // results rendered at once; more on scrolling, as in Material
  const FIRST = 5; // of them, shown before the rest is fetched

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
      await Promise.all([...shards.map((s) => pf.mergeIndex(new URL(`pagefind/${s}`, base).pathname, options)),
        loadNames().catch((err) => console.warn("llm-kb search: no names file", err))]);
      return pf;
    }).catch((err) => {
      pagefind = null; // e.g. `mkdocs serve` still writing the first index: try again next time
      throw err;
    });
    return pagefind;
  }

  /* -- Query understanding --------------------------------------------------------------------- */
  // How a question becomes search terms (docs/about/search.md): spelling normalised, Chinese cut
  // into words (known names of the notes first, then the browser's Intl.Segmenter), question words
  // and particles dropped, each word widened to its synonyms (the notes' own names, reviewed list).
  const ZWSP = /\u200b/g; // the index's boundary between Chinese characters (hooks/site/search.py)
  const HAN = /\p{Script=Han}/u;
  const normal = (s) => s.replace(ZWSP, "").normalize("NFKC").toLocaleLowerCase().replace(/\s+/g, " ").trim();
  const compact = (s) => s.replace(/[\s\-_·.]+/g, "");
  // Question words, particles and the frame of a question ("…的区别是什么"): they say what kind of
  // answer is wanted, not what it is about. Dropped only as whole words (目的 keeps its 的).
  const STOP = new Set(("为什么 为何 为啥 怎么 怎么样 怎样 怎么办 咋 如何 什么 什么样 啥 哪 哪些 哪个 哪种 哪里 多少 多大 多长 多久 几 "
    + "吗 呢 吧 啊 呀 么 嘛 的 地 得 了 着 过 和 与 跟 及 以及 或 或者 还是 是 是否 是不是 有 有没有 能 能否 "
    + "能不能 可以 要 需要 会 该 应该 请问 一下 介绍 讲讲 说说 解释 这 那 这个 那个 之间 区别 差别 不同 "
    + "作用 用 意思 原理 关系 一样 好 都 就 又 在 对 从 把 被 让 里 中 真的 到底 具体 "
    + "what why how is are was the a an of and or vs versus do does to in for with between difference").split(" "));
  // Spelling variants of one formula or term, made alike before anything else.
  const VARIANTS = [
    [/(?:根号|√|\\?sqrt)\s*[({]?\s*([a-z])\s*_?\s*\{?\s*([a-z0-9]{1,3})\s*\}?\s*[)}]?/g, " $1_$2 "], // 根号dk, √d_k, sqrt(d_k)
    [/[?？!！,，。;；:：、"“”'‘’()（）【】\[\]{}<>《》]/g, " "],
    [/([a-z]{3,})is(ation|ed|er|ing)\b/g, "$1iz$2"], // British spelling: quantisation, tokeniser, normalised
  ];
  const segmenter = typeof Intl.Segmenter === "function" ? new Intl.Segmenter("zh", { granularity: "word" }) : null;

  /** The names file (hooks/site/search_names.py): dictionary, fuzzy keys, synonym groups. */
  let vocabulary = { words: new Map(), fuzzy: new Map(), groups: new Map(), latin: new Set(), longest: 1, low: new Set(),
    named: new Map(), titles: new Map(), pages: 0 };
  async function loadNames() {
    const got = await fetch(new URL("pagefind/llm-kb-names.pf_json", base));
    if (!got.ok) return;
    let bytes = new Uint8Array(await got.arrayBuffer());
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) { // gzip (unless the server already unpacked it)
      bytes = new Uint8Array(await new Response(new Blob([bytes]).stream()
        .pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
    }
    const { words = [], groups = [], low = [], notes = [], pages = 0 } = JSON.parse(new TextDecoder().decode(bytes));
    const v = { words: new Map(), fuzzy: new Map(), groups: new Map(), latin: new Set(), longest: 1, low: new Set(low),
      named: new Map(), titles: new Map(), pages };
    for (const [id, title, ...aliases] of notes) {
      v.titles.set(id, [title, ...aliases].join(" | ")); // what the title-and-alias credit looks in
      for (const name of [title.split(/[:：]/)[0], ...aliases]) { // the names that name the note
        const key = compact(name);
        v.named.set(key, (v.named.get(key) || new Set()).add(id));
      }
    }
    for (const w of words) {
      const key = compact(w);
      v.words.set(key, w);
      v.longest = Math.max(v.longest, [...key].length);
      const chars = [...key];
      if (chars.length >= 4 && chars.every((c) => HAN.test(c))) { // one wrong character: 混和精度 → 混合精度
        chars.forEach((_, i) => v.fuzzy.set(chars.with(i, "?").join(""), w));
      }
      for (const part of w.split(/[^a-z0-9]+/)) if (part.length >= 4) v.latin.add(part);
    }
    for (const g of groups) for (const w of g) {
      const key = compact(w);
      v.groups.set(key, [...new Set([...(v.groups.get(key) || []), ...g])]);
    }
    vocabulary = v;
  }

  /** Chinese text cut into words: the longest known name at each place, else Intl.Segmenter. */
  function cut(run) {
    const chars = [...run];
    const out = [];
    let gap = "";
    const flush = () => {
      if (!gap) return;
      const pieces = segmenter ? [...segmenter.segment(gap)].map((s) => s.segment) : [...gap];
      // Intl.Segmenter's dictionary cuts words it does not know into characters (显|存, 复|读|机):
      // consecutive single characters that are not particles are one word again.
      let single = "";
      for (const piece of [...pieces, ""]) {
        if ([...piece].length === 1 && !STOP.has(piece)) { single += piece; continue; }
        if (single) out.push({ text: single });
        single = "";
        if (piece) out.push({ text: piece });
      }
      gap = "";
    };
    for (let i = 0; i < chars.length;) {
      let exact = 0;
      for (let n = Math.min(vocabulary.longest, chars.length - i); n >= 2; n--) {
        if (vocabulary.words.has(chars.slice(i, i + n).join(""))) { exact = n; break; }
      }
      let fuzzy = null;
      for (let n = Math.min(8, chars.length - i); n >= 4 && n > exact; n--) {
        const piece = chars.slice(i, i + n);
        for (let k = 0; k < n && !fuzzy; k++) {
          const w = vocabulary.fuzzy.get(piece.with(k, "?").join(""));
          if (w) fuzzy = { text: piece.join(""), also: [w], n };
        }
        if (fuzzy) break;
      }
      if (fuzzy) { flush(); out.push(fuzzy); i += fuzzy.n; continue; }
      if (exact) { flush(); out.push({ text: chars.slice(i, i + exact).join("") }); i += exact; continue; }
      gap += chars[i++];
    }
    flush();
    return out;
  }

  /** The query understood: phrase runs (as typed, question words out) and terms with alternatives. */
  function understand(query) {
    let q = normal(query);
    for (const [re, to] of VARIANTS) q = q.replace(re, to);
    const words = []; // {text, stop, join}: join = glued to the previous word in the query
    for (const chunk of q.split(/\s+/).filter(Boolean)) {
      let first = true;
      for (const [, han, other] of chunk.matchAll(/(\p{Script=Han}+)|([^\p{Script=Han}]+)/gu)) {
        const pieces = han ? cut(han) : [{ text: other.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, "") }];
        for (const piece of pieces) {
          if (!piece.text) continue;
          // A word made of particles only (要用, 是否能) is one too.
          const stop = STOP.has(piece.text) || (han && [...piece.text].every((c) => STOP.has(c)));
          words.push({ ...piece, han: Boolean(han), stop, join: !first });
          first = false;
        }
      }
    }
    const kept = words.some((w) => !w.stop) ? words.filter((w) => !w.stop) : words;
    const dropped = kept.length < words.length;
    // Runs: the kept words as typed, glued where nothing was dropped between them (phrase search).
    const runs = [];
    let last = -2;
    for (const w of kept) {
      const at = words.indexOf(w);
      const prev = runs[runs.length - 1];
      if (prev && at === last + 1 && w.join && prev.han === w.han) prev.text += w.text;
      else runs.push({ text: w.text, han: w.han });
      last = at;
    }
    const terms = [];
    for (const w of kept) {
      const alts = [w.text, ...(w.also || []), ...(vocabulary.groups.get(compact(w.text)) || [])];
      const unique = [...new Set(alts.map(normal))].filter((a) => compact(a)).slice(0, 5);
      if (!terms.some((t) => t.alts[0] === unique[0])) terms.push({ text: w.text, han: w.han, alts: unique });
    }
    return { runs, terms, dropped };
  }

  /** The parts of one alternative or run: Chinese runs and other words. */
  function parts(text) {
    const out = [];
    for (const word of text.trim().split(/\s+/)) {
      for (const [, han, other] of word.matchAll(/(\p{Script=Han}+)|([^\p{Script=Han}]+)/gu)) {
        const t = han ?? other.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, "");
        if (t) out.push({ text: t.toLocaleLowerCase(), han: Boolean(han) });
      }
    }
    return out;
  }

  /* -- Searching ----------------------------------------------------------------------------------- */
  const cache = new Map(); // Pagefind query -> its results (the same for the whole visit)
  function search(pf, q) {
    if (!cache.has(q)) {
      if (cache.size > 400) cache.clear();
      cache.set(q, pf.search(q).then((r) => r.results));
    }
    return cache.get(q);
  }

  /** Pages holding every part (Chinese parts as exact phrases): Map id -> {result, score}. */
  async function every(pf, ps, typed = true) {
    if (!ps.length) return new Map();
    // A Chinese run twice: as an exact phrase, which finds the pages (Pagefind scores them all
    // alike), and as its characters, which ranks them (weights: title, aliases, tags, text).
    // The characters' search scores a page by each character alone, and a title holding 序列 lifted
    // pages that never say 列切; so a page's score for a run is multiplied by how often the run
    // occurs in it (1 + its occurrences, read from the positions of the characters: n in a row).
    // 列切: the tensor-parallel note (16 occurrences) before the overview (2, in 序列切分).
    const searches = [];
    for (const p of ps.filter((p) => p.han)) {
      const chars = [...p.text].join(" ");
      if (p.text.length > 1) searches.push({ query: `"${chars}"`, ranks: false });
      searches.push({ query: chars, ranks: true, run: [...p.text].length });
    }
    const other = ps.filter((p) => !p.han).map((p) => p.text).join(" ");
    if (other) searches.push({ query: other, ranks: true });
    // Pagefind scores an English word's extensions too (lora → lora_params) but loads only the
    // index chunk where the word itself falls: when the extensions begin the next chunk, a note's
    // score depended on what earlier queries had loaded (LoRA 显存 ranked the LoRA note first or
    // third). Preloading the chunk where the last possible extension would fall (fullwidth "ｚ"
    // sorts after ASCII and CJK and keeps the word whole) gives every search the same scores.
    // (For the words as typed only: a synonym's score ranks less, and each preload is a chunk more.)
    // The word's own chunk is fetched at the same time, not after (the search would fetch it alone).
    if (typed) await Promise.all(ps.filter((p) => !p.han).flatMap((p) => [pf.preload(`${p.text}\uff5a`), pf.preload(p.text)]));
    const found = await Promise.all(searches.map((s) => search(pf, s.query)));
    // The result shown (its sections and excerpts): from a search that reports every place a word
    // occurs; a phrase search reports only the first, and the first is usually in the question
    // callouts at the top, so a page showed no matching section. The characters' search of the
    // longest Chinese run, whose sections item() keeps where the run occurs whole; else the words'.
    const runs = searches.map((s) => (s.ranks ? s.run || 0 : -1));
    const shown = runs.some((n) => n > 0) ? runs.indexOf(Math.max(...runs)) : Math.max(0, runs.indexOf(0));
    let pages = null;
    found.forEach((results, i) => {
      const here = new Map(results.map((r) => [r.id, r]));
      if (pages === null) pages = new Map(results.map((r) => [r.id, { result: r, score: 0 }]));
      for (const [id, entry] of pages) {
        if (!here.has(id)) { pages.delete(id); continue; }
        if (searches[i].ranks) entry.score += here.get(id).score * (1 + occurrences(here.get(id).words, searches[i].run));
        if (i === shown) { entry.result = here.get(id); entry.run = searches[i].run || 0; }
      }
    });
    return pages;
  }

  /** Places where n indexed words follow one another (a Chinese run of n characters), at most 50. */
  function occurrences(words, n) {
    if (!n || n < 2) return 0;
    const at = new Set(words);
    let count = 0;
    for (const w of words) {
      let k = 1;
      while (k < n && at.has(w + k)) k++;
      if (k === n && ++count >= 50) break;
    }
    return count;
  }

  const LOW_RANK_FACTOR = 0.5;
  const FEW = 5; // notes: a word found in fewer is searched under its synonyms too (pagesPerTerm()) // pages about the site and API reference (hooks/site/search.py LOW_RANK)

  /** Fuzzy English: a word no page has, replaced by the known name one or two edits away. */
  function corrections(word) {
    if (word.length < 4 || !/^[a-z]+$/.test(word)) return [];
    const limit = word.length >= 8 ? 2 : 1;
    const out = [];
    for (const known of vocabulary.latin) {
      if (Math.abs(known.length - word.length) <= limit && known[0] === word[0] && distance(word, known) <= limit) out.push(known);
    }
    return out.slice(0, 3);
  }
  function distance(a, b) { // Damerau-Levenshtein (optimal string alignment)
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
    return d[a.length][b.length];
  }

  /** How strongly the words of the query name each page: id -> credit. A page is named by a word
   * when its title head or an alias is the word (or one of its alternatives), and by two words when
   * a name is the two together, in either order, with at most a particle between ("softmax 溢出",
   * "微调还是 RAG" for "RAG 和微调怎么选"). A word counts by its rarity (rarities()): for "BPE 分词"
   * the BPE note, named by the rarer word, comes before the tokenisation overview named by 分词. The
   * note named by a word is the note about it, however often other notes mention the word. */
  function naming(terms, rarity) {
    const out = new Map();
    const credit = (ids, value) => { for (const id of ids) out.set(id, (out.get(id) || 0) + value); };
    terms.forEach((t, i) => {
      credit(new Set(t.alts.flatMap((a) => [...(vocabulary.named.get(compact(a)) || [])])), 2 * rarity[i]);
    });
    for (let i = 0; i < terms.length; i++) for (let j = i + 1; j < terms.length; j++) {
      const [a, b] = [compact(terms[i].alts[0]), compact(terms[j].alts[0])];
      for (const [key, ids] of vocabulary.named) {
        if (key.length > a.length + b.length + 4 || !key.includes(a) || !key.includes(b)) continue;
        const rest = key.replace(a, "").replace(b, "");
        if (!rest || rest === "vs" || STOP.has(rest)) credit(ids, 2 * (rarity[i] + rarity[j]));
      }
    }
    return out;
  }

  /** A term's weight: its rarity, the share of pages without it on a log scale (0.1 to 1); a lone
   * Chinese character (a word the splitter could not place) half that. */
  function rarities(terms, perTerm) {
    const n = Math.max(2, vocabulary.pages);
    return terms.map((t, i) => Math.max(0.1, Math.log(n / Math.max(1, perTerm[i].size)) / Math.log(n))
      * (t.han && [...t.text].length === 1 ? 0.5 : 1));
  }

  /** Whether a page's title or aliases hold a term (one of its alternatives, every part of it). */
  function titled(id, term) {
    const title = vocabulary.titles.get(id);
    return Boolean(title) && term.alts.some((a) => parts(a).every((p) => title.includes(p.text)));
  }

  /** Each term: the pages holding any of its alternatives (a word no page but those about the site
   * has is tried as a typo of a known name), with the best score. */
  function pagesPerTerm(pf, terms) {
    return Promise.all(terms.map(async (t) => {
      // The word as typed first; its synonyms only when it finds few notes. Each synonym costs the
      // index chunks of its own words (about 36 KiB each, the bulk of what a question downloads),
      // and a word many notes hold gains nothing from them: the note a synonym names is credited
      // without a search (naming()).
      let alts = [await every(pf, parts(t.alts[0]))];
      if (t.alts.length > 1 && [...alts[0].keys()].filter((id) => !vocabulary.low.has(id)).length < FEW) {
        alts = alts.concat(await Promise.all(t.alts.slice(1).map((a) => every(pf, parts(a), false))));
      }
      // A typo? Try the names one edit away, also when only pages about the site have the word
      // (docs/about/search.md quotes the typos it corrects).
      if (alts.every((m) => [...m.keys()].every((id) => vocabulary.low.has(id))) && !t.han) {
        const fixed = corrections(compact(t.text));
        t.alts.push(...fixed);
        alts = alts.concat(await Promise.all(fixed.map((a) => every(pf, parts(a)))));
      }
      const pages = new Map();
      for (const m of alts) for (const [id, e] of m) {
        if (!pages.has(id) || pages.get(id).score < e.score) pages.set(id, e);
      }
      return pages;
    }));
  }

  /** Pages best first. A keyword query (nothing dropped from it): the pages holding every run as
   * typed (phrases, all required), as the keyword search always did. Otherwise, or when no page
   * holds them all, word by word, weighted as the comment in the body says. */
  async function find(pf, understood) {
    const { runs, terms, dropped } = understood;
    if (!terms.length) return [];
    const factor = (id) => (vocabulary.low.has(id) ? LOW_RANK_FACTOR : 1);
    // The runs as typed and the words one by one, searched at once (a keyword query of one word
    // needs only the first).
    const [all, words] = await Promise.all([every(pf, runs), terms.length > 1 || dropped ? pagesPerTerm(pf, terms) : null]);
    const keyword = all.size > 0 && !dropped;
    const perTerm = words || (keyword ? [all] : await pagesPerTerm(pf, terms));
    const rarity = rarities(terms, perTerm);
    const names = naming(terms, rarity);
    if (keyword) {
      // The notes before the pages about the site (which quote queries as examples, and whose score
      // the occurrences of a run would lift), the pages the query's words name first, then by score.
      return [...all.entries()].map(([id, e]) => ({ result: e.result, run: e.run, tier: 0, low: vocabulary.low.has(id) ? 1 : 0,
                                                      named: names.get(id) || 0, score: e.score }))
        .sort((a, b) => a.low - b.low || b.named - a.named || b.score - a.score);
    }
    // Word by word. A page's weight: the rarity of each term it holds, twice that for one in its
    // title or aliases, the credit of the terms naming it (naming()), a quarter more when it holds
    // the runs as typed; then Pagefind's score. A page holding the rare words of a question beats
    // one holding its common ones (困惑度怎么理解: the perplexity note, though the pretraining
    // objective note holds 理解 too).
    const ranked = new Map(); // id -> {result, tier, count, score}
    perTerm.forEach((pages, i) => {
      for (const [id, e] of pages) {
        const r = ranked.get(id) || { result: e.result, run: e.run, tier: 1, count: all.has(id) ? 0.25 : 0, score: 0, best: 0 };
        r.count += rarity[i] * (titled(id, terms[i]) ? 2 : 1);
        r.score += e.score * factor(id);
        if (e.score > r.best) { r.best = e.score; r.result = e.result; r.run = e.run; }
        ranked.set(id, r);
      }
    });
    // Pages about the site (this search's own documentation quotes questions) count less.
    for (const [id, r] of ranked) r.count = (r.count + (names.get(id) || 0)) * factor(id);
    return [...ranked.values()].sort((a, b) => b.count - a.count || b.score - a.score);
  }

  /** 0: title or alias is the query; 1: one contains it; 2: the text does; 3: the rest. */
  function tier(data, understood) {
    const q = understood.runs.map((r) => r.text).join(" ");
    const names = [data.meta.title || "", ...metaList(data, "aliases")].map(normal);
    const has = (text) => understood.runs.every((p) => text.includes(p.text));
    if (names.includes(q) || names.map(compact).includes(compact(q))) return 0;
    if (names.some(has)) return 1;
    return has(normal(data.content || "")) ? 2 : 3;
  }
  function metaList(data, key) {
    try { return JSON.parse((data.meta[key] || "[]").replace(ZWSP, "")); } catch { return []; }
  }

  /* -- Rendering (Material's markup: templates/search in Material's source) ------------------- */
  // Chinese matches come a character at a time: <mark>旋</mark><mark>转</mark> → <mark>旋转</mark>.
  const clean = (html) => html.replace(ZWSP, "").replace(/<\/mark>(\s*)<mark>/g, "$1");
  // A section's excerpt from the characters' search marks every character of the run wherever it
  // stands alone (保<mark>存</mark>): only the run itself stays marked.
  const cleanRun = (html, run) => (run > 1 ? clean(html).replace(/<mark>(\p{Script=Han})<\/mark>/gu, "$1") : clean(html));
  const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  const EXCERPT = 80; // characters of an excerpt this script writes itself

  function href(url, terms, anchor = "") {
    const u = new URL(url, location.href);
    for (const t of terms) u.searchParams.append(HIGHLIGHT, t.alts[0]);
    if (anchor) u.hash = anchor;
    return u.href;
  }

  /** Where in ``text`` a term (any alternative) occurs: [[start, end]…], sorted. */
  function spans(text, terms) {
    const low = text.toLocaleLowerCase();
    const out = [];
    if (low.length !== text.length) return out;
    for (const t of terms) for (const a of t.alts) for (const p of parts(a)) {
      for (let i = low.indexOf(p.text); i >= 0; i = low.indexOf(p.text, i + 1)) out.push([i, i + p.text.length]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** Plain text with the terms marked, escaped; cut to ``length`` around the first match. */
  function marked(text, terms, length = EXCERPT, around = true) {
    const found = spans(text, terms);
    // Around the first word as typed (显存), before any synonym (memory in a code line).
    const typed = spans(text, terms.map((t) => ({ alts: [t.alts[0]] })));
    const first = typed[0] || found[0];
    let from = around && first ? Math.max(0, first[0] - 20) : 0;
    const to = Math.min(text.length, from + length);
    let html = from > 0 ? "…" : "";
    let at = from;
    for (const [a, b] of found) {
      if (a < at || b > to) continue;
      html += escapeHtml(text.slice(at, a)) + `<mark>${escapeHtml(text.slice(a, b))}</mark>`;
      at = b;
    }
    return html + escapeHtml(text.slice(at, to)) + (to < text.length ? "…" : "");
  }

  /** How many terms a text holds. */
  const covered = (text, terms) => terms.filter((t) => t.alts.some((a) => parts(a).every((p) => normal(text).includes(p.text)))).length;

  /** The question callout of the page the query asks best (most terms in its question), or null. */
  function question(data, terms) {
    let best = null;
    for (const q of metaList(data, "questions")) {
      const n = covered(q.q, terms) + covered(q.a || "", terms) / 10;
      // More than half of the words (all of two): "LoRA 显存" is not answered by "LoRA 训练多少参数？".
      if (n >= Math.floor(terms.length / 2) + 1 && (!best || n > best.n)) best = { ...q, n };
    }
    return best;
  }

  /** The page's own text at its top: without its title and the alias and tag lists indexed there. */
  function intro(data) {
    let text = (data.content || "").replace(ZWSP, "");
    for (const list of [metaList(data, "aliases"), metaList(data, "tags")]) {
      if (list.length) text = text.replace(list.join(" · "), " ");
    }
    const title = data.meta.title || "";
    if (text.trimStart().startsWith(title)) text = text.trimStart().slice(title.length);
    return text.replace(/\s+/g, " ").replace(/^[\s.·]+/, "").trim(); // Pagefind ends blocks with ". "
  }

  function entry(url, title, excerpt, parent) {
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.tabIndex = -1;
    a.href = url;
    a.innerHTML = `<article class="md-search-result__article md-typeset">`
      + (parent ? `<div class="md-search-result__icon md-icon"></div><h1>${escapeHtml(title)}</h1>`
                : `<h2>${escapeHtml(clean(title))}</h2>`)
      + (excerpt ? `<p>${excerpt}</p>` : "") + `</article>`;
    return a;
  }

  function item(data, understood, run = 0) {
    const { terms } = understood;
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    // The page first. Its excerpt: the question callout the query matches (and the start of its
    // answer key), linking to it; else its top text if the query matched there (as Material does);
    // then the sections that matched, each linking to its heading.
    const asked = question(data, terms);
    const top = (data.sub_results || []).find((s) => !s.anchor);
    // Sections where the query's longest Chinese run occurs whole (its characters in a row).
    const sections = (data.sub_results || []).filter((s) => s.anchor && (run < 2 || occurrences(s.locations || [], run) > 0));
    const title = clean(data.meta.title || data.url);
    if (asked) {
      const excerpt = `<span class="llm-kb-search-question">${marked(asked.q, terms, 200, false)}</span>`
        + (asked.a ? ` ${marked(asked.a, terms, EXCERPT - Math.min(40, asked.q.length), false)}` : "");
      li.append(entry(href(data.url, terms, asked.id), title, excerpt, true));
    } else {
      const text = intro(data);
      const excerpt = top || !sections.length ? marked(text, terms) : "";
      li.append(entry(href(data.url, terms), title, excerpt, true));
    }
    const shown = sections.filter((s) => !asked || !asked.id || !s.url.endsWith(`#${asked.id}`));
    for (const s of shown.slice(0, 2)) li.append(entry(href(s.url, terms), s.title, cleanRun(s.excerpt, run), false));
    const more = shown.slice(2);
    if (more.length) {
      const details = document.createElement("details");
      details.className = "md-search-result__more";
      details.innerHTML = `<summary tabindex="-1"><div>${escapeHtml(
        translate(more.length === 1 ? "search.result.more.one" : "search.result.more.other", more.length))}</div></summary>`;
      for (const s of more) details.append(entry(href(s.url, terms), s.title, cleanRun(s.excerpt, run), false));
      li.append(details);
    }
    return li;
  }

  /* -- Search as you type ----------------------------------------------------------------------- */
  let current = { query: null, results: [], shown: 0, understood: null };
  let sequence = 0;

  async function run(query) {
    const mine = ++sequence;
    if (!query.trim()) {
      current = { query, results: [], shown: 0, understood: null };
      list.replaceChildren();
      meta.textContent = translate("search.result.placeholder");
      done(query, 0);
      return;
    }
    const pf = await load();
    const understood = understand(query);
    const results = await find(pf, understood);
    // The first results on screen as soon as their data is in (each is a fragment to fetch); the
    // rest of the page follows right after (more()).
    const first = await Promise.all(results.slice(0, FIRST).map((r) => r.result.data()));
    if (mine !== sequence) return; // a newer query is on its way
    // Keyword results: the note named by the query first (tier), as before; word-by-word results
    // come ranked from find() (titles and aliases counted there).
    const order = first.map((data, i) => ({ data, i, t: results[i].tier ? 0 : tier(data, understood) }))
      .sort((a, b) => a.t - b.t || a.i - b.i);
    current = { query, results, shown: first.length, understood };
    list.replaceChildren(...order.map(({ data, i }) => item(data, understood, results[i].run)));
    meta.textContent = results.length === 0 ? translate("search.result.none")
      : results.length === 1 ? translate("search.result.one")
      : translate("search.result.other", results.length);
    done(query, results.length);
    more(PAGE - FIRST);
  }

  async function more(count = PAGE) {
    const { results, shown, understood, query } = current;
    if (shown >= results.length || current.loading) return;
    current.loading = true;
    const next = await Promise.all(results.slice(shown, shown + count).map((r) => r.result.data()));
    if (current.query === query) {
      list.append(...next.map((data, k) => item(data, understood, results[shown + k].run)));
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
    }), 30); // ms of quiet typing before a search: a keystroke comes every 100-200 ms
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
