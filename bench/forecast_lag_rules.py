"""Which KPSS lag window should `auto_arima` use to choose d? A study for issue 7 (nbs/05_forecast.ipynb).

The two Python peers differ in one place: R's forecast / statsforecast run the KPSS test with the lag
window trunc(3*sqrt(n)/13) ("r", our default), pmdarima / R tseries with trunc(4*(n/100)^(1/4)) ("kpss92",
the window of Kwiatkowski et al. 1992). On the airline hold-out the "kpss92" window keeps d = 0 and wins
by a wide margin; is that a property of the rule or of that one series?

For every simulated monthly series of bench/forecast.py (several seeds, so the rule is not judged on the
series it was first noticed on) this script computes D and d under both rules on the training part (all
but the last 12 months). Where the two rules choose a different d, it runs our full automatic search with
each d and scores the 12-month hold-out: MASE (seasonal-naive scaling) and the coverage of the 95%
interval. Where they agree, the forecasts are identical and nothing is fitted.

    .venv/bin/python bench/forecast_lag_rules.py [--series 300] [--seeds 0 1 2]

Writes bench/results/forecast_lag_rules.json (per-seed and pooled summaries plus every disagreement).
"""
import argparse
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

sys.path.insert(0, str(Path(__file__).parent))
from forecast import simulate  # noqa: E402  (the benchmark's own series)
from _machine import machine, write_result  # noqa: E402

from infogap import __version__  # noqa: E402
from infogap.forecast import auto_arima, difference, forecast_metrics, ndiffs, nsdiffs  # noqa: E402

RULES = ("r", "kpss92")


def study_series(y: pd.Series, h: int = 12) -> dict:
    tr, te = y.iloc[:-h], y.iloc[-h:]
    D = nsdiffs(tr.to_numpy(), 12)
    w = difference(tr.to_numpy(), 0, D, 12)
    row = {"series": y.name, "n": len(y), "D": D, **{f"d_{r}": ndiffs(w, kpss_lags=r) for r in RULES}}
    if row["d_r"] != row["d_kpss92"]:
        for r in RULES:
            model = auto_arima(tr, m=12, kpss_lags=r)
            f = model.forecast(h)
            row[f"model_{r}"] = model.name
            row[f"MASE_{r}"] = float(forecast_metrics(te, f["mean"], tr, m=12).MASE)
            row[f"coverage_{r}"] = float(((te >= f["lower"]) & (te <= f["upper"])).mean())
    return row


def summarise(df: pd.DataFrame) -> dict:
    dis = df[df.d_r != df.d_kpss92]
    out = {"series": len(df), "disagreements": len(dis),
           "d_r_counts": {int(k): int(v) for k, v in df.d_r.value_counts().sort_index().items()},
           "d_kpss92_counts": {int(k): int(v) for k, v in df.d_kpss92.value_counts().sort_index().items()}}
    if len(dis):
        out.update({"mean_MASE_r": float(dis.MASE_r.mean()), "mean_MASE_kpss92": float(dis.MASE_kpss92.mean()),
                    "kpss92_better": int((dis.MASE_kpss92 < dis.MASE_r).sum()),
                    "r_better": int((dis.MASE_r < dis.MASE_kpss92).sum()),
                    "mean_coverage_r": float(dis.coverage_r.mean()), "mean_coverage_kpss92": float(dis.coverage_kpss92.mean())})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--series", type=int, default=300, help="series per seed")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "forecast_lag_rules.json"))
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    info, t0 = machine(), time.perf_counter()
    frames = {}
    for seed in a.seeds:
        rows = [study_series(y) for y in tqdm(simulate(a.series, seed), desc=f"seed {seed}")]
        frames[seed] = pd.DataFrame(rows).assign(seed=seed)
    allf = pd.concat(frames.values(), ignore_index=True)
    res = {"infogap": __version__, "machine": info,
           "seconds": round(time.perf_counter() - t0, 1), "series_per_seed": a.series, "holdout_months": 12,
           "rules": {"r": "trunc(3*sqrt(n)/13): R forecast::ndiffs, statsforecast (our default)",
                     "kpss92": "trunc(4*(n/100)^(1/4)): Kwiatkowski et al. 1992, R tseries lshort, pmdarima"},
           "by_seed": {str(s): summarise(f) for s, f in frames.items()}, "pooled": summarise(allf),
           "disagreements": json.loads(allf[allf.d_r != allf.d_kpss92].to_json(orient="records"))}
    write_result(a.out, res)
    print(json.dumps({k: res[k] for k in ("by_seed", "pooled", "seconds")}, indent=2))


if __name__ == "__main__":
    main()
