"""Open every rendered report and index.html in headless Chromium (Debian's /usr/bin/chromium driven by the
`playwright` package): no console errors, every image decoded, no network request beyond file:/data:, no
script from the data executed; a full-page screenshot of each goes to reports/out/screenshots/."""
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import CHROMIUM, OUT, ROOT, discovered_reports, watch_page

SHOTS = ROOT / "reports" / "out" / "screenshots"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is missing: install it with `make browser` "
                                       "(apt-get install chromium) to run the browser tests")


def visit(browser, path: Path, shot: Path):
    "Open `path`; return (console errors, page errors, bad requests, images not loaded, page)."
    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    page = ctx.new_page()
    console, errors, bad = watch_page(page)
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    broken = page.evaluate("""() => Array.from(document.images)
        .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => (i.src || '').slice(0, 60))""")
    n_images = page.evaluate("() => document.images.length")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    return console, errors, bad, broken, n_images, page, ctx


def check_clean(console, errors, bad, broken):
    assert not console, f"console errors: {console}"
    assert not errors, f"page errors: {errors}"
    assert not bad, f"network requests that are not file:/data: {bad}"
    assert not broken, f"images that did not load: {broken}"


@pytest.mark.parametrize("name", discovered_reports())
def test_report_in_browser(browser, rendered, name):
    r = rendered[name]
    assert r.status == "ok", r.error
    console, errors, bad, broken, n_images, page, ctx = visit(browser, r.html, SHOTS / f"{name}.png")
    try:
        check_clean(console, errors, bad, broken)
        assert n_images >= 1, "a report should have at least one figure"
        for h in r.headlines:   # the headline cards are visible with the computed text
            card = page.locator(f'[data-headline-key="{h["key"]}"] .ig-headline-value')
            assert card.inner_text().strip() == h["text"]
        assert page.locator("footer.ig-footer").is_visible()
        check_links(page, r.html.parent)
        alts = page.eval_on_selector_all("img", "els => els.map(e => e.getAttribute('alt'))")
        generic = {None, "", "Figure", "Chart without a description"}
        assert not [a for a in alts if a in generic or a.startswith("Chart with ")], f"images without a real alt text: {alts}"
        links = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        assert "index.html" in links, "no link back to the index"
        published = {str(f.relative_to(r.html.parent)) for f in r.files}
        assert {unquote(l) for l in links} >= published, f"files published beside the page but not linked: {published}"
        check_layout(page, name)
    finally:
        ctx.close()


A4_PRINT_WIDTH = 703   # CSS px of an A4 page (210 mm) less the print stylesheet's 12 mm margins, at 96 px per inch

def check_layout(page, name):
    """At 1280 px nothing scrolls sideways, not even a table; at 390 px (a phone) the page does not overflow; printed on
    A4 (the print stylesheet) no table or figure is wider than the paper."""
    overflow = """() => ({page: document.documentElement.scrollWidth, view: window.innerWidth,
        tables: Array.from(document.querySelectorAll('.ig-table-wrap')).filter(e => e.scrollWidth > e.clientWidth + 1)
                     .map(e => ((e.querySelector('.ig-caption') || {}).textContent || 'a table') + ': ' + e.scrollWidth + ' px'),
        wide: Array.from(document.querySelectorAll('table, img')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                   .map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right) + ' px')})"""
    for width, media in ((1280, "screen"), (390, "screen"), (A4_PRINT_WIDTH, "print")):
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(media=media)
        got = page.evaluate(overflow)
        assert got["page"] <= got["view"], f"{name} at {width} px ({media}): the page is {got['page']} px wide"
        assert not got["wide"], f"{name} at {width} px ({media}): wider than the page: {got['wide']}"
        if width != 390:   # on a phone a table becomes cards; elsewhere it must fit without a scroll bar
            assert not got["tables"], f"{name} at {width} px ({media}): tables scroll sideways: {got['tables']}"
    page.emulate_media(media="screen")


def check_links(page, folder: Path):
    "Every link on the page resolves: `#id` to an element of the page, anything else to a file in `folder`."
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if href.startswith("#"):
            assert page.locator(f"[id='{href[1:]}']").count() == 1, f"link {href} points to no section"
        else:
            assert (folder / unquote(href)).is_file(), f"link {href} points to no file in {folder}"


