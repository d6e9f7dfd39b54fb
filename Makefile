# Two commands do all set-up on a fresh machine: `make test` and `make reports`.
# Both create or reuse .venv, install what they need and fetch the data into the cache.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.infogap-installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
# The lock: exact versions of everything `make test` and `make reports` install, compiled by `make lock`
# from settings.ini's requirements and dev extra, used as pip constraints. `make test-latest` empties it.
LOCK        := constraints.txt
CONSTRAINTS := -c $(LOCK)
# `make lock` resolves with the releases published before this instant, so it reproduces the committed
# lock; move it forward (and run `make lock`) to take newer releases.
LOCK_DATE   := 2026-11-30T00:00:00Z
UV          := uv==0.13.8

.PHONY: test test-latest reports lab install data browser fonts check-sync nbtest pytest bench lock clean book

install: $(STAMP)

# torch first, and named again beside the package: only 2.13.0 (its CPU build) may be installed, any
# other version pulls a multi-GB CUDA build.
$(STAMP): settings.ini setup.py $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -U $(CONSTRAINTS) pip setuptools wheel
	$(PIP) install $(CONSTRAINTS) torch==2.13.0
	$(PIP) install $(CONSTRAINTS) -e ".[dev]" torch==2.13.0
	touch $@

# Recompile the lock after changing requirements in settings.ini (or LOCK_DATE). torch is locked to
# 2.13.0's CPU build (+cpu), which pip finds in the machine's local wheel folder (elsewhere: PyTorch's
# CPU wheel index, given to pip as an extra index).
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install "$(UV)"
	rm -f $(LOCK).new   # a fresh output file: uv would otherwise prefer the old lock's pins
	printf 'torch==2.13.0+cpu\npip\nsetuptools\nwheel\n' | $(BIN)/uv pip compile setup.py - --extra dev -q \
	    $(if $(wildcard /opt/wheels),--find-links /opt/wheels) --python-version 3.11 \
	    --exclude-newer $(LOCK_DATE) --custom-compile-command "make lock" -o $(LOCK).new
	mv $(LOCK).new $(LOCK)

# Drift found on purpose, not by a newcomer: a second venv with the newest releases (no lock; torch
# still 2.13.0), then every test. Not part of CI.
test-latest:
	$(MAKE) VENV=.venv-latest CONSTRAINTS= test

data: install
	$(BIN)/python -c "from infogap.datasets import fetch_all; fetch_all()"

# Debian's chromium for the browser tests (root on these machines; never `playwright install`).
browser:
	@command -v chromium >/dev/null || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "warning: could not install chromium; browser tests will be skipped"; }

# Debian's Noto CJK fonts: Chinese reports (-p lang=zh) draw their figures with them and embed a subset in the page.
fonts:
	@test -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) || echo "warning: could not install fonts-noto-cjk; Chinese reports will fail and their tests will be skipped"; }

# Like nbdev's CI: fail if nbdev_clean or nbdev_export would change a file.
check-sync: install
	VENV=$(VENV) bash .ci/check-sync

nbtest: install data
	$(BIN)/nbdev_test --n_workers 2 --timing

# Two pytest processes side by side (2 cores): one renders the reports and builds the book from them (which executes
# every chapter) and checks both in the browser; the other runs every other test file. Each keeps its own session
# fixtures, so nothing is rendered twice. PYTEST_SPLIT=0 runs one process.
RENDER_TESTS := tests/test_reports.py tests/test_browser.py tests/test_book.py
PYTEST_SPLIT ?= 1

pytest: install data browser fonts
ifeq ($(PYTEST_SPLIT),0)
	$(BIN)/python -m pytest tests -q
else
	@log=$$(mktemp); tmp_a=$$(mktemp -d); tmp_b=$$(mktemp -d); \
	$(BIN)/python -m pytest -q -p no:cacheprovider --basetemp=$$tmp_a $(RENDER_TESTS) > $$log 2>&1 & renders=$$!; \
	echo "pytest: $(RENDER_TESTS) in the background (shown when done); the other tests:"; \
	$(BIN)/python -m pytest tests -q -p no:cacheprovider --basetemp=$$tmp_b $(addprefix --ignore=,$(RENDER_TESTS)); rest=$$?; \
	wait $$renders; rendered=$$?; echo "pytest $(RENDER_TESTS):"; cat $$log; rm -rf $$log $$tmp_a $$tmp_b; \
	test $$rest -eq 0 && test $$rendered -eq 0
endif

# The chapters' tests run once, inside the book test (tests/test_book.py executes every chapter, `#| slow`
# cells skipped, and fails on any error); `make nbtest` runs them alone with nbdev_test while you work.
test: check-sync pytest

reports: install data fonts
	$(BIN)/infogap report all --out reports/out

# The book: every report on the built-in data (re-rendered when a report or the library changes),
# then every chapter executed into a static site that opens from disk (_book/html/index.html).
# Executions are cached in _book/jupyter_cache, keyed on each chapter's code: after an edit only that
# chapter runs again. BOOK_JOBS chapters run at once.
BOOK      := _book
BOOK_JOBS ?= 2

book: install data fonts $(BOOK)/reports/index.html
	$(BIN)/python -m sphinx -j $(BOOK_JOBS) -b html -d $(BOOK)/doctrees nbs $(BOOK)/html
	@echo "The book: $(BOOK)/html/index.html"

$(BOOK)/reports/index.html: $(wildcard reports/*.ipynb) $(wildcard infogap/*.py) | install data
	$(BIN)/infogap report all --out $(BOOK)/reports --no-progress

# Jupyter refuses to run as root unless told; containers often run as root.
lab: install data
	$(BIN)/jupyter lab nbs $(if $(filter 0,$(shell id -u)),--allow-root)

# Every benchmark with its defaults (minutes each); bench/peer_*.py run inside the peers' own venvs
# (`make peers`) and are called by the benchmarks that need them.
bench: install data peers
	for f in $(filter-out bench/peer_%.py bench/_%.py bench/bertrec_candidate.py,$(wildcard bench/*.py)); do $(BIN)/python $$f || exit 1; done

# The peers that cannot live in .venv (bench/peers/<peer>.txt: every package pinned) each get their own venv in
# bench/.venvs/<peer> (git-ignored), used by bench/*.py. Rebuilt when its pin file changes; about 2 min, 0.9 GB.
.PHONY: peers
PEER_VENVS := $(patsubst bench/peers/%.txt,bench/.venvs/%/.installed,$(wildcard bench/peers/*.txt))
peers: $(PEER_VENVS)

# Not the project's lock (constraints.txt): a peer may need other versions (statsforecast needs pandas < 3).
bench/.venvs/%/.installed: bench/peers/%.txt
	rm -rf bench/.venvs/$*
	$(PYTHON) -m venv bench/.venvs/$*
	bench/.venvs/$*/bin/python -m pip --disable-pip-version-check -q install --no-deps -r $<
	bench/.venvs/$*/bin/python -m pip --disable-pip-version-check check
	touch $@

clean:
	rm -rf reports/out _proc _docs $(BOOK)
