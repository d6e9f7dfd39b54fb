"""Messy and hostile input (issue 24): each defect found by the attack run, replayed with a variant.

The rule under test: a clear error that names the column, row or parameter, or a correct page — never a wrong
page, a traceback, or a lost or mismatched file. Most cases are refused before a kernel starts: those run the
command in-process with the renderer replaced by a tripwire, so the test also proves no kernel was started.
The few that need the report's own code run tiny files with test-sized parameters."""
import contextlib
import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import REPORTS

import infogap.cli as cli
from infogap.cli import main
from infogap.dataprep import DataError, load_table, parse_dates, summary_data, validate_transactions


def run(*argv, cwd=None):
    "Run the `infogap` command in this process; returns (exit code, stdout, stderr)."
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    try:
        if cwd: os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in argv])
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def no_kernel(monkeypatch):
    "Fail the test if the command tries to render (start a kernel)."
    def tripwire(*a, **k): raise AssertionError("a kernel was started")
    monkeypatch.setattr(cli, "render_report", tripwire)
    monkeypatch.setattr(cli, "render_all", tripwire)


def orders_csv(path, rows, header="cust,when,total"):
    path = Path(path)
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def small_log(n_customers=30, seed=1):
    "A small transaction log: `n_customers` customers, 1-5 purchases each in 2023."
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        for _ in range(rng.integers(1, 6)):
            rows.append((f"C{c:03d}", pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 360))),
                         round(float(rng.gamma(2, 15)), 2)))
    return pd.DataFrame(rows, columns=["cust", "when", "total"])


MAP = ["--map", "customer_id=cust,date=when,amount=total"]
R = ["--reports-dir", REPORTS]


# ---- high ----------------------------------------------------------------------------------------------------

def test_01_email_ids_are_text_not_imports_and_the_index_survives(tmp_path):
    "A customer id like an e-mail (`sales@import-export.cn`) renders; a bad status file never breaks index.html."
    from infogap.report.render import assert_offline, write_index
    assert_offline('<td>sales@import-export.cn</td><td>see url(https://x.example/y)</td>')
    with pytest.raises(ValueError, match="network request"):
        assert_offline('<div style="background: url(https://x.example/y.png)"></div>')
    log = small_log(12)
    log.loc[log.index[:4], "cust"] = "sales@import-export.cn"
    log.loc[log.index[4:6], "total"] = np.nan                 # item 10 in the same run: missing amounts
    csv = tmp_path / "orders.csv"; log.to_csv(csv, index=False)
    out = tmp_path / "out"
    (out).mkdir()
    (out / "older.failed.json").write_text(json.dumps({"title": "Older", "error": "@import url(http://evil)", "finished_at": "0"}))
    (out / "broken.json").write_text("{not json")
    code, stdout, err = run("report", "dataprep", "--data", csv, *MAP, "-p", "top_n=3", "--out", out, *R)
    assert code == 0, err
    page = (out / "dataprep.html").read_text(encoding="utf-8")
    assert "sales@import-export.cn" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="dataprep.html"' in index and "broken.json is unreadable" in index
    # item 10: the sentence is made from the same numbers as the table
    import html
    text = html.unescape(page)
    assert "2 missing value(s) in 'amount'" in text and "no duplicates, zero amounts or missing values" not in text
    write_index(out)                                          # and again, with the failed run's text inside


def test_02_ambiguous_dates_refused_before_a_kernel(tmp_path, no_kernel):
    "All days ≤ 12: the dates read two ways, so the run stops with the column, example rows and both formats."
    csv = orders_csv(tmp_path / "o.csv", ["A,03/04/2024,5", "B,05/06/2024,7", "A,11/12/2024,9", "C,01/02/2024,1"])
    code, out, err = run("report", "dataprep", "--data", csv, *MAP, "--out", tmp_path / "out", *R)
    assert code == 1
    assert "column 'date'" in err and "'%d/%m/%Y'" in err and "'%m/%d/%Y'" in err and "row 0: '03/04/2024'" in err
    assert "--date-format" in err and "Traceback" not in err
    for how in (["--dayfirst"], ["--date-format", "%d/%m/%Y"]):
        plan = cli.plan_run("dataprep", cli.find_reports(REPORTS), data=str(csv), columns=dict(customer_id="cust", date="when", amount="total"),
                            read=cli._read_options(cli.build_parser().parse_args(["report", "x", *how])), out_dir=tmp_path / "o2")
        assert plan.parameters["dataprep"]["read"] in ({"dayfirst": True}, {"date_format": "%d/%m/%Y"})


