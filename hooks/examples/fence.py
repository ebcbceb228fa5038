"""How an executable block looks on the page: the code, its output, and where it was verified.

Registered with pymdownx.superfences as a custom fence for ``python``: the validator accepts the
block only when it has an ``exec`` option (other Python blocks fall through to normal
highlighting); the formatter reads the result the runner already produced — it never runs code.
"""

from __future__ import annotations

from html import escape

from hooks import escape as esc
from hooks import html_policy, state
from hooks.examples.blocks import OPTION_KEYS, RUNNERS

STATUS_TEXT = {
    "passed": "✓ 构建时运行通过",
    "failed": "✗ 运行失败",
    "skipped": "○ 未在 GPU 上验证",
    "frozen": "✓ 已在 GPU 上验证",
}
# The torch tier (exec="torch") outside the builds that have torch: the committed record, named as such.
TORCH_STATUS_TEXT = {
    "skipped": "○ 未验证：本次构建没有安装 torch，且没有与当前代码匹配的运行记录",
    "frozen": "✓ 已用 PyTorch 验证（已提交的运行记录，本次构建未安装 torch）",
}
RUNNER_TEXT = {"cpu": "CPU", "gpu": "GPU", "interpreter": "Triton 解释器（CPU）", "torch": "PyTorch（CPU）"}


def validator(language: str, inputs: dict, options: dict, attrs: dict, md) -> bool:
    if "exec" not in inputs:
        return False
    for k, v in inputs.items():
        if k in OPTION_KEYS:
            options[k] = v
        else:
            attrs[k] = v
    return options["exec"] in RUNNERS


def formatter(source: str, language: str, class_name: str, options: dict, md, **kwargs) -> str:
    code_html = md.preprocessors["fenced_code_block"].highlight(
        src=source, language="python", options={}, md=md, classes=[], id_value="", attrs={}
    ) if "fenced_code_block" in md.preprocessors else f"<pre><code>{escape(source)}</code></pre>"
    result = state.current.example_result(source) if state.current else None
    if result is None:
        status, runner, body = "skipped", options.get("exec", "cpu"), ""
        badge = "○ 未运行"
    else:
        status, runner = result.status, result.runner
        where = RUNNER_TEXT.get(runner, runner)
        env = result.env or {}
        details = " · ".join(x for x in (
            where if status != "frozen" else env.get("device", "GPU"),
            f"Python {env['python']}" if env.get("python") else "",
            f"NumPy {env['numpy']}" if env.get("numpy") else "",
            f"torch {env['torch']}" if env.get("torch") not in (None, "absent") else "",
            f"transformers {env['transformers']}" if env.get("transformers") not in (None, "absent") else "",
            f"peft {env['peft']}" if env.get("peft") not in (None, "absent") else "",
            result.date,
        ) if x)
        texts = TORCH_STATUS_TEXT if options.get("exec") == "torch" else {}
        badge = f"{texts.get(status, STATUS_TEXT[status])} · {details}" if status != "skipped" else (
            texts.get(status) or STATUS_TEXT[status] + "：本次构建没有 GPU，且没有与当前代码匹配的 GPU 运行记录")
        body = ""
        if result.stdout and options.get("output") == "markdown":
            # The block printed Markdown (a table, a list…): render it with the site's pipeline, which
            # applies the raw HTML policy to it as to a note (and neutralises what breaks it).
            for p in html_policy.check_text(state.page_path(), result.stdout):
                state.current.problem(f"example output (output=\"markdown\") {p.message}", p.hint,
                                      line=state.current.line_of(source.split("\n")[0]), level="error")
            with state.nested_markdown() as md:
                body += f'<div class="llm-kb-exec-markdown">{md.convert(result.stdout)}</div>'
        elif result.stdout:
            body += f'<pre class="llm-kb-exec-stdout"><code>{escape(result.stdout.rstrip())}</code></pre>'
        for image in result.images:
            mime = esc.image_mime(image.get("mime"))
            if mime is None:  # the MIME type is the block's to choose: only image types reach the page
                state.current.problem(f"example image '{image.get('name')}' has type {str(image.get('mime'))!r}, "
                                      "not shown", f"show {', '.join(sorted(esc.IMAGE_MIMES))} only",
                                      line=state.current.line_of(source.split("\n")[0]), level="error")
                continue
            body += (f'<img class="llm-kb-exec-image" alt="{esc.html(image.get("name"))}" '
                     f'src="data:{mime};base64,{esc.html(image.get("data"))}">')
        if result.error:
            body += f'<pre class="llm-kb-exec-error"><code>{escape(result.error.rstrip())}</code></pre>'
    block_id = escape(options.get("id", ""), quote=True)
    # Built here from escaped or already checked parts: marked so the raw HTML policy need not parse
    # it again (a page's example output with images is most of its HTML; see hooks/html_policy.py).
    return html_policy.TRUSTED + (
        f'<div class="llm-kb-exec" data-exec-status="{status}" data-exec-runner="{escape(runner)}"'
        + (f' id="example-{block_id}"' if block_id else "") + ">"
        + code_html
        + (f'<div class="llm-kb-exec-output">{body}</div>' if body else "")
        + f'<div class="llm-kb-exec-badge">{escape(badge)}</div></div>'
    )
