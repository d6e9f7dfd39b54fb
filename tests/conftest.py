"""Shared fixtures for the report tests: every report is rendered ONCE per session with its test parameters.

Renders go to reports/out/tests/ (never over the real reports/out/<name>.html of `make reports`)."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
OUT = ROOT / "reports" / "out" / "tests"


def discovered_reports():
    "Report names in reports/ (collection-time discovery; chapter reports need no test edits)."
    return sorted(p.stem for p in REPORTS.glob("*.ipynb") if not p.name.startswith((".", "_")))


@pytest.fixture(scope="session")
def reports():
    from infogap.report.catalog import find_reports
    return find_reports(REPORTS)


@pytest.fixture(scope="session")
def rendered(reports):
    "name -> RenderResult for every report rendered with its test parameters; index.html written after."
    from infogap.report.render import render_report, write_index
    OUT.mkdir(parents=True, exist_ok=True)
    results = {n: render_report(info, info.test_parameters, out_dir=OUT) for n, info in reports.items()}
    write_index(OUT)
    return results


@pytest.fixture(scope="session")
def rendered_zh(reports):
    "name -> RenderResult for every report rendered in Chinese (`lang=zh`) with its test parameters, into reports/out/tests/zh/."
    from infogap.report.page import cjk_font_file
    from infogap.report.render import render_report, write_index
    if cjk_font_file() is None: pytest.skip("no CJK font: install Debian's fonts-noto-cjk (`make fonts`) to render Chinese reports")
    out = OUT / "zh"
    out.mkdir(parents=True, exist_ok=True)
    results = {n: render_report(info, {**info.test_parameters, "lang": "zh"}, out_dir=out) for n, info in reports.items()}
    write_index(out)
    return results


@pytest.fixture(scope="session")
def hostile_render(reports, tmp_path_factory):
    "The dataprep report rendered on a CSV whose customer ids are HTML/JS payloads."
    from infogap.report.render import render_report
    from infogap.report.testing import hostile_csv
    if "dataprep" not in reports: pytest.skip("reports/dataprep.ipynb is missing")
    csv = hostile_csv(tmp_path_factory.mktemp("hostile") / "hostile_orders.csv")
    out = OUT / "hostile"
    r = render_report(reports["dataprep"], {"data": str(csv), "columns": {"customer_id": "cust", "date": "when",
                                                                           "quantity": "qty", "amount": "total"}},
                      out_dir=out)
    assert r.status == "ok", r.error
    return r


def infogap_cmd():
    "The `infogap` console script of this environment (or an equivalent `python -c`)."
    exe = Path(sys.executable).parent / "infogap"
    if exe.exists(): return [str(exe)]
    return [sys.executable, "-c", "import sys; from infogap.cli import main; sys.exit(main())"]


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (2 cores) for every test that needs one: starting a JVM takes ~10 s, so it is started
    once. Skipped, with the reason, where pyspark or Java is missing."""
    import shutil
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[dev]')")
    if shutil.which("java") is None: pytest.skip("Java is not on PATH: PySpark needs a JVM (Java 17+)")
    from pyspark.sql import SparkSession
    import os
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)   # MLlib's Python workers: this environment, not PATH's python3
    s = (SparkSession.builder.master("local[2]").appName("infogap-tests")
         .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
         .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


# ---- headless Chromium (Debian's /usr/bin/chromium driven by the playwright package), for the report and book tests ----
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: install it with `make browser` (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def watch_page(page, local=("file:", "data:")):
    """Record what a page does wrong while it loads: console errors, page errors, and requests that leave the disk
    (any scheme but `local`) or fail. Returns the three lists, filled as events arrive."""
    console, errors, bad = [], [], []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: bad.append(r.url) if not r.url.startswith(local) else None)
    page.on("requestfailed", lambda r: bad.append(f"FAILED {r.url}"))
    return console, errors, bad