def test_02_day_first_cdnow_reads_exactly():
    "The CDNOW sample written dd/mm/yyyy: one format for the column, so the log ends 1998-06-30 and 40.1% bought again."
    from infogap.datasets import load_cdnow
    cd = load_cdnow("sample")
    text = cd.assign(date=cd.date.dt.strftime("%d/%m/%Y"))
    got = load_table(text, required=["customer_id", "date", "amount"])
    assert got.date.max() == pd.Timestamp("1998-06-30") and got.date.equals(cd.date.astype(got.date.dtype))
    summ = summary_data(got, "1997-09-30")
    assert round(float((summ.frequency > 0).mean()), 3) == 0.401


def test_03_binary_metric_must_be_binary(tmp_path):
    "One `2` in a 0/1 outcome column: a clear error naming the column and row, not a flipped decision."
    rng = np.random.default_rng(3)
    n = 400
    df = pd.DataFrame({"arm": np.where(np.arange(n) % 2, "control", "B"), "conv": rng.binomial(1, 0.1, n)})
    df.loc[17, "conv"] = 2
    csv = tmp_path / "ab.csv"; df.to_csv(csv, index=False)
    code, out, err = run("report", "abtest", "--data", csv, "--map", "group=arm,converted=conv", "-p", 'metrics=["converted"]',
                         "-p", "guardrails=[]", "--out", tmp_path / "out", *R)
    assert code == 1
    assert "metric column 'converted' holds 0/1 outcomes but 1 value(s) are neither 0 nor 1 (row 17: 2)" in err
    assert "count_metrics" in err and not (tmp_path / "out" / "abtest.html").exists()


# ---- medium --------------------------------------------------------------------------------------------------

def _csv_report(path, fail_param=True):
    "A tiny report that writes rows.csv beside its page, and fails when its parameter `fail` is true."
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "python3", "language": "python", "name": "python3"}}
    nb.cells = [nbformat.v4.new_markdown_cell("# CSV report\n> Writes a CSV beside its page."),
                nbformat.v4.new_code_cell('# parameters\n# test_parameters = {}\ndata: str = "cdnow_sample"  # data\n'
                                          'columns: dict = {}  # column map\nlang: str = "en"  # {en, zh} language\n'
                                          'seed: int = 0  # seed\nfail: bool = False  # fail after writing the CSV\n'
                                          'tag: str = "one"  # written into the CSV'),
                nbformat.v4.new_code_cell("from infogap.report.page import *\nimport pandas as pd\n"
                                          'start_report("CSV report", data=data, columns=columns, lang=lang, seed=seed)\n'
                                          'save_csv(pd.DataFrame({"tag": [tag]}), "rows.csv")\n'
                                          'if fail: raise RuntimeError("failed after writing")\nheadline("n", 1, "One")'),
                nbformat.v4.new_code_cell("report_footer()")]
    nbformat.write(nb, path)


def test_04_failed_run_never_replaces_the_files_of_a_good_one(tmp_path):
    rdir = tmp_path / "reports"; rdir.mkdir()
    _csv_report(rdir / "csvrep.ipynb")
    out = tmp_path / "out"
    code, _, err = run("report", "csvrep", "-p", "tag=good", "--out", out, "--reports-dir", rdir)
    assert code == 0, err
    good_csv, good_html = (out / "rows.csv").read_text(), (out / "csvrep.html").read_text()
    code, _, err = run("report", "csvrep", "-p", "tag=bad", "-p", "fail=true", "--out", out, "--reports-dir", rdir)
    assert code == 1 and "failed after writing" in err
    assert (out / "rows.csv").read_text() == good_csv and "good" in good_csv
    assert (out / "csvrep.html").read_text() == good_html
    assert not [p for p in out.iterdir() if p.name.startswith(".")]      # no staging folder or temporary file left


@pytest.mark.parametrize("bad", ["inf", "-Infinity", "1e400"])
def test_05_infinite_amounts_refused(tmp_path, no_kernel, bad):
    csv = orders_csv(tmp_path / "o.csv", ["A,2024-01-03,5", f"B,2024-01-04,{bad}"])
    code, out, err = run("report", "dataprep", "--data", csv, *MAP, "--out", tmp_path / "out", *R)
    assert code == 1 and "column 'amount' has 1 infinite value(s): row 1" in err


