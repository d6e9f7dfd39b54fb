"""Benchmark for infogap.forecast (issue 7): automatic order selection + fit + 12-step forecast for many
simulated monthly series, infogap.forecast.auto_arima side by side with pmdarima.auto_arima and
statsforecast's AutoARIMA, in one run.

Series: `--series` simulated monthly series of 72-144 months, each a level + random trend + a yearly
pattern of random shape and size + ARMA(1,1) noise, with a random-walk component in a third of them (so d
and D vary). The last 12 months are held out; MASE (scaled by the in-sample seasonal-naive MAE) is computed
on them, for every library, in this process, with infogap.forecast.forecast_metrics.

All three run on one core with single-threaded BLAS (threadpoolctl), seasonal period m=12, stepwise search,
default options otherwise. statsforecast pins pandas<3, so it runs in its own virtual environment,
bench/.venvs/statsforecast (built by `make peers`; `--statsforecast-python` to use another), as a subprocess
that answers one series at a time (bench/peer_statsforecast.py --serve); its one-off start-up and warm-up are
reported apart.

Speed, same work: on the first `--peer-series` series, `--repeats` times, the three libraries take turns on
each series (the order rotates from series to series), so the three sides see the same series under the same
machine load. Each repeat gives one time per library (sum over those series) and one ratio per pair; the
JSON keeps every repeat's times (wall and CPU) and the range of the ratios. pmdarima's exact-ML search takes
~8 s per seasonal series here, which is why it runs on those series only.

Accuracy: the speed repeats' first forecasts, then each library once on the rest of the first `--peer-series`
series and infogap and statsforecast once on the rest of the `--series` (mean MASE, the d and D chosen).

    .venv/bin/python bench/forecast.py [--series 100] [--peer-series 15] [--speed-series 8] [--repeats 3] [--fixture tests/fixtures/forecast_peers.json]
    .venv/bin/python bench/forecast.py --skip-accuracy --speed-series 6 --repeats 1 --rotation R --speed-out runR.json   # R = 0, 1, 2 at once
    .venv/bin/python bench/forecast.py --combine run0.json run1.json run2.json    # -> bench/results/forecast_speed.json

Writes bench/results/forecast_speed.json (speed) and, unless --skip-accuracy, bench/results/forecast.json
(accuracy); with --fixture also the first `--fixture-series` series, their hold-outs and the peers' forecasts,
which nbs/05_forecast.ipynb and tests/test_forecast_peers.py assert against.

The stored forecast.json is the issue's 500 series with pmdarima on the first 40 (`--series 500 --peer-series
40`, about an hour on a quiet machine), written by this script's previous version: its accuracy fields stand,
its speed fields set pmdarima's 40 series against infogap's 500 and are superseded by forecast_speed.json, which
is the three concurrent process runs shown above (rotations 0, 1, 2) merged with --combine."""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import REPO, PeerMissing, machine, peer_python, ratio_range, write_result  # noqa: E402
from infogap import __version__  # noqa: E402
from infogap.forecast import auto_arima, forecast_metrics  # noqa: E402


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


