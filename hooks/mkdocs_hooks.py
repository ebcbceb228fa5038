"""The build, once per site: the MkDocs hooks of llm-kb, in the order MkDocs calls them.

1. ``on_config``   check the vendor assets (KaTeX, Mermaid, force-graph) are installed.
2. ``on_files``    read every note once into the vault index (front matter, titles, aliases,
                   publish flags); report bad notes; drop unpublished ones; add generated pages;
                   read the docs tree's git history (hooks.site.git_meta, one git log).
3. ``on_nav``      readable Chinese section titles; sidebar and previous/next in the order of the
                   learning path (sections as extra.section_order, notes as each index links them);
                   the sidebar renderer (hooks.site.nav) that replaces Material's per-page macro.
4. per page        ``on_page_read_source`` hands MkDocs the normalised text from the index;
                   ``on_page_markdown`` tells the extensions which note they render;
                   the Markdown extensions of :mod:`hooks.pipeline` render it;
                   ``on_page_content`` attaches the page's tag list;
                   ``on_page_context`` its last change and contributors.
5. ``on_env``      wikilink anchors checked against the ids every page really has; then the
                   site-wide outputs from what every page attached: the tag index, backlinks,
                   local graphs; ``on_post_build`` writes the graph data.
   ``on_post_build`` also writes the drill outputs (hooks.drill.site): the question bank, the
   Anki decks and the cheat sheets, from each page's rendered questions.
6. search         ``on_post_page`` keeps each note's article for the search index, which
                   ``on_post_build`` builds with Pagefind (hooks.site.search; in the background
                   under ``serve``, see ``on_startup``).
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from hooks import assets, incremental, state, timing
from hooks.drill import site as drill
from hooks.examples import blocks as example_blocks
from hooks.examples import record as example_record
from hooks.examples import runner as example_runner
from hooks.problems import Problem, report
from hooks.problems import log as problem_log
from hooks.site import anchors, backlinks, git_meta, graph
from hooks.site import nav as site_nav
from hooks.site import search
from hooks.site import tags as tag_pages
from hooks.vault import NOTE_SUFFIX, VaultIndex


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    timing.begin_build()
    assets.require()
    drill.configure(config)  # the practice script and style on every page
    state.markdown_config = (config.markdown_extensions, config.mdx_configs)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    timing.start("vault index")
    vault = VaultIndex()
    for f in files:
        if f.inclusion.is_excluded() or f.generated_by:
            if f.inclusion.is_excluded() and f.src_uri.endswith(NOTE_SUFFIX) and vault.add_hidden(f.src_uri) is None:
                problem_log.info(f"docs/{f.src_uri}: in an Obsidian folder (exclude_docs), not in the site")
            continue
        if f.src_uri.endswith(NOTE_SUFFIX):
            note = vault.add_note(f.src_uri, Path(f.abs_src_path).read_bytes())
            if not note.published:
                # Unpublished notes are neither rendered nor searchable (a draft preview in serve).
                f.inclusion = InclusionLevel.EXCLUDED
                # Named in the log, so every note is accounted for: a page of the site, or listed here.
                problem_log.info(f"docs/{f.src_uri}: unpublished ({note.front.unpublished_by}), not in the site")
        else:
            vault.add_attachment(f.src_uri)
    for problem in vault.problems:
        report(problem)
    state.current = state.Build(vault)
    incremental.plan(state.current, files)  # serve --dirty: which pages this edit reaches
    global _git_history
    _git_history = git_meta.read_history(Path(config.docs_dir))  # one git log for every page
    timing.stop("vault index")
    timing.start("examples")
    run_examples(state.current)
    timing.stop("examples")
    assets.add_to(files, config, diagrams=any(assets.has_diagram(n.text) for n in vault.notes.values() if n.published))
    files.append(tag_pages.make_file(config))
    files.append(graph.make_file(config))
    practice = files.get_file_from_path(drill.PRACTICE_PAGE)
    drill.collect(vault, config.extra.get("section_order", []), practice.url if practice else None)
    return files


def run_examples(build: state.Build) -> None:
    """Stage 2: run (or take from the cache) every executable block of every published note."""
    reused = incremental.unchanged_examples(build)  # serve --dirty: notes this edit left alone
    by_page = {path: example_blocks.collect(path, note.text) for path, note in build.vault.notes.items()
               if note.published and path not in reused}
    by_page = {p: b for p, b in by_page.items() if b}
    results, stats = example_runner.run_all(by_page, example_record.load())
    stats.cached += sum(len(pairs) for pairs in reused.values())
    build.examples = {**reused, **{p: [(b, results[(p, b.index)]) for b in blocks] for p, blocks in by_page.items()}}
    build.example_stats = stats
    timing.count("examples run", stats.ran)
    example_runner.log.info(stats.summary())
    for page, pairs in build.examples.items():
        for block, result in pairs:
            if result.status == "failed":
                report(Problem(page, block.line, f"example '{block.block_id}' failed on {result.runner}:\n{result.error}",
                               "fix the code or the assertion; run 'make test' to run every block as a test"))
            elif result.status == "skipped" and block.runner == "gpu":
                example_runner.log.info(f"docs/{page}:{block.line}: example '{block.block_id}' not yet verified on GPU")
            elif result.status == "skipped" and block.runner == "torch":
                example_runner.log.info(f"docs/{page}:{block.line}: example '{block.block_id}' not verified: torch is "
                                        "not installed and the torch-tier record does not match this code "
                                        "(python -m hooks.examples.record --tier torch docs)")


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    vault = state.current.vault

    def retitle(items: list) -> None:
        for item in items:
            if isinstance(item, Section):
                index = next((c for c in item.children if isinstance(c, Page) and c.file.name == "index"), None)
                note = vault.notes.get(index.file.src_uri) if index else None
                if note and note.front.title:
                    item.title = note.front.title
                retitle(item.children)

    retitle(nav.items)
    site_nav.learning_path(nav, vault, config.extra.get("section_order", []))
    state.current.nav = site_nav.NavRenderer(nav, config.theme.get("features", []))
    return nav


def on_page_read_source(page: Page, config: MkDocsConfig) -> str | None:
    note = state.current.vault.notes.get(page.file.src_uri)
    return note.text if note else None


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    state.current.begin_page(page.file.src_uri, markdown)
    timing.start("markdown")
    return markdown


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    timing.stop("markdown")
    data = state.current.page
    data.url = page.url
    data.title = page.title or data.title
    data.ids = set(page.present_anchor_ids or ())
    if data.tags:
        page.meta["tags"] = list(data.tags)
        html = tag_pages.tag_list_html(data.tags, page) + html
    return drill.page_content(html, page.file.src_uri, page.url, data.title, data.tags)


_git_history = git_meta.History()  # the docs tree's history, read in on_files


def on_page_context(context, page: Page, config: MkDocsConfig, nav: Navigation):
    # Last change and contributors for partials/source-file.html; generated pages have no history.
    if not page.file.generated_by:
        page.meta["git_history"] = _git_history.for_page(page.file.src_uri)
    timing.start("templates")
    return context


def on_env(env, config: MkDocsConfig, files: Files):
    env.bytecode_cache = incremental.TEMPLATES
    if not os.environ.get("LLM_KB_MATERIAL_NAV"):  # set: Material's own macro, for comparison
        env.globals["llm_kb_nav"] = state.current.nav
    timing.start("links, backlinks, tags, graph")
    incremental.carry_over(state.current, files)
    anchors.check(state.current.pages, skip_unknown=incremental.pages_without_data())
    tag_pages.fill_index(files, state.current.pages, tag_pages.vocabulary(Path(config.docs_dir)))
    backlinks.inject(files, state.current.pages, state.current.vault)
    graph.fill_index(files, state.current.pages)
    graph.inject(files, state.current.pages, state.current.vault.notes)
    timing.stop("links, backlinks, tags, graph")
    return env


def on_startup(*, command: str, dirty: bool) -> None:
    incremental.dirty, incremental.serving = dirty, command == "serve"
    search.startup(command)


def on_serve(server, config: MkDocsConfig, builder):
    incremental.watch_closely(server)
    return server


def on_shutdown() -> None:
    search.shutdown()


def on_pre_build(config: MkDocsConfig) -> None:
    # With Material's own search plugin enabled (benchmarks/search_eval.py compares the two), no Pagefind.
    if "material/search" not in config.plugins:
        search.begin(config.site_dir, config.theme["language"], config.use_directory_urls,
                     config.extra.get("search_shard_pages", search.SHARD_PAGES))


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    timing.stop("templates")
    note = state.current.vault.notes.get(page.file.src_uri)
    if note is not None:  # published notes only: generated pages (tags, graph) are not searched
        search.add_page(output, page, note)
    # Written, indexed: nothing reads this page's HTML again. Kept, the HTML of every page would
    # stay in memory until the end of the build (28 MiB at 3,000 notes) while Pagefind runs.
    page.content = None
    return output


def on_post_build(config: MkDocsConfig) -> None:
    graph.write(config.site_dir, state.current.pages, state.current.vault.notes)
    timing.start("drill bank, decks, cheat sheets")
    drill.write(config.site_dir, config.site_url, config.site_name, serving=incremental.serving)
    timing.stop("drill bank, decks, cheat sheets")
    timing.start("search index")
    search.finish(state.current.vault)
    timing.stop("search index")
    incremental.remember(state.current)
    timing.finish_build()