def test_tables_align_text_left_and_numbers_right(browser, rendered):
    "In a report table, titles and labels read left-aligned and numbers right-aligned (bertrec's top-10 lists)."
    if "bertrec" not in rendered: pytest.skip("reports/bertrec.ipynb is missing")
    r = rendered["bertrec"]
    assert r.status == "ok", r.error
    console, errors, bad, broken, n_images, page, ctx = visit(browser, r.html, SHOTS / "bertrec-tables.png")
    try:
        align = page.evaluate("""() => {
            const t = Array.from(document.querySelectorAll('table.ig-table'))
                .find(t => Array.from(t.querySelectorAll('thead th')).some(h => h.textContent.trim() === 'Title'));
            const heads = Array.from(t.querySelector('thead tr').children).map(h => h.textContent.trim());
            const row = t.querySelector('tbody tr').children;
            const at = name => getComputedStyle(row[heads.indexOf(name)]).textAlign;
            return {title: at('Title'), score: at('Score')};
        }""")
        assert align == {"title": "left", "score": "right"}, align
    finally:
        ctx.close()


def test_index_in_browser(browser, rendered):
    console, errors, bad, broken, n_images, page, ctx = visit(browser, OUT / "index.html", SHOTS / "index.png")
    try:
        check_clean(console, errors, bad, broken)
        links = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        assert set(f"{n}.html" for n in rendered) <= set(links)
        for l in links: assert (OUT / l).exists(), l   # every link resolves to a file next to the index
        from infogap.report.render import REPORT_ORDER   # in the order an analyst works
        shown = [l[:-len(".html")] for l in links if l[:-len(".html")] in REPORT_ORDER]
        assert shown == [n for n in REPORT_ORDER if n in rendered], shown
    finally:
        ctx.close()


def test_hostile_data_is_inert(browser, hostile_render):
    from infogap.report.testing import HOSTILE_STRINGS
    console, errors, bad, broken, n_images, page, ctx = visit(browser, hostile_render.html, SHOTS / "dataprep-hostile.png")
    try:
        check_clean(console, errors, bad, broken)
        assert page.evaluate("() => window.__infogap_pwned") is None, "a script from the data ran"
        text = page.inner_text("body")
        for s in HOSTILE_STRINGS[:2]:
            assert s in text, f"payload not shown as text: {s}"   # visible, literally, as text
        assert page.locator("svg[onload], img[onerror], script").count() == 0
        assert page.evaluate("() => document.querySelectorAll('b').length") == 0   # '"><b>' did not open a tag
    finally:
        ctx.close()


ENGLISH_PHRASE = __import__("re").compile(r"\b[A-Za-z]{3,}(?:[ -][a-z]{2,}){1,}\b")
CJK = __import__("re").compile("[\u3000-\u9fff\uff00-\uffef]")
MONTH_NAME = __import__("re").compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b")
ENGLISH_WORD = __import__("re").compile(r"[A-Za-z]{3,}")
REPORTS_WITH_DATE_AXES = {"dataprep", "forecast"}   # their figures have time on the x axis
ENGLISH_SENTENCE = __import__("re").compile(r"(?:\b[A-Za-z][A-Za-z'’-]*[ ,:()]+){7,}[A-Za-z]+")   # 8+ English words in a row


def check_figure_text(r, page, name):
    """What the figures drew (titles, axis labels, legends, tick labels, annotations; kept by the kernel before each figure
    was saved) reads Chinese: no text without a Chinese character holds an English word that is not a data value shown in
    the page's tables (metric, arm and film names), and no date tick is written with English month names."""
    texts = r.figure_text
    assert texts, f"{name}: the kernel kept no figure text"
    data_words = {w.lower() for w in ENGLISH_WORD.findall(" ".join(page.eval_on_selector_all(
        "table.ig-table tbody td", "els => els.map(e => e.innerText)")))}
    english = sorted({f"{t['kind']}: {t['text'][:60]}" for t in texts if not CJK.search(t["text"])
                      and {w.lower() for w in ENGLISH_WORD.findall(t["text"])} - data_words - {"alive", "ndcg", "mrr", "auc", "clv", "arima"}})
    assert not english, f"{name}: English text in the figures of the Chinese page: {english[:8]}"
    months = sorted({t["text"] for t in texts if t["kind"] == "tick" and MONTH_NAME.search(t["text"])})
    assert not months, f"{name}: date ticks with English month names: {months[:5]}"
    if name in REPORTS_WITH_DATE_AXES:   # dates written the Chinese way, e.g. 1958年 or 1958年3月
        assert any("年" in t["text"] for t in texts if t["kind"] == "tick"), f"{name}: no date tick in Chinese: {texts[:10]}"