def test_06_forecast_refuses_negative_amounts(tmp_path):
    log = small_log(20)
    log.loc[5, "total"] = -12.5
    csv = tmp_path / "o.csv"; log.to_csv(csv, index=False)
    code, out, err = run("report", "forecast", "--data", csv, *MAP, "-p", "horizon=2", "-p", "n_origins=1",
                         "--out", tmp_path / "out", *R)
    assert code == 1 and "column 'amount' has 1 negative value(s): row 5: -12.5" in err


@pytest.mark.parametrize("mapping, message", [
    ("customer_id=cust, customer_id=when", "--map gives 'customer_id' twice"),
    ("customer_id=cust,date=when,amount=when", "--map maps your column 'when' twice, to 'date' and to 'amount'"),
])
def test_07_column_map_repeats_refused(tmp_path, no_kernel, mapping, message):
    code, out, err = run("report", "dataprep", "--map", mapping, "--out", tmp_path, *R)
    assert code == 2 and message in err


def test_08_ids_are_text(tmp_path):
    csv = orders_csv(tmp_path / "o.csv", ["00004,2024-01-03,5", "4,2024-01-04,6", ",2024-01-05,1", "19339,2024-01-06,2"])
    t = load_table(csv, {"customer_id": "cust", "date": "when", "amount": "total"})
    assert t.customer_id.iloc[:2].tolist() == ["00004", "4"] and t.customer_id.iloc[3] == "19339"
    with pytest.raises(DataError, match="missing id"):
        validate_transactions(t)
    assert validate_transactions(t.dropna()).n_customers == 3


@pytest.mark.parametrize("value", ["../escape.csv", "/tmp/escape.csv", "sub/../../escape.csv"])
def test_09_output_parameters_stay_inside_out(tmp_path, no_kernel, value):
    code, out, err = run("report", "clv", "-p", f"top_customers_csv={value}", "--out", tmp_path, *R)
    assert code == 2 and "'top_customers_csv' must be a file name (or a relative path) inside the output folder" in err


def test_09_data_paths_are_read_from_the_current_folder(tmp_path, no_kernel):
    (tmp_path / "here.csv").write_text("cust,when,total\nA,2024-01-01,1\n")
    info = cli.find_reports(REPORTS)
    old = os.getcwd(); os.chdir(tmp_path)
    try:
        plan = cli.plan_run("dataprep", info, ["data=here.csv"], columns={"customer_id": "cust", "date": "when", "amount": "total"}, out_dir="o")
        assert plan.parameters["dataprep"]["data"] == str((tmp_path / "here.csv").resolve())
    finally:
        os.chdir(old)
    code, out, err = run("report", "dataprep", "-p", "data=orders/none.csv", "--out", tmp_path / "o", *R, cwd=tmp_path)
    assert code == 1 and "data file 'orders/none.csv' not found (a relative path is read from the current folder" in err


def test_11_data_text_in_figures_is_literal():
    "An arm called `save_$3_now_$7`: matplotlib draws it as text, not TeX (no mathtext error)."
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from infogap.report.page import start_report
    start_report("t", lang="en")
    fig, ax = plt.subplots()
    ax.set_yticks([0, 1], labels=["save_$3_now_$7", r"x$\frac{1}{0"])
    ax.set_title("coupon_$5_or_$10")
    fig.canvas.draw()
    assert ax.get_title() == "coupon_$5_or_$10"
    plt.close(fig)


# ---- low -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("report, pair, message", [
    ("dataprep", "top_n=-3", "parameter 'top_n' must be int in [1, 10000]; got -3"),
    ("dataprep", "max_customers=-5", "parameter 'max_customers' must be int in [0, inf); got -5"),
    ("clv", "holdout_weeks=1000000000", "parameter 'holdout_weeks' must be int in [0, 520]"),
    ("clv", "holdout_weeks=1e9", "parameter 'holdout_weeks' expects int, got '1e9'"),
    ("abtest", "alpha=0.7", "parameter 'alpha' must be float in (0, 0.5)"),
    ("abtest", "method=bayes", "parameter 'method' must be str: frequentist or bayesian or sequential"),
    ("forecast", "kpss_lags=long", "parameter 'kpss_lags' must be str: r or kpss92"),
    ("personas", "as_of=1700-01-01", "parameter 'as_of' must be str: a date YYYY-MM-DD or empty"),
    ("recommendations", "n_folds=1", "parameter 'n_folds' must be int in [2, 10]"),
    ("bertrec", "device=tpu", "parameter 'device' must be str: cpu or cuda or auto"),
    ("propensity", "C=0", "parameter 'C' must be float in (0, inf)"),
])
def test_12_every_parameter_has_a_range_checked_before_a_kernel(tmp_path, no_kernel, report, pair, message):
    code, out, err = run("report", report, "-p", pair, "--out", tmp_path, *R)
    assert code == 2 and message in err, err


