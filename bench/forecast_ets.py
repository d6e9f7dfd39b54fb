"""Automatic ETS against automatic ARIMA on the simulated monthly series of bench/forecast.py (issue 21,
nbs/05_forecast.ipynb, section "ARIMA against ETS").

For each series the last 12 months are held out. On the rest `auto_arima(m=12)` and `auto_ets(m=12)` each choose
and fit a model; both forecast 12 months with 95% prediction intervals. Per series: the chosen models, MASE
(seasonal-naive scaling) of ARIMA, ETS and of their average (the simple combination of FPP3 §13.4), how many of
the 12 held-out months fall inside each 95% interval, the mean interval width, and the CPU seconds of each search.

    .venv/bin/python bench/forecast_ets.py [--series 16] [--seed 0] [--jobs 2]

The stored results are the defaults (16 series, seed 0; about 12 minutes with two jobs on a busy 2-core machine):
the chapter asserts their numbers, so a run with other settings should be written elsewhere (--out).

Writes bench/results/forecast_ets.json (the pooled summary and every series' row)."""
import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from forecast import simulate  # noqa: E402  (the benchmark's own series)
from _machine import machine, write_result  # noqa: E402

from infogap import __version__  # noqa: E402
from infogap.forecast import auto_arima, auto_ets, forecast_metrics  # noqa: E402


def compare_one(y: pd.Series, h: int = 12) -> dict:
    "Both automatic searches on `y` minus its last `h` values, scored on those `h` values."
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # convergence chatter of candidate fits; the chosen fits are what is scored
        return _compare(y, h)


def _compare(y: pd.Series, h: int) -> dict:
    tr, te = y.iloc[:-h], y.iloc[-h:]
    row = {"series": y.name, "n": len(y)}
    fcs = {}
    for key, search in (("arima", lambda: auto_arima(tr, m=12)), ("ets", lambda: auto_ets(tr, m=12))):
        t0 = time.process_time()
        model = search()
        f = model.forecast(h)
        row[f"{key}_cpu_s"] = round(time.process_time() - t0, 2)
        row[f"{key}_model"] = model.name
        row[f"{key}_MASE"] = float(forecast_metrics(te, f["mean"], tr, m=12).MASE)
        row[f"{key}_inside"] = int(((te.to_numpy() >= f["lower"].to_numpy()) & (te.to_numpy() <= f["upper"].to_numpy())).sum())
        row[f"{key}_width"] = float((f["upper"] - f["lower"]).mean())
        fcs[key] = f["mean"].to_numpy()
    row["combination_MASE"] = float(forecast_metrics(te, (fcs["arima"] + fcs["ets"]) / 2, tr, m=12).MASE)
    return row


def summarise(df: pd.DataFrame, h: int = 12) -> dict:
    return {"series": len(df),
            **{f"mean_MASE_{k}": float(df[f"{k}_MASE"].mean()) for k in ("arima", "ets", "combination")},
            **{f"median_MASE_{k}": float(df[f"{k}_MASE"].median()) for k in ("arima", "ets", "combination")},
            "ets_better": int((df.ets_MASE < df.arima_MASE).sum()), "arima_better": int((df.arima_MASE < df.ets_MASE).sum()),
            **{f"coverage_{k}": float(df[f"{k}_inside"].sum() / (h * len(df))) for k in ("arima", "ets")},
            **{f"cpu_s_{k}": float(df[f"{k}_cpu_s"].sum()) for k in ("arima", "ets")}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--series", type=int, default=16, help="series (the stored results: 16)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (each with one BLAS thread)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "forecast_ets.json"))
    a = ap.parse_args()
    from joblib import Parallel, delayed
    info, t0 = machine(), time.perf_counter()
    rows = Parallel(n_jobs=a.jobs)(delayed(compare_one)(y) for y in simulate(a.series, a.seed))
    df = pd.DataFrame(rows)
    res = {"infogap": __version__, "machine": info, "seconds": round(time.perf_counter() - t0, 1),
           "generator": "bench/forecast.py simulate", "seed": a.seed, "holdout_months": 12, "interval": 0.95,
           "pooled": summarise(df), "series": json.loads(df.to_json(orient="records"))}
    write_result(a.out, res)
    print(json.dumps(res["pooled"], indent=2))


if __name__ == "__main__":
    main()