@pytest.mark.parametrize("name", discovered_reports())
def test_report_in_chinese(browser, rendered_zh, name):
    """Every report rendered with lang=zh: the kernel's and the page's messages all come from the catalog (nothing was
    shown in English for want of a translation), the page says `lang="zh-Hans"`, headings, captions, headline labels,
    table headers and sentences read Chinese, and Chinese is drawn with the font embedded in the page, not a fallback box."""
    r = rendered_zh[name]
    assert r.status == "ok", r.error
    assert r.untranslated == [], f"{name}: shown in English for want of a translation: {r.untranslated[:10]}"
    console, errors, bad, broken, n_images, page, ctx = visit(browser, r.html, SHOTS / f"{name}-zh.png")
    try:
        check_clean(console, errors, bad, broken)
        assert page.evaluate("() => document.documentElement.lang") == "zh-Hans"
        texts = page.evaluate("""() => Array.from(document.querySelectorAll(
            'h1, h2, h3, .ig-caption, .ig-headline-label, .ig-headline-note, table.ig-table thead th, nav, p.ig-say, footer th, img'))
            .map(e => [e.tagName, e.tagName === 'IMG' ? e.alt : e.innerText])""")
        cjk = __import__("re").compile("[\u3000-\u9fff\uff00-\uffef]")
        english = []
        for tag, text in texts:
            # a UI text in Chinese holds Chinese; English may remain only in data values and names (film titles, column
            # names, model names), which never make a whole text without a Chinese character around them
            if text.strip() and not cjk.search(text) and ENGLISH_PHRASE.search(text):
                english.append(f"{tag}: {text[:80]}")
        assert not english, f"{name}: English UI text on the Chinese page: {english[:8]}"
        # no English sentence inside a Chinese one, a list or a table (a library's text passed in as a value); data such as
        # film titles are short and listed with ";", so eight English words in a row are a sentence
        cells = page.eval_on_selector_all("p, li, td, .ig-headline-note", "els => els.map(e => e.innerText)")
        sentences = [m.group(0)[:80] for t in cells for m in ENGLISH_SENTENCE.finditer(t)]
        assert not sentences, f"{name}: English sentences on the Chinese page: {sentences[:5]}"
        # money reads as Chinese writes it: "19,127 美元", the currency once in a table's header, never Babel's "US$"
        body = page.inner_text("body")
        assert "US$" not in body, f"{name}: money written as US$ on the Chinese page"
        dollars = [h["text"] for h in r.headlines if "$" in h["text"]]
        assert not dollars, f"{name}: headline money in English form: {dollars}"
        assert "$" not in "".join(t for tag, t in texts if tag == "P"), f"{name}: a sentence writes money with $"
        check_figure_text(r, page, name)
        check_cjk_font(page, name)
    finally:
        ctx.close()


def check_cjk_font(page, name):
    """The h1's Chinese glyphs come from the font embedded in the page (Chromium's CSS.getPlatformFontsForNode names the
    fonts it drew a node with): a reader without a CJK font sees the same, never the fallback box."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable"); cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    embedded = [f for f in fonts if f.get("isCustomFont")]
    assert embedded and sum(f["glyphCount"] for f in embedded) >= 2, f"{name}: h1 not drawn with the embedded CJK font: {fonts}"


def test_index_in_chinese(browser, rendered_zh):
    """The index of reports rendered in Chinese is Chinese too (it speaks the language its reports were rendered in):
    `lang`, title, introduction, column heads, each report's title, description and data set, status and footer."""
    console, errors, bad, broken, n_images, page, ctx = visit(browser, OUT / "zh" / "index.html", SHOTS / "index-zh.png")
    try:
        check_clean(console, errors, bad, broken)
        assert page.evaluate("() => document.documentElement.lang") == "zh-Hans"
        texts = page.evaluate("""() => Array.from(document.querySelectorAll(
            'h1, blockquote, thead th, td.ig-name a, .ig-desc, .ig-data, td.ig-status, td.ig-time, .ig-headline-label, footer'))
            .map(e => e.innerText)""")
        english = [t[:80] for t in texts if t.strip() and not CJK.search(t)]
        assert not english, f"English on the Chinese index: {english[:8]}"
        assert len(page.locator("td.ig-name a").all()) == len(rendered_zh)
        check_cjk_font(page, "index")
    finally:
        ctx.close()