def test_12_a_second_input_file_must_exist_before_a_kernel(tmp_path, no_kernel):
    "An `<input>` parameter (the playbook's pilot file) names a file that exists, or the command stops with exit 2."
    code, out, err = run("report", "playbook", "-p", f"pilot={tmp_path / 'no_such_pilot.csv'}", "--out", tmp_path, *R)
    assert code == 2 and "parameter 'pilot' must be str: the path of an existing file, or empty; no file" in err, err


@pytest.mark.parametrize("rows, message", [
    (["A,1700-01-01,5", "B,1997-01-02,3"], "outside the years 1900–2100: row 0: '1700-01-01'"),
    (["A,1997-01-01,5", "B,2300-06-30,3"], "row 1: '2300-06-30'"),
    ([], "has a header (cust, when, total) but no data rows"),
])
def test_13_impossible_dates_and_empty_files_named_before_a_kernel(tmp_path, no_kernel, rows, message):
    csv = orders_csv(tmp_path / "o.csv", rows)
    for report in ("dataprep", "clv", "forecast"):
        code, out, err = run("report", report, "--data", csv, *MAP, "--out", tmp_path / "out", *R)
        assert code == 1 and message in err and "Traceback" not in err, (report, err)
    code, out, err = run("report", "abtest", "--data", orders_csv(tmp_path / "ab.csv", [], "arm,conv"),
                         "--map", "group=arm,converted=conv", "--out", tmp_path / "out", *R)
    assert code == 1 and "no data rows" in err


def test_13_tiny_ratings_file_and_missing_amounts_named(tmp_path):
    csv = orders_csv(tmp_path / "r.csv", ["1,10,4", "1,11,5", "2,10,3"], "u,i,r")
    code, out, err = run("report", "recommendations", "--data", csv, "--map", "user_id=u,item_id=i,rating=r",
                         "-p", "n_folds=2", "--out", tmp_path / "out", *R)
    assert code == 1 and "only 3 rating(s) from 2 user(s) on 2 item(s): 2-fold cross-validation needs at least 10" in err
    log = small_log(10)
    log.loc[[2, 7], "total"] = np.nan
    with pytest.raises(DataError, match=r"column 'amount' has 2 missing value\(s\): row 2: nan, row 7: nan"):
        validate_transactions(load_table(log, {"customer_id": "cust", "date": "when", "amount": "total"}), complete=["amount"])


def test_14_unwritable_out_refused_before_a_kernel(tmp_path, no_kernel):
    f = tmp_path / "afile"; f.write_text("x")
    for out in (f, f / "below"):
        code, _, err = run("report", "dataprep", "--out", out, *R)
        assert code == 2 and "is a file, not a folder" in err and "Traceback" not in err
    code, _, err = run("report", "dataprep", "--out", "/proc/infogap-cannot-write-here", *R)
    assert code == 2 and "is not writable" in err


def test_15_personas_with_nothing_spent(tmp_path):
    log = small_log(15).assign(total=0.0)
    csv = tmp_path / "o.csv"; log.to_csv(csv, index=False)
    code, out, err = run("report", "personas", "--data", csv, *MAP, "-p", "n_boot=1", "-p", "k_max=3", "--out", tmp_path / "out", *R)
    assert code == 1 and "every amount is zero" in err and "nan%" not in err


def test_16_terminal_escapes_never_reach_the_terminal(tmp_path, no_kernel):
    csv = tmp_path / "o.csv"
    csv.write_text("cust\x1b[2J,when\x07,total\u202e\nA,2024-01-01,1\n", encoding="utf-8")
    code, out, err = run("report", "dataprep", "--data", csv, "--map", "customer_id=client", "--out", tmp_path / "out", *R)
    assert code == 1 and "column 'client'" in err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "\\x1b[2J" in err and "\\u202e" in err


def test_17_csv_cells_never_run_as_formulas(tmp_path, monkeypatch):
    from infogap.report.page import save_csv
    monkeypatch.setenv("INFOGAP_REPORT_OUT", str(tmp_path))
    evil = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1+2", "@SUM(A1)", "\t=1", "\r=2", "plain"]
    p = save_csv(pd.DataFrame({"customer_id": evil, "=head": range(7)}), "personas.csv")
    back = pd.read_csv(p, keep_default_na=False, dtype=str)
    assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in [*back.customer_id, *back.columns])
    assert back.customer_id.iloc[-1] == "plain" and back["'=head"].tolist() == [str(i) for i in range(7)]
    for nb in REPORTS.glob("*.ipynb"):   # every CSV a report writes for its reader goes through save_csv
        assert ".to_csv(" not in nb.read_text(encoding="utf-8"), nb.name


