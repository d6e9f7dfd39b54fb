# Two commands do all set-up on a fresh machine: `make test` and `make reports`.
# Both create or reuse .venv, install what they need and fetch the data into the cache.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.infogap-installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: test reports lab install data browser check-sync nbtest pytest bench clean

install: $(STAMP)

# torch first, pinned by constraints.txt to the CPU build, so nothing else pulls a CUDA build.
$(STAMP): settings.ini setup.py constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -U pip setuptools wheel
	$(PIP) install -c constraints.txt torch==2.13.0
	$(PIP) install -c constraints.txt -e ".[dev]"
	touch $@

data: install
	$(BIN)/python -c "from infogap.datasets import fetch_all; fetch_all()"

# Debian's chromium for the browser tests (root on these machines; never `playwright install`).
browser:
	@command -v chromium >/dev/null || { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "warning: could not install chromium; browser tests will be skipped"; }

# Like nbdev's CI: fail if nbdev_clean or nbdev_export would change a file.
check-sync: install
	bash .ci/check-sync

nbtest: install data
	$(BIN)/nbdev_test --n_workers 2 --timing

pytest: install data browser
	$(BIN)/python -m pytest tests -q

test: check-sync nbtest pytest

reports: install data
	$(BIN)/infogap report all --out reports/out

lab: install data
	$(BIN)/jupyter lab nbs

# Every benchmark with its defaults (minutes each); bench/peer_*.py run inside the peers' own venvs
# (`make peers`) and are called by the benchmarks that need them.
bench: install data peers
	for f in $(filter-out bench/peer_%.py bench/_%.py bench/bertrec_candidate.py,$(wildcard bench/*.py)); do $(BIN)/python $$f || exit 1; done

# The peers that cannot live in .venv (bench/peers/<peer>.txt: every package pinned) each get their own venv in
# bench/.venvs/<peer> (git-ignored), used by bench/*.py. Rebuilt when its pin file changes; about 2 min, 0.9 GB.
.PHONY: peers
PEER_VENVS := $(patsubst bench/peers/%.txt,bench/.venvs/%/.installed,$(wildcard bench/peers/*.txt))
peers: $(PEER_VENVS)

bench/.venvs/%/.installed: bench/peers/%.txt constraints.txt
	rm -rf bench/.venvs/$*
	$(PYTHON) -m venv bench/.venvs/$*
	bench/.venvs/$*/bin/python -m pip --disable-pip-version-check -q install --no-deps -c constraints.txt -r $<
	bench/.venvs/$*/bin/python -m pip --disable-pip-version-check check
	touch $@

clean:
	rm -rf reports/out _proc _docs
