"""The `infogap` command line: listing, usage errors (exit 2), data errors, failures that keep the old page."""
import subprocess
from pathlib import Path

import pytest

from conftest import REPORTS, infogap_cmd


def run(*args, cwd=None, timeout=300):
    p = subprocess.run(infogap_cmd() + [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    "A reports folder holding the lesson's tiny demo report (fast to render)."
    from infogap.report.testing import demo_report_notebook, hostile_csv
    d = tmp_path_factory.mktemp("cli")
    demo_report_notebook(d / "reports" / "demo.ipynb")
    hostile_csv(d / "orders.csv")
    return d


def test_listing_shows_parameters_types_defaults():
    code, out, err = run("reports", "--reports-dir", REPORTS)
    assert code == 0, err
    assert "dataprep: Customer data health check" in out
    block = out[out.index("dataprep: Customer data health check"):].split("\n\n")[0]
    line = next(l for l in block.splitlines() if l.strip().startswith("top_n"))
    assert "int" in line and "10" in line and "top-customers table" in line
    code, out, _ = run("reports", "--reports-dir", REPORTS, "--json")
    import json
    spec = json.loads(out)["dataprep"]["parameters"]
    assert spec["data"] == {"type": "str", "default": "cdnow_sample", "help": spec["data"]["help"]}


def test_unknown_parameter_exits_2_with_valid_names():
    code, out, err = run("report", "dataprep", "-p", "topn=3", "--reports-dir", REPORTS)
    assert code == 2
    assert "no parameter 'topn'" in err and "top_n (int)" in err and "calibration_end (str)" in err


def test_wrong_type_names_parameter_and_type():
    code, out, err = run("report", "dataprep", "-p", "top_n=ten", "--reports-dir", REPORTS)
    assert code == 2 and "parameter 'top_n' expects int, got 'ten'" in err


def test_unknown_report_and_bad_map_key_exit_2():
    code, _, err = run("report", "nosuch", "--reports-dir", REPORTS)
    assert code == 2 and "available:" in err and "dataprep" in err
    code, _, err = run("report", "dataprep", "--map", "cust=customer_id", "--reports-dir", REPORTS)
    assert code == 2 and "not a canonical column name" in err


def test_bad_column_mapping_gives_data_error(demo_dir, tmp_path):
    # a mapped column the CSV lacks: caught from the header, before any kernel
    code, out, err = run("report", "dataprep", "--data", demo_dir / "orders.csv", "--map", "customer_id=client",
                         "--reports-dir", REPORTS, "--out", tmp_path)
    assert code == 1
    assert "DataError: column 'client' (mapped to 'customer_id') is not in the data" in err
    assert "Traceback" not in err and not (tmp_path / "dataprep.html").exists()
    # a required column missing (no map): the report declares what it requires, so this too is found before a kernel
    code, out, err = run("report", "dataprep", "--data", demo_dir / "orders.csv", "--reports-dir", REPORTS,
                         "--out", tmp_path)
    assert code == 1
    assert "DataError: missing required column(s) ['customer_id', 'date', 'amount']" in err
    assert "Traceback" not in err and "--map" in err
    assert not (tmp_path / "dataprep.failed.ipynb").exists()      # no kernel was started


def test_failing_report_keeps_old_html(demo_dir, tmp_path):
    from infogap.report.testing import demo_report_notebook
    rdir = tmp_path / "reports"
    demo_report_notebook(rdir / "demo.ipynb")
    args = ["--data", demo_dir / "orders.csv", "--map", "customer_id=cust,amount=total", "--reports-dir", rdir,
            "--out", tmp_path / "out"]
    code, out, err = run("report", "demo", *args)
    assert code == 0, err
    good = (tmp_path / "out" / "demo.html").read_bytes()
    demo_report_notebook(rdir / "demo.ipynb", fail=True)          # the same report, now broken
    code, out, err = run("report", "demo", *args)
    assert code == 1
    assert "report 'demo' failed" in err and "RuntimeError: deliberate failure for the tests" in err
    assert (tmp_path / "out" / "demo.html").read_bytes() == good  # the good page survives
    assert (tmp_path / "out" / "demo.failed.ipynb").exists()
    assert not list((tmp_path / "out").glob(".*.tmp"))            # no temporary file left behind


def test_report_all_table_index_and_exit_code(demo_dir, tmp_path):
    from infogap.report.testing import demo_report_notebook
    rdir = tmp_path / "reports"
    demo_report_notebook(rdir / "good.ipynb")
    demo_report_notebook(rdir / "broken.ipynb", fail=True)
    code, out, err = run("report", "all", "--data", demo_dir / "orders.csv", "--map", "customer_id=cust,amount=total",
                         "-p", "scale=3", "--reports-dir", rdir, "--out", tmp_path / "out")
    assert code == 1                                               # one failed
    assert "reports: 100%" in err                                  # the tqdm progress bar
    table = out[out.index("report  status"):]
    assert "good" in table and "ok" in table and "broken" in table and "failed" in table
    page = (tmp_path / "out" / "index.html").read_text()
    assert 'href="good.html"' in page and "deliberate failure" in page


def test_parameters_are_values_not_code(demo_dir, tmp_path):
    "A hostile -p value reaches the kernel as a string (papermill escapes it); nothing it says is executed."
    marker = tmp_path / "pwned"
    evil = f'x"; open("{marker}", "w").write("1"); y = "' + '\\" #'
    code, out, err = run("report", "demo", "-p", f"label={evil}", "--data", demo_dir / "orders.csv",
                         "--map", "customer_id=cust,amount=total", "--reports-dir", demo_dir / "reports",
                         "--out", tmp_path / "out")
    assert code == 0, err
    assert not marker.exists()
    import html
    page = (tmp_path / "out" / "demo.html").read_text()
    assert f'<span class="ig-value">{html.escape(evil, quote=False)}</span>' in page   # shown as text


def test_forecast_kpss_lags_parameter(tmp_path):
    "The forecast report's unit-root window: pmdarima's gives its airline model; an unknown one names the parameter."
    code, out, err = run("report", "forecast", "-p", "kpss_lags=kpss92", "-p", "horizon=6", "-p", "n_origins=1",
                         "--reports-dir", REPORTS, "--out", tmp_path)
    assert code == 0, err
    assert "ARIMA(2,0,0)(0,1,1)[12] with drift" in (tmp_path / "forecast.html").read_text(encoding="utf-8")
    code, out, err = run("report", "forecast", "-p", "kpss_lags=long", "--reports-dir", REPORTS, "--out", tmp_path / "bad")
    assert code == 2                                             # a declared choice: refused before any kernel
    assert "parameter 'kpss_lags' must be str: r or kpss92; got 'long'" in err and "Traceback" not in err


def test_template_round_trip(tmp_path):
    "`infogap template NAME` writes the columns the report requires; the run's check reads it back with no --map."
    import contextlib, io
    from infogap.cli import main
    from infogap.report.catalog import find_reports, plan_run
    def run(*argv):   # in-process: nine template calls need no nine interpreter start-ups
        o, e = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e): code = main([str(a) for a in argv])
        return code, o.getvalue(), e.getvalue()
    reports = find_reports(REPORTS)
    for name, info in reports.items():
        out = tmp_path / f"{name}.csv"
        code, stdout, err = run("template", name, "-o", out, "--reports-dir", REPORTS)
        assert code == 0, err
        assert f"infogap report {name} --data {out}" in stdout
        plan = plan_run(name, reports, data=str(out), out_dir=tmp_path / "out")      # loader + required columns: no error
        assert plan.parameters[name]["data"] == str(out.resolve())
    code, _, err = run("template", "dataprep", "-o", tmp_path / "dataprep.csv", "--reports-dir", REPORTS)
    assert code == 2 and "exists" in err