def test_18_timeout_is_one_line_and_keeps_the_notebook(tmp_path):
    import subprocess
    from conftest import infogap_cmd
    p = subprocess.run(infogap_cmd() + ["report", "dataprep", "--timeout", "1", "--out", str(tmp_path), "--reports-dir", str(REPORTS)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 1
    assert "CellTimeoutError" in p.stderr and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) <= 3, p.stderr
    assert (tmp_path / "dataprep.failed.ipynb").exists()


def test_19_the_failing_cell_is_named_the_same_way(tmp_path):
    from infogap.report.catalog import read_report
    from infogap.report.render import render_report
    from infogap.report.testing import demo_report_notebook
    csv = orders_csv(tmp_path / "o.csv", ["A,2024-01-03,5", "B,2024-01-04,6"])
    broken = read_report(demo_report_notebook(tmp_path / "b" / "demo.ipynb", fail=True))
    other = render_report(broken, {"data": str(csv), "columns": {"customer_id": "cust", "amount": "total"}}, out_dir=tmp_path / "o")
    data = render_report(broken, {"data": str(csv), "columns": {"customer_id": "cust"}}, out_dir=tmp_path / "o")
    assert "RuntimeError" in other.error and "DataError" in data.error
    assert other.error.split(":")[0] == data.error.split(":")[0] and other.error.startswith("cell ")


# ---- also found: a log of ids and dates ----------------------------------------------------------------------

def test_20_ids_and_dates_only_log_summarised_like_plain_pandas():
    """A log with no amount column (like `lifetimes`' example_transactions.csv): frequency, recency and T equal a
    plain-pandas computation, and the BG/NBD model fits on it."""
    from infogap.clv import BetaGeo
    from infogap.datasets import load_cdnow
    log = load_cdnow("sample")[["customer_id", "date"]]
    cal = pd.Timestamp("1997-09-30")
    ours = summary_data(log, cal, amount_col=None).set_index("customer_id")
    assert list(ours.columns) == ["frequency", "recency", "T"]
    days = log.assign(day=log.date.dt.normalize()).query("day <= @cal").drop_duplicates(["customer_id", "day"])
    g = days.groupby("customer_id").day
    plain = pd.DataFrame({"frequency": g.size() - 1, "recency": (g.max() - g.min()).dt.days / 7, "T": (cal - g.min()).dt.days / 7})
    pd.testing.assert_frame_equal(ours, plain.loc[ours.index], check_dtype=False, check_names=False)
    bg = BetaGeo().fit(ours.frequency, ours.recency, ours["T"])
    assert bg.params_["r"] == pytest.approx(0.243, abs=1e-3)        # Fader, Hardie & Lee (2005): r = 0.243


def test_05_infinite_values_in_any_numeric_column_refused(tmp_path, no_kernel):
    "The same rule for a report's own numeric columns (an A/B test's guardrail `sessions`)."
    csv = orders_csv(tmp_path / "ab.csv", ["control,0,3", "B,1,Infinity", "B,0,2"], "arm,conv,sessions")
    code, out, err = run("report", "abtest", "--data", csv, "--map", "group=arm,converted=conv", "--out", tmp_path / "out", *R)
    assert code == 1 and "column 'sessions' has 1 infinite value(s): row 1" in err


def test_parquet_files_go_through_the_same_loader(tmp_path, no_kernel):
    "A Parquet export: its declared types are kept (ids stay text), the map and required columns are checked the same way."
    pytest.importorskip("pyarrow")
    p = tmp_path / "orders.parquet"
    pd.DataFrame({"cust": ["007", "7"], "when": pd.to_datetime(["2024-01-02", "2024-02-03"]), "total": [5.0, 7.5]}).to_parquet(p)
    t = load_table(p, {"customer_id": "cust", "date": "when", "amount": "total"}, required=["customer_id", "date", "amount"])
    assert t.customer_id.tolist() == ["007", "7"] and t.amount.sum() == 12.5
    code, out, err = run("report", "dataprep", "--data", p, "--map", "customer_id=cust", "--out", tmp_path / "out", *R)
    assert code == 1 and "missing required column(s) ['date', 'amount']" in err
