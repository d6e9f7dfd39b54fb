"""Benchmark for infogap.forecast (issue 7): automatic order selection + fit + 12-step forecast for many
simulated monthly series, infogap.forecast.auto_arima side by side with pmdarima.auto_arima (and
statsforecast's AutoARIMA when it is importable).

Series: `--series` (default 500) simulated monthly series of 72-144 months, each a level + random trend +
a yearly pattern of random shape and size + ARMA(1,1) noise, with a random-walk component in a third of them
(so d and D vary). The last 12 months are held out; MASE (scaled by the in-sample seasonal-naive MAE) is
computed on them.

Both libraries run in this process, one series after the other, on one core, with single-threaded BLAS
(threadpoolctl), seasonal period m=12, stepwise search, default options otherwise. pmdarima's exact-ML
search takes ~10-30 s per seasonal series on this machine, so by default it runs on the first
`--peer-series` (40) series and its time is scaled linearly to all series (reported as `extrapolated`);
MASE is compared on those common series. `--peer-series 0` runs it on all of them (hours).
statsforecast is not installable next to pandas 3 (it pins pandas<3); when it is missing the JSON says so.

    .venv/bin/python bench/forecast.py [--series 500] [--peer-series 40] [--seed 0]

Writes bench/results/forecast.json. Wall times on a shared machine are reported with the process CPU time
and the load average."""
import argparse
import json
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from infogap import __version__
from infogap.forecast import auto_arima, forecast_metrics


def simulate(n_series: int, seed: int = 0) -> list:
    "Monthly series with trend, yearly seasonality of random shape, ARMA(1,1) noise and sometimes a random walk."
    g = np.random.default_rng(seed)
    out = []
    for i in range(n_series):
        n = int(g.integers(72, 145))
        t = np.arange(n)
        shape = g.normal(size=12); shape -= shape.mean(); shape /= np.abs(shape).max()
        season = g.uniform(5, 40) * shape[t % 12]
        e = g.normal(0, g.uniform(2, 8), n)
        phi, theta = g.uniform(-0.5, 0.8), g.uniform(-0.5, 0.5)
        u = np.zeros(n)
        for k in range(1, n): u[k] = phi * u[k - 1] + e[k] + theta * e[k - 1]
        rw = np.cumsum(g.normal(0, 2, n)) if g.random() < 1 / 3 else 0.0
        y = 200 + g.uniform(-0.5, 1.5) * t + season + u + rw
        out.append(pd.Series(y, index=pd.date_range("2010-01-01", periods=n, freq="MS"), name=f"s{i}"))
    return out


def run_ours(y, h=12):
    model = auto_arima(y.iloc[:-h], m=12)
    return model.forecast(h)["mean"].to_numpy(), model.name


def run_pmdarima(y, h=12):
    import pmdarima as pm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pm.auto_arima(y.iloc[:-h].to_numpy(), m=12, seasonal=True, stepwise=True, suppress_warnings=True,
                              error_action="ignore")
        return np.asarray(model.predict(h)), f"ARIMA{model.order}{model.seasonal_order}"


def run_statsforecast(y, h=12):
    from statsforecast.models import AutoARIMA
    f = AutoARIMA(season_length=12).fit(y.iloc[:-h].to_numpy())
    return np.asarray(f.predict(h)["mean"]), "AutoARIMA"


def timed(fn, series, h=12):
    wall0, cpu0 = time.perf_counter(), time.process_time()
    mases, names = [], []
    for y in series:
        try:
            fc, name = fn(y, h)
            mases.append(float(forecast_metrics(y.iloc[-h:], fc, y.iloc[:-h], m=12).MASE)); names.append(name)
        except Exception as e:  # a library failing on a series counts as a failure, not as a crash of the benchmark
            mases.append(float("nan")); names.append(f"failed: {type(e).__name__}")
    return dict(wall_s=time.perf_counter() - wall0, cpu_s=time.process_time() - cpu0, mase=mases, models=names)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--series", type=int, default=100, help="series to forecast (the issue names 500: over 40 min on 2 cores)")
    ap.add_argument("--peer-series", type=int, default=15, help="series also run through pmdarima (about 10 s each)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "forecast.json"))
    a = ap.parse_args()
    series = simulate(a.series, a.seed)
    k = a.series if a.peer_series <= 0 else min(a.peer_series, a.series)
    with threadpool_limits(1, "blas"):
        ours = timed(run_ours, series)
        peer = timed(run_pmdarima, series[:k])
        try:
            import statsforecast  # noqa: F401
            sf = timed(run_statsforecast, series[:k])
        except ImportError as e:
            sf = {"available": False, "reason": f"statsforecast not installed ({e}); it requires pandas<3"}
    scale = a.series / k
    m_ours, m_peer = np.array(ours["mase"]), np.array(peer["mase"])
    common = np.isfinite(m_ours[:k]) & np.isfinite(m_peer)
    res = {
        "benchmark": "auto ARIMA selection + fit + 12-step forecast, simulated monthly series (m=12)",
        "n_series": a.series, "peer_series": k, "seed": a.seed,
        "infogap": {"version": __version__, "wall_s": ours["wall_s"], "cpu_s": ours["cpu_s"],
                    "s_per_series": ours["wall_s"] / a.series, "mean_mase": float(np.nanmean(m_ours)),
                    "median_mase": float(np.nanmedian(m_ours)), "mean_mase_on_peer_series": float(np.mean(m_ours[:k][common])),
                    "failures": int(np.isnan(m_ours).sum())},
        "pmdarima": {"wall_s_measured": peer["wall_s"], "cpu_s_measured": peer["cpu_s"],
                     "s_per_series": peer["wall_s"] / k, "wall_s_extrapolated": peer["wall_s"] * scale,
                     "extrapolated": k < a.series, "mean_mase": float(np.mean(m_peer[common])),
                     "median_mase": float(np.median(m_peer[common])), "failures": int(np.isnan(m_peer).sum())},
        "statsforecast": sf if "available" in sf else {"wall_s_measured": sf["wall_s"], "s_per_series": sf["wall_s"] / k,
                                                       "mean_mase": float(np.nanmean(sf["mase"]))},
        "speedup_vs_pmdarima_per_series": (peer["wall_s"] / k) / (ours["wall_s"] / a.series),
        "infogap_mase_wins_on_peer_series": int((m_ours[:k][common] < m_peer[common] - 1e-9).sum()),
        "ties": int((np.abs(m_ours[:k][common] - m_peer[common]) <= 1e-9).sum()),
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "load_avg_end": os.getloadavg(),
                    "blas_threads": 1},
    }
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=2))
    print(json.dumps({k2: v for k2, v in res.items() if k2 in ("infogap", "pmdarima", "speedup_vs_pmdarima_per_series",
                                                               "infogap_mase_wins_on_peer_series")}, indent=2))


if __name__ == "__main__":
    main()
