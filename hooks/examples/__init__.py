"""Verified examples: code blocks of the notes, executed and checked at build time.

Flow (once per build, before any page renders):
    blocks.collect   find every ```python exec="…"``` block of every published note (file, line, options)
    cache.result_key hash of code (+ earlier blocks of its session), options, imported
                     executable_examples sources, Python/NumPy/torch/Triton versions, device,
                     page and position; an entry also lists the repository modules the block
                     imported at run time, checked when it is read
    runner.run_all   run what the cache lacks: workers of a few pages each, in parallel, each in
                     a bubblewrap sandbox (sandbox.py) forking a child per group (worker.py);
                     what this machine cannot run (exec="gpu" without a GPU, exec="torch" without
                     torch) is shown from the committed run records (record.load), keyed by code only
Then, while pages render:
    fence.format     shows code, output and a status badge (data-exec-status / data-exec-runner)
    bindings         `=name|40.0 GB` in prose shows a computed value and fails on a mismatch
"""
