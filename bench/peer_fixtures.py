"""Where the peer fixtures in tests/fixtures come from, re-run: the peers in their own venvs (`make peers`) on the
same inputs, compared with the stored files (or, with --write, replacing the two this script produces).

    .venv/bin/python bench/peer_fixtures.py            # check; exits 1 on a difference   (~30 s)
    .venv/bin/python bench/peer_fixtures.py --pmdarima # also re-run pmdarima on the 15 forecast series (~3 min)
    .venv/bin/python bench/peer_fixtures.py --write    # rewrite clv_lifetimes_peer.json and forecast_statsforecast_airline.json

* clv_lifetimes_peer.json: bench/peer_lifetimes.py (lifetimes venv) on `summary_data(load_cdnow(), "1997-09-30")`.
* forecast_statsforecast_airline.json: bench/peer_statsforecast.py (statsforecast venv) on log passengers
  1949-1958 (the airline series without its last 24 months), 24 steps ahead.
* forecast_peers.json: written by `bench/forecast.py --fixture`; checked here: its series are bench/forecast.py's
  simulation (seed 0), statsforecast's models and forecasts are what the pinned statsforecast gives today, and
  with --pmdarima so are pmdarima's (tests/test_forecast_peers.py re-runs pmdarima on two of them).

Numbers are compared to a relative 1e-6 (the stored ones were written on another machine: last bits may differ)."""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import BENCH, REPO, PeerMissing, peer_python  # noqa: E402

FIX = REPO / "tests" / "fixtures"
RTOL = 1e-6


def differences(new, old, path=""):
    "Paths where two JSON values differ (numbers beyond RTOL, other values unequal); timing fields are skipped."
    if isinstance(old, dict):
        timing = lambda k: k.endswith(("seconds", "warmup_s")) or k == "aicc"
        keys_old, keys_new = {k for k in old if not timing(k)}, {k for k in new if not timing(k)}
        out = [f"{path}: keys {sorted(keys_old ^ keys_new)}"] if keys_old != keys_new else []
        return out + [d for k in keys_old & keys_new for d in differences(new[k], old[k], f"{path}/{k}")]
    if isinstance(old, list) and old and not isinstance(old[0], (dict, list, str)) and old[0] is not None:
        ok = len(new) == len(old) and np.allclose(np.asarray(new, float), np.asarray(old, float), rtol=RTOL, atol=0)
        return [] if ok else [path]
    if isinstance(old, list):
        return [f"{path}: length"] if len(new) != len(old) else [d for i, (a, b) in enumerate(zip(new, old)) for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(old, float) and isinstance(new, (int, float)):
        return [] if np.isclose(new, old, rtol=RTOL, atol=0) else [f"{path}: {new} != {old}"]
    return [] if new == old else [f"{path}: {new!r} != {old!r}"]


def run_peer(peer, script, *args):
    subprocess.run([str(peer_python(peer)), str(BENCH / script), *map(str, args)], check=True, stdout=subprocess.DEVNULL)


def lifetimes(tmp):
    from infogap.dataprep import summary_data
    from infogap.datasets import load_cdnow
    summary_data(load_cdnow(), "1997-09-30").to_csv(tmp / "summary.csv", index=False)
    run_peer("lifetimes", "peer_lifetimes.py", tmp / "summary.csv", tmp / "clv.json")
    return json.loads((tmp / "clv.json").read_text())


def airline(tmp):
    from infogap.datasets import load_airline
    y = load_airline()
    spec = {"m": 12, "h": 24, "series": {"airline_log_1949_1958": np.log(y.iloc[:-24].to_numpy()).tolist()}}
    (tmp / "air_in.json").write_text(json.dumps(spec))
    run_peer("statsforecast", "peer_statsforecast.py", tmp / "air_in.json", tmp / "air.json")
    return json.loads((tmp / "air.json").read_text())


def forecast_peers(tmp, with_pmdarima):
    "Problems found in forecast_peers.json (its series, statsforecast's answers, and optionally pmdarima's)."
    from forecast import run_pmdarima, simulate
    fx = json.loads((FIX / "forecast_peers.json").read_text())
    h, probs = fx["h"], []
    for y, r in zip(simulate(len(fx["series"]), fx["seed"]), fx["series"]):
        if y.name != r["name"] or differences(y.iloc[:-h].tolist(), r["train"]) or differences(y.iloc[-h:].tolist(), r["test"]):
            probs.append(f"forecast_peers.json: series {r['name']} is not bench/forecast.py's simulation")
    (tmp / "fp_in.json").write_text(json.dumps({"m": fx["m"], "h": h, "series": {r["name"]: r["train"] for r in fx["series"]}}))
    run_peer("statsforecast", "peer_statsforecast.py", tmp / "fp_in.json", tmp / "fp.json")
    sf = json.loads((tmp / "fp.json").read_text())
    probs += [f"forecast_peers.json: statsforecast version {sf['statsforecast_version']} != {fx['statsforecast_version']}"] \
        if sf["statsforecast_version"] != fx["statsforecast_version"] else []
    for r in fx["series"]:
        got = sf["series"][r["name"]]
        probs += [f"forecast_peers.json/{r['name']}/statsforecast{d}" for d in
                  differences({"model": got["model"], "mean": got["mean"]}, {"model": r["statsforecast_model"], "mean": r["statsforecast_mean"]})]
    if with_pmdarima:
        import pandas as pd
        from threadpoolctl import threadpool_limits
        for r in fx["series"]:
            if r["pmdarima_mean"] is None: continue
            y = pd.Series(r["train"] + r["test"], name=r["name"])
            with threadpool_limits(1, "blas"):
                mean, name = run_pmdarima(y, h)
            probs += [f"forecast_peers.json/{r['name']}/pmdarima{d}" for d in
                      differences({"model": name, "mean": np.asarray(mean).tolist()}, {"model": r["pmdarima_model"], "mean": r["pmdarima_mean"]})]
    return probs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the fixtures this script produces instead of checking them")
    ap.add_argument("--pmdarima", action="store_true", help="also re-run pmdarima on forecast_peers.json's series")
    a = ap.parse_args()
    try:
        peer_python("lifetimes"); peer_python("statsforecast")
    except PeerMissing as e:
        raise SystemExit(f"bench/peer_fixtures.py: {e}")
    problems = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name, new in (("clv_lifetimes_peer.json", lifetimes(tmp)), ("forecast_statsforecast_airline.json", airline(tmp))):
            if a.write:
                (FIX / name).write_text(json.dumps(new, indent=1 if name.startswith("clv") else None)); print("wrote", FIX / name)
            else:
                problems += [f"{name}{p}" for p in differences(new, json.loads((FIX / name).read_text()))]
        problems += forecast_peers(tmp, a.pmdarima)
    for p in problems: print("DIFFERS:", p)
    print(f"{len(problems)} difference(s) from the stored fixtures" if problems else "fixtures reproduced by today's pinned peers")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
