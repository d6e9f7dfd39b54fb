"""The book (`make book`), built once per session and read in headless Chromium (Debian's /usr/bin/chromium
driven by the `playwright` package).

The build executes every chapter (skipping `#| slow` cells, like nbdev_test) and fails on an error in any cell:
it is the chapters' test in `make test`. It caches executions in _book/test/jupyter_cache-<fingerprint>, keyed on
each chapter's code and on the library and lock (so a change to any exported module runs every chapter again),
uses the reports the other tests render with their test parameters (reports/out/tests), and writes to
_book/test/html, so it never replaces the book `make book` wrote.
Checked: the build has no warning (a broken cross-reference is one); every chapter page shows a figure,
has no error output or traceback, shows no nbdev directive, keeps exercise solutions folded and makes no
network request; search finds "BG/NBD" in the CLV chapter; no internal link, image, script or stylesheet
is broken; the Reports part links every report with the command that made it.

    python tests/test_book.py --screenshots    # refresh the README's two screenshots from _book/html
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import ARGS, CHROMIUM, OUT, ROOT, discovered_reports, watch_page  # noqa: E402

BOOK = ROOT / "_book" / "test"
CHAPTERS = sorted(p.stem for p in (ROOT / "nbs").glob("[0-9][0-9]_*.ipynb"))
# chapter 09 is split into sections 09a-09d (one module each): pages of their own, without exercises of their own
SECTIONS = sorted(p.stem for p in (ROOT / "nbs").glob("[0-9][0-9][a-z]_*.ipynb"))
IGNORED_LOG = ("Kernel is running over TCP without encryption",)


def library_fingerprint() -> str:
    "A hash of everything a chapter's outputs depend on besides its own code: the package and the locked environment."
    h = hashlib.sha256()
    for p in sorted((ROOT / "infogap").rglob("*.py")) + [ROOT / "constraints.txt", ROOT / "settings.ini"]:
        if p.exists(): h.update(p.relative_to(ROOT).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


def execution_cache(out: Path) -> Path:
    """The jupyter-cache this build executes into: `out`/jupyter_cache-<library fingerprint>.

    This build is the chapters' test (`make test` runs no separate nbdev_test), so a chapter may be taken from the
    cache only if neither its code (jupyter-cache's own key) nor the library it imports changed; caches made for
    another version of the library are removed."""
    cache = out / f"jupyter_cache-{library_fingerprint()}"
    for old in out.glob("jupyter_cache-*"):
        if old != cache: shutil.rmtree(old, ignore_errors=True)
    return cache


def build_book(out: Path, reports_dir: Path, jobs: int = 2) -> SimpleNamespace:
    """Run sphinx-build on nbs/ into `out`/html with the reports rendered in `reports_dir`. Every chapter is executed
    (its `#| slow` and `#| eval: false` cells skipped, as nbdev_test does) and a failing cell fails the build."""
    env = {**os.environ, "INFOGAP_BOOK_REPORTS": str(reports_dir), "INFOGAP_BOOK_CACHE": str(execution_cache(out)),
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    cmd = [sys.executable, "-m", "sphinx", "-j", str(jobs), "-b", "html", "-d", str(out / "doctrees"),
           str(ROOT / "nbs"), str(out / "html")]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    log = r.stdout + r.stderr
    (out).mkdir(parents=True, exist_ok=True)
    (out / "build.log").write_text(log)
    warnings = [l for l in log.splitlines() if re.search(r"\b(WARNING|ERROR)\b", l) and not any(s in l for s in IGNORED_LOG)]
    return SimpleNamespace(returncode=r.returncode, log=log, warnings=warnings, html=out / "html",
                           seconds=time.perf_counter() - t0)


@pytest.fixture(scope="session")
def book(rendered):
    pytest.importorskip("myst_nb", reason="the book needs the dev extra (sphinx, myst-nb, sphinx-book-theme)")
    b = build_book(BOOK, OUT)
    assert b.returncode == 0, f"sphinx-build failed (log in {BOOK / 'build.log'}):\n{b.log[-6000:]}"
    print(f"\nbook built in {b.seconds:.0f} s")
    return b


def open_page(browser, path: Path, query: str = ""):
    "Open a page of the book; returns (page, context, console errors, page errors, requests off the disk)."
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    console, errors, bad = watch_page(page, local=("file:", "data:", "blob:"))   # the theme's search makes blob: URLs
    page.goto(path.resolve().as_uri() + query, wait_until="load")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.wait_for_timeout(500)      # anything a script would fetch after "load" (all local) starts by then
    return page, ctx, console, errors, bad


def test_book_builds_without_warnings(book):
    assert not book.warnings, "sphinx-build warnings:\n" + "\n".join(book.warnings[:30])


@pytest.mark.parametrize("chapter", CHAPTERS + SECTIONS)
def test_chapter_page(browser, book, chapter):
    page, ctx, console, errors, bad = open_page(browser, book.html / f"{chapter}.html")
    try:
        assert not bad, f"network requests that are not file:/data: {bad}"
        assert not errors, f"page errors: {errors}"
        assert not console, f"console errors: {console}"
        found = page.evaluate("""() => ({
            broken: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80)),
            errors: document.querySelectorAll('.cell_output .output.traceback, .cell_output .output.error').length,
            text: document.querySelector('main').innerText,
            directives: Array.from(document.querySelectorAll('.cell_input pre'))
                             .filter(p => /^\\s*#\\s*\\|/.test(p.innerText)).length,   // directives lead a cell; a string in the code may hold one
            // the article's own <details> (exercise solutions), not the sidebar's, which opens the current chapter's sections
            openDetails: Array.from(document.querySelectorAll('article.bd-article details')).filter(d => d.open).length,
            details: document.querySelectorAll('article.bd-article details').length,
            copyButtons: document.querySelectorAll('.cell_input button.copybtn').length,
            title: document.title})""")
        assert not found["broken"], f"{chapter}: images that did not load: {found['broken']}"
        assert found["errors"] == 0 and "Traceback (most recent call last)" not in found["text"], f"{chapter}: error output"
        assert found["directives"] == 0, f"{chapter}: nbdev directives shown in code cells"
        assert found["openDetails"] == 0, f"{chapter}: exercise solutions should be folded"
        if chapter in CHAPTERS: assert found["details"] >= 1, f"{chapter}: no exercises with solutions"
        assert found["copyButtons"] >= 1, f"{chapter}: code cells have no copy button"
        # prev/next links and the sidebar table of contents
        assert page.locator("nav.bd-docs-nav a.reference").count() >= len(CHAPTERS)
        assert page.locator(".prev-next-area a").count() >= 1
    finally:
        ctx.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_shows_a_figure(browser, book, chapter):
    page, ctx, *_ = open_page(browser, book.html / f"{chapter}.html")
    try:
        n = page.evaluate("""() => Array.from(document.querySelectorAll('.cell_output img'))
                                      .filter(i => i.complete && i.naturalWidth > 0).length""")
        assert n >= 1, f"{chapter}: no figure on the page"
    finally:
        ctx.close()


def test_math_is_mathml_and_slow_cells_are_marked(browser, book):
    page, ctx, console, errors, bad = open_page(browser, book.html / "06_clv.html")
    try:
        assert not bad and not errors
        assert page.locator("math").count() > 20                 # the BG/NBD likelihood and friends
        assert "\\frac" not in page.locator("main").inner_text()  # no TeX left unrendered
    finally:
        ctx.close()
    page, ctx, *_ = open_page(browser, book.html / "08_bertrec.html")
    try:   # the full-size training is `#| slow`: shown with a note, not run
        assert page.locator("text=Not run in the book").count() >= 1
    finally:
        ctx.close()


def test_search_finds_bgnbd_in_the_clv_chapter(browser, book):
    page, ctx, console, errors, bad = open_page(browser, book.html / "search.html", "?q=BG%2FNBD")
    try:
        page.wait_for_selector("#search-results li a", timeout=30_000)
        hrefs = page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.getAttribute('href'))")
        assert any(h.split("#")[0].split("?")[0].endswith("06_clv.html") for h in hrefs), hrefs
        assert not bad, f"network requests that are not file:/data: {bad}"
    finally:
        ctx.close()


class _Links(HTMLParser):
    "Every id and every link/resource reference of one page."
    def __init__(self):
        super().__init__()
        self.ids, self.refs = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"): self.ids.add(a["id"])
        if tag == "a" and a.get("name"): self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key) is not None and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.refs.append((tag, a.get("rel") or "", a[key]))


def test_no_broken_internal_link(book):
    # the book's pages and the reports (the theme's _static/*.html are Jinja macro files, not pages)
    pages = {p.resolve(): None for p in book.html.rglob("*.html") if "_static" not in p.relative_to(book.html).parts}
    parsed = {}
    def parse(p):
        if p not in parsed:
            h = _Links(); h.feed(p.read_text(encoding="utf-8", errors="replace")); parsed[p] = h
        return parsed[p]
    broken, external_resources = [], []
    for p in pages:
        for tag, rel, ref in parse(p).refs:
            u = urlsplit(ref)
            if u.scheme in ("http", "https"):
                if tag != "a": external_resources.append(f"{p.name}: <{tag}> {ref}")
                continue
            if u.scheme or ref.startswith("//"): continue      # mailto:, data:, javascript:
            target = (p.parent / unquote(u.path)).resolve() if u.path else p
            if target.is_dir(): target = target / "index.html"
            if not target.exists():
                broken.append(f"{p.relative_to(book.html.resolve())}: {ref}"); continue
            if u.fragment and target.suffix == ".html" and unquote(u.fragment) not in parse(target).ids:
                broken.append(f"{p.relative_to(book.html.resolve())}: {ref} (no such anchor)")
    assert not external_resources, "resources loaded from the network:\n" + "\n".join(external_resources[:20])
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(sorted(set(broken))[:40])


def test_reports_part_links_every_report_with_its_command(browser, book):
    page, ctx, console, errors, bad = open_page(browser, book.html / "reports.html")
    try:
        assert not bad and not errors and not console
        text = page.locator("main").inner_text()
        for name in discovered_reports():
            link = page.locator(f'a[href="reports/{name}.html"]')
            assert link.count() == 1, f"no link to the {name} report"
            assert (book.html / "reports" / f"{name}.html").exists()
            assert f"infogap report {name}" in text, f"the command that made the {name} report is not shown"
    finally:
        ctx.close()


def test_home_and_glossary(browser, book):
    for name in ("index", "glossary"):
        page, ctx, console, errors, bad = open_page(browser, book.html / f"{name}.html")
        try:
            assert not bad and not errors and not console, (name, bad, errors, console)
            hrefs = page.eval_on_selector_all("main a.reference.internal", "as => as.map(a => a.getAttribute('href'))")
            linked = {h.split("#")[0] for h in hrefs}
            if name == "index":
                assert all(f"{c}.html" in linked for c in CHAPTERS), sorted(linked)
            else:   # ~40 terms, each linked to the chapter that defines it, in English and Chinese
                rows = page.locator("main table tbody tr")
                assert rows.count() >= 40
                assert page.locator("main table tbody tr td a.reference.internal").count() >= rows.count()
                assert re.search(r"[\u4e00-\u9fff]", page.locator("main table").inner_text())
        finally:
            ctx.close()


def save_readme_screenshots(html: Path = ROOT / "_book" / "html", out: Path = ROOT / "nbs" / "images"):
    "The README's two screenshots (a chapter page and a report, reached from the book), as small PNGs."
    from playwright.sync_api import sync_playwright
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        ctx = b.new_context(viewport={"width": 1200, "height": 760})
        page = ctx.new_page()
        for url, name in [((html / "06_clv.html").resolve().as_uri() + "#palive-and-expected-purchases-on-cdnow", "book-chapter"),
                          ((html / "reports" / "clv.html").resolve().as_uri(), "book-report")]:
            page.goto(url, wait_until="load")
            page.wait_for_timeout(500)
            png = out / f"{name}.png"
            page.screenshot(path=str(png))
            from PIL import Image   # 256 colours: a third of the size, no visible loss on a text page
            Image.open(png).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(png, optimize=True)
        b.close()


if __name__ == "__main__":
    if "--screenshots" in sys.argv: save_readme_screenshots()
