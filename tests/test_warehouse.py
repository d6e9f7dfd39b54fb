"""Reports on warehouse data (issue 23, item 1): a Parquet folder, a DuckDB database (table or query) and a Spark
table go through the one loader; the heavy step runs inside the engine, and the answers equal the in-memory ones.

Bad warehouse input is refused before a kernel starts, naming the column and the engine (the command runs in this
process with the renderer replaced by a tripwire, as in test_hostile_input.py)."""
import contextlib
import io
import os
import warnings

import narwhals as nw
import numpy as np
import pandas as pd
import pytest

from conftest import REPORTS

import infogap.cli as cli
from infogap.cli import main
from infogap.clv import value_customers
from infogap.datasets import load_cdnow
from infogap.dataprep import check_transactions, load_table, summary_data, validate_transactions

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")
CMAP = {"customer_id": "cust", "date": "order_date", "amount": "total"}
MAP_ARG = "customer_id=cust,date=order_date,amount=total"
NEED = ["customer_id", "date", "amount"]


def run(*argv):
    "Run the `infogap` command in this process; returns (exit code, stdout, stderr)."
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def no_kernel(monkeypatch):
    def tripwire(*a, **k): raise AssertionError("a kernel was started")
    monkeypatch.setattr(cli, "render_report", tripwire)
    monkeypatch.setattr(cli, "render_all", tripwire)


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow("sample")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, cdnow):
    "The CDNOW sample under the shop's own column names: a folder of 3 Parquet files and a DuckDB database."
    d = tmp_path_factory.mktemp("warehouse")
    theirs = cdnow.rename(columns={v: k for k, v in {"cust": "customer_id", "order_date": "date", "total": "amount"}.items()})
    (d / "orders").mkdir()
    for part, rows in enumerate(np.array_split(np.arange(len(theirs)), 3)):
        theirs.iloc[rows].to_parquet(d / "orders" / f"part-{part}.parquet", index=False)
    with duckdb.connect(str(d / "shop.duckdb")) as con:
        con.execute("create table orders as select * from theirs")
        con.execute("create table orders_text as select cust, strftime(order_date, '%Y-%m-%d') as order_date, total from theirs")
    return d


def test_clv_report_on_a_parquet_folder_equals_the_in_memory_valuation(warehouse, cdnow):
    "The clv report on a Parquet folder (summaries computed by DuckDB) gives value_customers' numbers on the same log."
    from infogap.report.catalog import find_reports
    from infogap.report.render import render_report
    info = find_reports(REPORTS)["clv"]
    params = {**info.test_parameters, "data": str(warehouse / "orders"), "columns": CMAP}
    r = render_report(info, params, out_dir=warehouse / "out")
    assert r.status == "ok", r.error
    got = {h["key"]: h["value"] for h in r.headlines}
    tx = validate_transactions(cdnow.astype({"customer_id": str})).data    # ids from a warehouse are text too
    cv = value_customers(tx, horizon=params["horizon"], holdout_weeks=params["holdout_weeks"])
    assert got["customers"] == len(cv.clv)
    assert got["clv_total"] == pytest.approx(cv.total, rel=1e-6)   # the same summaries; the fit stops where its optimizer says
    assert got["holdout_error"] == pytest.approx(cv.holdout_error, rel=1e-6)
    html = r.html.read_text(encoding="utf-8")
    assert "Parquet folder orders (3 files)" in html and "weekly tracking chart" in html


