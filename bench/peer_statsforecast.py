"""Peer runner for the forecasting chapter: statsforecast's AutoARIMA on series written by the main environment.

statsforecast (2.x) pins pandas<3, so it cannot live in infogap's environment: it runs in its own virtual
environment, bench/.venvs/statsforecast, built by `make peers` from bench/peers/statsforecast.txt (it is never
imported by infogap). Two ways to call it:

    bench/.venvs/statsforecast/bin/python bench/peer_statsforecast.py series.json out.json
    bench/.venvs/statsforecast/bin/python bench/peer_statsforecast.py --serve

Batch: `series.json` is {"m": 12, "h": 12, "series": {"name": [y_1, ..., y_n], ...}} (training values only; the
caller keeps the hold-out). `out.json` gets, per series, the h-step mean forecast, the chosen model, the orders
and the seconds spent (selection + fit + forecast), plus the one-off warm-up time (first call: kernels loaded),
which is excluded from the per-series times.

Serve (bench/forecast.py's timing repeats, so that all three libraries take turns on each series): after the
warm-up it prints {"ready": true, ...} and then answers each JSON line {"name", "y", "m", "h"} on stdin with one
JSON line (the batch mode's per-series result, plus the CPU seconds of this process), until stdin closes.

One core, single-threaded BLAS: the same conditions as bench/forecast.py gives infogap and pmdarima.
bench/forecast.py and nbs/05_forecast.ipynb (via tests/fixtures/*statsforecast*) use this script.
"""
import json
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits


def fit_one(y, m, h):
    "AutoARIMA on one training series: forecast mean, model, orders, AICc, wall and CPU seconds."
    from statsforecast.models import AutoARIMA
    t0, c0 = time.perf_counter(), time.process_time()
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
    res["seconds"], res["cpu_seconds"] = time.perf_counter() - t0, time.process_time() - c0
    return res


def warm_up(y, m, h):
    "The first call loads and prepares the kernels: timed apart from the per-series times."
    t0 = time.perf_counter()
    fit_one(y, m, h)
    return time.perf_counter() - t0


def batch(src, dst):
    spec = json.load(open(src))
    m, h = int(spec["m"]), int(spec["h"])
    import statsforecast
    out = {"statsforecast_version": statsforecast.__version__, "m": m, "h": h, "series": {}}
    out["warmup_s"] = warm_up(next(iter(spec["series"].values())), m, h)
    for name, y in spec["series"].items():
        out["series"][name] = fit_one(y, m, h)
    json.dump(out, open(dst, "w"))


def serve():
    import statsforecast
    first = json.loads(sys.stdin.readline())
    w = warm_up(first["y"], int(first["m"]), int(first["h"]))
    print(json.dumps({"ready": True, "statsforecast_version": statsforecast.__version__, "warmup_s": w}), flush=True)
    for line in sys.stdin:
        if not line.strip(): continue
        req = json.loads(line)
        print(json.dumps({"name": req["name"], **fit_one(req["y"], int(req["m"]), int(req["h"]))}), flush=True)


if __name__ == "__main__":
    with threadpool_limits(1, "blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if sys.argv[1:] == ["--serve"]: serve()
        elif len(sys.argv) == 3: batch(sys.argv[1], sys.argv[2])
        else: raise SystemExit(__doc__)
