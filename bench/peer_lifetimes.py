"""Peer check for the CLV chapter: fit the `lifetimes` package (0.11.3) on the CDNOW sample.

lifetimes 0.11.3 does not import with today's numpy/pandas/scipy, so this runs in its own virtual environment,
bench/.venvs/lifetimes, built by `make peers` from bench/peers/lifetimes.txt (it is never imported by infogap):

    bench/.venvs/lifetimes/bin/python bench/peer_lifetimes.py summary.csv out.json

Also fits the Pareto/NBD (ParetoNBDFitter), which the chapter compares with its own from-scratch fit.

`summary.csv` holds customer_id, frequency, recency, T, monetary_value (weeks) of the CDNOW sample, calibration
to 1997-09-30, as `infogap.dataprep.summary_data` writes it. `bench/peer_fixtures.py` does both steps from the
main environment and compares (or, with --write, replaces) tests/fixtures/clv_lifetimes_peer.json, which the
chapter (nbs/06_clv.ipynb) asserts its results against.
"""
import json, sys, time
import numpy as np, pandas as pd
import lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

src, dst = sys.argv[1], sys.argv[2]
s = pd.read_csv(src)
f, r, T, m = s.frequency, s.recency, s["T"], s.monetary_value
out = {"lifetimes_version": lifetimes.__version__, "n_customers": len(s)}
t0 = time.perf_counter(); bg = BetaGeoFitter().fit(f, r, T); out["bg_seconds"] = time.perf_counter() - t0
out["bg_params"] = {k: float(bg.params_[k]) for k in ["r", "alpha", "a", "b"]}
out["bg_se"] = {k: float(bg.summary.loc[k, "se(coef)"]) for k in ["r", "alpha", "a", "b"]}
out["bg_loglik"] = float(-bg._negative_log_likelihood_ * len(s))
first = slice(0, 20)
L = lambda v: np.asarray(v, float)[first].tolist()
out["bg_expected_39"] = L(bg.conditional_expected_number_of_purchases_up_to_time(39, f, r, T))
out["bg_p_alive"] = L(bg.conditional_probability_alive(f, r, T))
out["bg_unconditional"] = {str(t): float(bg.expected_number_of_purchases_up_to_time(t)) for t in (1, 10, 39, 78)}
mbg = ModifiedBetaGeoFitter().fit(f, r, T)
out["mbg_params"] = {k: float(mbg.params_[k]) for k in ["r", "alpha", "a", "b"]}
out["mbg_expected_39"] = L(mbg.conditional_expected_number_of_purchases_up_to_time(39, f, r, T))
out["mbg_p_alive"] = L(mbg.conditional_probability_alive(f, r, T))
out["mbg_unconditional"] = {str(t): float(mbg.expected_number_of_purchases_up_to_time(t)) for t in (1, 10, 39, 78)}
t0 = time.perf_counter(); pn = ParetoNBDFitter().fit(f, r, T); out["pnbd_seconds"] = time.perf_counter() - t0
out["pnbd_params"] = {k: float(pn.params_[k]) for k in ["r", "alpha", "s", "beta"]}
out["pnbd_expected_39"] = L(pn.conditional_expected_number_of_purchases_up_to_time(39, f, r, T))
out["pnbd_p_alive"] = L(pn.conditional_probability_alive(f, r, T))
out["pnbd_unconditional"] = {str(t): float(pn.expected_number_of_purchases_up_to_time(t)) for t in (1, 10, 39, 78)}
rep = s[s.frequency > 0]
gg = GammaGammaFitter().fit(rep.frequency, rep.monetary_value)
out["gg_params"] = {k: float(gg.params_[k]) for k in ["p", "q", "v"]}
out["gg_se"] = {k: float(gg.summary.loc[k, "se(coef)"]) for k in ["p", "q", "v"]}
out["gg_expected_spend"] = L(gg.conditional_expected_average_profit(f, m))
out["clv_12m_1pct"] = L(gg.customer_lifetime_value(bg, f, r, T, m, time=12, discount_rate=0.01, freq="W"))
out["clv_12m_1pct_total"] = float(gg.customer_lifetime_value(bg, f, r, T, m, time=12, discount_rate=0.01, freq="W").sum())
json.dump(out, open(dst, "w"), indent=1)
print(json.dumps({k: out[k] for k in ["bg_params", "bg_loglik", "pnbd_params", "gg_params", "clv_12m_1pct_total"]}, indent=1))