@pytest.mark.parametrize("name", ["dataprep", "personas", "forecast"])
def test_report_on_a_parquet_folder_equals_the_same_log_read_from_csv(warehouse, cdnow, tmp_path, name):
    """Reports whose heavy step is an aggregate (checks, RFM, the buy-till-you-die summary, the sales series) compute it
    in DuckDB on a Parquet folder, and their numbers equal a run on the same log as a CSV file read into pandas; the
    sampled customers (`max_customers` in the test parameters of dataprep and personas) are the same ones too."""
    from infogap.report.catalog import find_reports
    from infogap.report.render import render_report
    info = find_reports(REPORTS)[name]
    csv = tmp_path / "orders.csv"
    cdnow.rename(columns=CMAP).to_csv(csv, index=False)
    got = {}
    for kind, data in (("engine", warehouse / "orders"), ("pandas", csv)):
        r = render_report(info, {**info.test_parameters, "data": str(data), "columns": CMAP}, out_dir=tmp_path / kind)
        assert r.status == "ok", r.error
        got[kind] = {h["key"]: h["value"] for h in r.headlines}
    assert got["engine"].keys() == got["pandas"].keys() and got["pandas"]
    # The engine adds up amounts in another order (the sums differ in the last bits); forecast's ARIMA fit then stops
    # at a slightly different point within its optimizer's tolerance
    rel = 1e-5 if name == "forecast" else 1e-9
    for key, value in got["pandas"].items():
        assert got["engine"][key] == (pytest.approx(value, rel=rel) if isinstance(value, float) else value), key


@pytest.mark.parametrize("args, message", [
    (["--table", "order"], "DuckDB database shop.duckdb has no table 'order'; its tables: orders, orders_text"),
    ([], "name what to read in it with a table (--table NAME) or a query"),
    (["--query", "select * from nowhere"], "DuckDB could not run the query on shop.duckdb"),
    (["--table", "orders_text"], "column 'date' in the DuckDB table orders_text in shop.duckdb holds text (String), not dates"),
    (["--query", "select cust, order_date from orders"], "column 'total' (mapped to 'amount') is not in the DuckDB query on shop.duckdb"),
])
def test_bad_duckdb_input_is_refused_before_a_kernel_starts(warehouse, tmp_path, no_kernel, args, message):
    code, out, err = run("report", "clv", "--data", warehouse / "shop.duckdb", "--map", MAP_ARG, *args, "--out", tmp_path)
    assert code == 1 and message in err, err
    assert "Traceback" not in err


def test_table_and_query_are_read_options(warehouse, tmp_path, no_kernel):
    "--table/--query exclude each other (exit 2) and only make sense for a database."
    code, _, err = run("report", "clv", "--data", warehouse / "shop.duckdb", "--table", "orders", "--query", "select 1",
                       "--out", tmp_path)
    assert code == 2 and "'table' and 'query' exclude each other" in err
    code, _, err = run("report", "clv", "--data", warehouse / "orders", "--map", MAP_ARG, "--table", "orders", "--out", tmp_path)
    assert code == 1 and "a table or query names what to read inside a DuckDB database" in err


def test_spark_table_summary_equals_duckdb(spark, warehouse):
    "spark:TABLE reads the active session's table; its BTYD summary and checks equal DuckDB's on the same files."
    spark.read.parquet(str(warehouse / "orders")).createOrReplaceTempView("orders")
    on_spark = load_table("spark:orders", CMAP, required=NEED, lazy=True)
    on_duckdb = load_table(warehouse / "orders", CMAP, required=NEED, lazy=True)
    with warnings.catch_warnings():   # pyspark warns that pandas 3 is not fully supported; plain columns are fine
        warnings.simplefilter("ignore", FutureWarning)
        a = nw.from_native(summary_data(on_spark, "1997-09-30", "1998-06-30")).collect().to_pandas()
        ca = check_transactions(on_spark)
    b = nw.from_native(summary_data(on_duckdb, "1997-09-30", "1998-06-30")).collect().to_pandas()
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    cb = check_transactions(on_duckdb)
    assert (ca.n_rows, ca.n_customers, ca.first_date, ca.last_date) == (cb.n_rows, cb.n_customers, cb.first_date, cb.last_date)
    with pytest.raises(Exception, match="Spark could not read the table 'no_such_table'"):
        load_table("spark:no_such_table", lazy=True)
