"""Benchmark: `summary_data` on pandas vs polars (eager and lazy) vs DuckDB, on the CDNOW master file
(69,659 rows) and on a simulated 10-million-row transaction log. Wall time (best of `REPEATS`) and
peak resident-memory growth during the call, all back ends in one process run.

    .venv/bin/python bench/summary_data.py [--rows 10000000]

Writes bench/results/summary_data.json."""
import argparse
import gc
import json
import platform
import sys
import threading
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import psutil

from infogap import __version__
from infogap.datasets import load_cdnow
from infogap.dataprep import summary_data

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine, write_result  # noqa: E402

REPEATS = 3


class PeakRSS:
    "Samples this process's RSS every 5 ms; `.peak_mb` is the growth over the RSS at entry."
    def __enter__(self):
        self.proc, self.base, self.peak, self.run = psutil.Process(), psutil.Process().memory_info().rss, 0, True
        self.t = threading.Thread(target=self._poll, daemon=True); self.t.start(); return self
    def _poll(self):
        while self.run:
            self.peak = max(self.peak, self.proc.memory_info().rss); time.sleep(0.005)
    def __exit__(self, *a):
        self.run = False; self.t.join(); self.peak = max(self.peak, self.proc.memory_info().rss)
        self.peak_mb = (self.peak - self.base) / 2**20


def simulated_log(n_rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_cust = max(n_rows // 10, 1)
    days = rng.integers(0, 730, n_rows)
    return pd.DataFrame({"customer_id": rng.integers(1, n_cust + 1, n_rows),
                         "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(days, unit="D"),
                         "quantity": rng.integers(1, 5, n_rows),
                         "amount": rng.gamma(2.0, 20.0, n_rows).round(2)})


def run_case(name, df, cal, hold):
    con = duckdb.connect()
    backends = {
        "pandas": (lambda: df, lambda f: summary_data(f, cal, hold)),
        "polars": (lambda: pl.from_pandas(df), lambda f: summary_data(f, cal, hold)),
        "polars-lazy": (lambda: pl.from_pandas(df).lazy(), lambda f: summary_data(f, cal, hold).collect()),
        "duckdb": (lambda: con.from_df(df), lambda f: summary_data(f, cal, hold).df()),
    }
    rows, ref = [], None
    for backend, (prep, call) in backends.items():
        frame = prep()
        times, peak = [], 0.0
        for _ in range(REPEATS):
            gc.collect()
            with PeakRSS() as m:
                t0 = time.perf_counter(); out = call(frame); times.append(time.perf_counter() - t0)
            peak = max(peak, m.peak_mb)
        out = out if isinstance(out, pd.DataFrame) else out.to_pandas()
        if ref is None: ref = out
        else: pd.testing.assert_frame_equal(ref, out, check_dtype=False)  # every back end gives the same table
        rows.append(dict(case=name, backend=backend, rows=len(df), customers=len(out),
                         seconds=round(min(times), 3), peak_rss_mb=round(peak, 1)))
        print(f"{name:>14} {backend:>12}: {min(times):7.3f} s  peak +{peak:7.1f} MB", flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(); ap.add_argument("--rows", type=int, default=10_000_000)
    args = ap.parse_args()
    info = machine()
    results = run_case("CDNOW master", load_cdnow("master"), "1997-09-30", "1998-06-30")
    results += run_case(f"simulated {args.rows:,}", simulated_log(args.rows), "2024-06-30", "2024-12-31")
    out = dict(benchmark="summary_data", infogap=__version__, machine=info,
               versions=dict(pandas=pd.__version__, polars=pl.__version__, duckdb=duckdb.__version__),
               repeats=REPEATS, results=results)
    write_result(Path(__file__).parent / "results" / "summary_data.json", out)


if __name__ == "__main__":
    main()
