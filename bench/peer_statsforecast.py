"""Peer runner for the forecasting chapter: statsforecast's AutoARIMA on series written by the main environment.

statsforecast (2.x) pins pandas<3, so it cannot live in infogap's environment. Run it in its own virtual
environment (it is never imported by infogap):

    python3.11 -m venv /work/peer_statsforecast_venv && /work/peer_statsforecast_venv/bin/pip install statsforecast threadpoolctl
    /work/peer_statsforecast_venv/bin/python bench/peer_statsforecast.py series.json out.json

`series.json` is {"m": 12, "h": 12, "series": {"name": [y_1, ..., y_n], ...}} (training values only; the
caller keeps the hold-out). `out.json` gets, per series, the h-step mean forecast, the chosen model, the
orders and the seconds spent (selection + fit + forecast), plus the one-off warm-up time (JIT compilation),
which is excluded from the per-series times. One core, single-threaded BLAS: the same conditions as
bench/forecast.py gives infogap and pmdarima. bench/forecast.py and nbs/05_forecast.ipynb call this script.
"""
import json
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits


def main(src, dst):
    spec = json.load(open(src))
    m, h = int(spec["m"]), int(spec["h"])
    import statsforecast
    from statsforecast.models import AutoARIMA
    out = {"statsforecast_version": statsforecast.__version__, "m": m, "h": h, "series": {}}
    with threadpool_limits(1, "blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()  # warm-up: first call compiles/loads the kernels
        AutoARIMA(season_length=m).fit(np.asarray(next(iter(spec["series"].values())), float)).predict(h)
        out["warmup_s"] = time.perf_counter() - t0
        for name, y in spec["series"].items():
            t0 = time.perf_counter()
            try:
                f = AutoARIMA(season_length=m).fit(np.asarray(y, float))
                mean = np.asarray(f.predict(h)["mean"], float)
                mod = f.model_
                p, q, P, Q, mm, d, D = (int(v) for v in mod["arma"])
                has_c = any(k in ("intercept", "drift") for k in mod["coef"])
                res = {"mean": mean.tolist(), "order": [p, d, q], "seasonal_order": [P, D, Q, mm], "constant": bool(has_c),
                       "model": f"ARIMA({p},{d},{q})({P},{D},{Q})[{mm}]" + (" with constant" if has_c else ""),
                       "aicc": float(mod.get("aicc", np.nan))}
            except Exception as e:  # a failure on one series is recorded, not fatal
                res = {"mean": None, "model": f"failed: {type(e).__name__}: {e}"}
            res["seconds"] = time.perf_counter() - t0
            out["series"][name] = res
    json.dump(out, open(dst, "w"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