class StatsforecastPeer:
    """statsforecast's AutoARIMA in its own venv, one series per request (bench/peer_statsforecast.py --serve):
    the subprocess is started and warmed up once, then timed per series by itself (wall and its own CPU)."""
    def __init__(self, python, warmup_series, h=12, m=12):
        self.h, self.m = h, m
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([str(python), str(Path(__file__).resolve().parent / "peer_statsforecast.py"), "--serve"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        hello = self._ask({"name": "warm-up", "y": warmup_series, "m": m, "h": h})
        self.startup_s, self.warmup_s, self.version = time.perf_counter() - t0, hello["warmup_s"], hello["statsforecast_version"]

    def _ask(self, req):
        self.proc.stdin.write(json.dumps(req) + "\n"); self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line: raise RuntimeError(f"statsforecast peer exited with code {self.proc.wait()}")
        return json.loads(line)

    def __call__(self, y, h=12):
        "One series: (forecast mean or None, model name, the peer's own wall and CPU seconds)."
        r = self._ask({"name": y.name, "y": y.iloc[:-h].tolist(), "m": self.m, "h": h})
        return r["mean"], r["model"], r["seconds"], r["cpu_seconds"]

    def close(self):
        self.proc.stdin.close(); self.proc.wait(timeout=60)


def in_process(fn):
    "Run one of ours/pmdarima on a series: (forecast or None, model name, wall s, CPU s of this process)."
    def run(y, h=12):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        try:
            fc, name = fn(y, h)
        except Exception as e:  # a library failing on a series counts as a failure, not as a crash of the benchmark
            fc, name = None, f"failed: {type(e).__name__}"
        return fc, name, time.perf_counter() - wall0, time.process_time() - cpu0
    return run


def mase(y, fc, h=12):
    return float("nan") if fc is None else float(forecast_metrics(y.iloc[-h:], np.asarray(fc, float), y.iloc[:-h], m=12).MASE)


def _orders(name: str):
    "(p, d, q, P, D, Q) from a model name like ARIMA(1,1,0)(0,1,1)[12] ... (a missing seasonal part is (0,0,0))."
    mt = re.match(r"ARIMA\((\d+),(\d+),(\d+)\)(?:\((\d+),(\d+),(\d+)\))?", name or "")
    return tuple(int(v or 0) for v in mt.groups()) if mt else None


def _dD(name: str):
    "(d, D) from a model name."
    o = _orders(name)
    return None if o is None else (o[1], o[4])


LIBS = ("infogap", "pmdarima", "statsforecast")


def speed(series, runs, repeats, h, first, rotation=0):
    """The three libraries take turns on each series (the order rotates from series to series and from repeat to
    repeat), `repeats` times. Returns per library the wall and CPU seconds of each repeat (summed over the series)
    and each series' seconds; fills `first` with repeat 1's (forecast, model) and checks later repeats choose the same."""
    times = {lib: {"wall_s": [], "cpu_s": [], "per_series_wall_s": []} for lib in LIBS}
    for rep in range(repeats):
        wall = {lib: [] for lib in LIBS}; cpu = {lib: 0.0 for lib in LIBS}
        t0 = time.perf_counter()
        for i, y in enumerate(series):
            for j in range(3):
                lib = LIBS[(i + rep + rotation + j) % 3]
                fc, name, w, c = runs[lib](y, h)
                wall[lib].append(w); cpu[lib] += c
                if rep == 0: first[lib][i] = (fc, name)
                elif name != first[lib][i][1]:
                    raise SystemExit(f"{lib} chose {name} on {y.name} in repeat {rep + 1}, {first[lib][i][1]} before")
        for lib in LIBS:
            times[lib]["wall_s"].append(sum(wall[lib])); times[lib]["cpu_s"].append(cpu[lib])
            times[lib]["per_series_wall_s"].append(wall[lib])
        print(f"speed repeat {rep + 1}/{repeats} on {len(series)} series ({time.perf_counter() - t0:.0f} s, load "
              f"{os.getloadavg()[0]:.1f}): " + ", ".join(f"{lib} {sum(wall[lib]):.1f} s" for lib in LIBS), flush=True)
    return times


def speed_ratios(times):
    return {"pmdarima_over_infogap_wall": ratio_range(times["pmdarima"]["wall_s"], times["infogap"]["wall_s"]),
            "infogap_over_statsforecast_wall": ratio_range(times["infogap"]["wall_s"], times["statsforecast"]["wall_s"]),
            "pmdarima_over_infogap_cpu": ratio_range(times["pmdarima"]["cpu_s"], times["infogap"]["cpu_s"]),
            "infogap_over_statsforecast_cpu": ratio_range(times["infogap"]["cpu_s"], times["statsforecast"]["cpu_s"])}


def combine(paths, out):
    """One speed result from separate process runs on the same series (each run's repeats kept, in order): the
    ratios' range is over all repeats of all runs. Runs on a shared machine at once see the same load."""
    runs = [json.loads(Path(p).read_text()) for p in paths]
    base = runs[0]
    for r in runs[1:]:
        if (r["series"], r["seed"], r["models"]) != (base["series"], base["seed"], base["models"]):
            raise SystemExit(f"cannot combine: {paths[0]} and another run differ in series, seed or chosen models")
    times = {lib: {key: [v for r in runs for v in r[lib][key]] for key in ("wall_s", "cpu_s", "per_series_wall_s", "s_per_series")}
             for lib in LIBS}
    res = {**{k: v for k, v in base.items() if k not in ("machine", "rotation", *LIBS)},
           "repeats": len(times["infogap"]["wall_s"]), "process_runs": len(runs),
           "how": base["how"] + f"; {len(runs)} process runs of bench/forecast.py --skip-accuracy (rotations "
                  f"{[r['rotation'] for r in runs]}), run at the same time and merged with --combine",
           "statsforecast_startup_s": [r["statsforecast_startup_s"] for r in runs],
           "statsforecast_warmup_s": [r["statsforecast_warmup_s"] for r in runs],
           **times, "ratios": speed_ratios(times), "runs": [r["machine"] for r in runs], "machine": machine()}
    write_result(out, res)
    print(json.dumps(res["ratios"], indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--series", type=int, default=100, help="series for the accuracy part (the issue names 500)")
    ap.add_argument("--peer-series", type=int, default=15, help="the first this many also go through pmdarima (~8 s each)")
    ap.add_argument("--speed-series", type=int, default=8, help="the first this many are timed, all three libraries taking turns")
    ap.add_argument("--repeats", type=int, default=3, help="timing repeats on the speed series")
    ap.add_argument("--skip-accuracy", action="store_true", help="time only (writes --speed-out, not --out)")
    ap.add_argument("--rotation", type=int, default=0,
                    help="who goes first on the first series (0-2): give separate process runs different turns")
    ap.add_argument("--combine", nargs="+", metavar="SPEED_JSON",
                    help="merge the speed results of separate process runs (same series) into --speed-out, and stop")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--statsforecast-python", default=None,
                    help="python of the statsforecast venv (default: bench/.venvs/statsforecast, built by `make peers`)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "forecast.json"))
    ap.add_argument("--speed-out", default=str(Path(__file__).parent / "results" / "forecast_speed.json"))
    ap.add_argument("--fixture", default=None, help="also write the first --fixture-series series + peer forecasts here")
    ap.add_argument("--fixture-series", type=int, default=15)
    a = ap.parse_args()
    if a.combine: return combine(a.combine, a.speed_out)
    try:
        sf_python = peer_python("statsforecast", a.statsforecast_python)
    except PeerMissing as e:
        raise SystemExit(f"bench/forecast.py: {e}")
    h, info = 12, machine(blas_threads=1)
    n = max(a.speed_series, 1) if a.skip_accuracy else a.series
    series = simulate(max(n, a.speed_series), a.seed)
    ks = min(max(a.speed_series, 1), len(series))
    k = max(ks, min(a.peer_series, n))                      # pmdarima's series: the speed series and maybe more
    runs = {"infogap": in_process(run_ours), "pmdarima": in_process(run_pmdarima)}
    first = {lib: [None] * len(series) for lib in LIBS}     # (forecast, model) of each library's first run on a series
    with threadpool_limits(1, "blas"):
        sf = StatsforecastPeer(sf_python, series[0].iloc[:-h].tolist(), h)
        runs["statsforecast"] = sf
        times = speed(series[:ks], runs, a.repeats, h, first, a.rotation)
        if not a.skip_accuracy:
            for i, y in enumerate(series[ks:n], start=ks):  # accuracy on the rest: each library once
                for lib in (LIBS if i < k else ("infogap", "statsforecast"))[:: 1 if i % 2 else -1]:
                    first[lib][i] = runs[lib](y, h)[:2]
                if (i + 1) % 50 == 0: print(f"accuracy: {i + 1}/{n} series", flush=True)
        sf.close()
    versions = {"infogap": __version__, "pmdarima": __import__("pmdarima").__version__, "statsforecast": sf.version}
    sp = {"benchmark": "auto ARIMA selection + fit + 12-step forecast, same simulated monthly series (m=12), speed",
          "series": ks, "repeats": a.repeats, "seed": a.seed, "rotation": a.rotation,
          "how": f"the first {ks} series of bench/forecast.py's simulation (seed {a.seed}); in each repeat infogap, pmdarima "
                 "and statsforecast take turns on every series (rotating order), one core, single-threaded BLAS. wall_s / cpu_s: "
                 "per repeat, summed over the series; statsforecast's are its subprocess's own, start-up and warm-up "
                 "excluded (reported apart)",
          "versions": versions, "statsforecast_runs_in": str(sf_python.relative_to(REPO) if sf_python.is_relative_to(REPO) else sf_python),
          "statsforecast_startup_s": sf.startup_s, "statsforecast_warmup_s": sf.warmup_s,
          **{lib: {**times[lib], "s_per_series": [t / ks for t in times[lib]["wall_s"]]} for lib in LIBS},
          "ratios": speed_ratios(times),
          "models": {lib: [first[lib][i][1] for i in range(ks)] for lib in LIBS},
          "machine": info}
    write_result(a.speed_out, sp)
    print(json.dumps(sp["ratios"], indent=1))
    if a.skip_accuracy: return
    m = {lib: np.array([mase(y, r[0], h) if r else np.nan for y, r in zip(series, first[lib])]) for lib in LIBS}
    names = {lib: [r[1] if r else None for r in first[lib]] for lib in LIBS}
    common = np.isfinite(m["infogap"][:k]) & np.isfinite(m["pmdarima"][:k]) & np.isfinite(m["statsforecast"][:k])
    both = np.isfinite(m["infogap"]) & np.isfinite(m["statsforecast"])

    def side(lib, upto):
        return {"version": versions[lib], "mean_mase": float(np.nanmean(m[lib][:upto])), "median_mase": float(np.nanmedian(m[lib][:upto])),
                "mean_mase_on_pmdarima_series": float(np.mean(m[lib][:k][common])), "failures": int(np.isnan(m[lib][:upto]).sum())}

    res = {"benchmark": "auto ARIMA selection + fit + 12-step forecast, simulated monthly series (m=12), accuracy",
           "n_series": n, "peer_series": k, "seed": a.seed, "speed": f"{Path(a.speed_out).name} (the same run)",
           "infogap": side("infogap", n), "pmdarima": side("pmdarima", k), "statsforecast": side("statsforecast", n),
           "infogap_mase_wins_vs_pmdarima": int((m["infogap"][:k][common] < m["pmdarima"][:k][common] - 1e-9).sum()),
           "ties_vs_pmdarima": int((np.abs(m["infogap"][:k][common] - m["pmdarima"][:k][common]) <= 1e-9).sum()),
           "infogap_mase_wins_vs_statsforecast": int((m["infogap"][both] < m["statsforecast"][both] - 1e-9).sum()),
           "ties_vs_statsforecast": int((np.abs(m["infogap"][both] - m["statsforecast"][both]) <= 1e-9).sum()),
           "same_d_D_as_statsforecast": int(sum(_dD(x) is not None and _dD(x) == _dD(q) for x, q in zip(names["infogap"], names["statsforecast"]))),
           "same_orders_as_statsforecast": int(sum(_orders(x) is not None and _orders(x) == _orders(q)
                                                   for x, q in zip(names["infogap"], names["statsforecast"]))),
           "mean_mase_difference_infogap_minus_statsforecast": float(np.mean(m["infogap"][both] - m["statsforecast"][both])),
           "per_series": [{"name": y.name, "n": len(y), **{f"{lib}_model": names[lib][i] for lib in LIBS},
                           **{f"{lib}_mase": (float(m[lib][i]) if first[lib][i] else None) for lib in LIBS}}
                          for i, y in enumerate(series[:n])],
           "machine": info}
    write_result(a.out, res)
    print(json.dumps({k2: v for k2, v in res.items() if k2 not in ("machine", "per_series")}, indent=2))
    if a.fixture:
        nf = min(a.fixture_series, n)
        fx = {"source": "bench/forecast.py " + " ".join(sys.argv[1:]), "m": 12, "h": h, "seed": a.seed,
              "statsforecast_version": sf.version,
              "series": [{"name": y.name, "start": str(y.index[0].date()), "train": y.iloc[:-h].tolist(), "test": y.iloc[-h:].tolist(),
                          "infogap_model": names["infogap"][i], "infogap_mase": float(m["infogap"][i]),
                          "pmdarima_model": names["pmdarima"][i],
                          "pmdarima_mean": None if first["pmdarima"][i] is None else np.asarray(first["pmdarima"][i][0], float).tolist(),
                          "statsforecast_model": names["statsforecast"][i], "statsforecast_mean": first["statsforecast"][i][0]}
                         for i, y in enumerate(series[:nf])]}
        Path(a.fixture).write_text(json.dumps(fx))


if __name__ == "__main__":
    main()
