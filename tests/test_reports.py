"""Every reports/*.ipynb renders with the small parameters stored in its parameters cell
(`# test_parameters = {...}`) to a self-contained page that shows the headline numbers it computed.

Render times are recorded in reports/out/tests/<name>.json but not asserted: speed goals live in bench/,
never in timed unit tests (a loaded CI machine must not turn a correct report red)."""
import json
import re

import nbformat
import pytest

from conftest import OUT, REPORTS, discovered_reports

NAMES = discovered_reports()


def test_reports_exist():
    assert "dataprep" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_report_follows_contract(name, reports):
    info = reports[name]
    for p, t in [("data", "str"), ("columns", "dict"), ("lang", "str"), ("seed", "int")]:
        assert p in info.params, f"{name}: required parameter {p!r} missing"
        assert info.params[p].type == t, f"{name}: parameter {p!r} must be declared as {t}"
    assert info.test_parameters, f"{name}: add '# test_parameters = {{...}}' to the parameters cell"
    assert set(info.test_parameters) <= set(info.params), f"{name}: test_parameters names unknown parameters"
    assert info.title != name and info.description, f"{name}: first markdown cell needs '# Title' and '> description'"
    nb = nbformat.read(REPORTS / f"{name}.ipynb", as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{name}: commit without outputs"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert any("report_footer()" in c.source for c in nb.cells if c.cell_type == "code"), f"{name}: no footer"


@pytest.mark.parametrize("name", NAMES)
def test_report_renders_with_headlines(name, rendered):
    from infogap.report.page import esc
    from infogap.report.render import assert_offline
    r = rendered[name]
    assert r.status == "ok", f"{name} failed: {r.error} (see {r.failed_notebook})"
    page = r.html.read_text(encoding="utf-8")
    assert_offline(page, name)
    assert "<script" not in page.lower()
    assert r.headlines, f"{name}: call headline(...) in the summary"
    for h in r.headlines:   # the very numbers the kernel computed, as the reader sees them
        m = re.search(rf'data-headline-key="{re.escape(h["key"])}"><div class="ig-headline-value">(.*?)</div>', page)
        assert m and m.group(1) == esc(h["text"]), (name, h)
    assert "data:image/png;base64," in page or "<svg" in page, f"{name}: no figure"
    assert 'class="ig-footer"' in page and "data sha256" in page
    meta = json.loads((OUT / f"{name}.json").read_text())
    assert meta["status"] == "ok" and meta["headlines"] == r.headlines


def test_index_lists_every_report(rendered):
    page = (OUT / "index.html").read_text(encoding="utf-8")
    from infogap.report.page import esc
    for name, r in rendered.items():
        assert f'href="{name}.html"' in page
        for h in r.headlines: assert esc(h["text"]) in page


def test_index_in_analyst_order_and_names_each_data_set(rendered, reports):
    """data check → personas → propensity → CLV → recommendations → forecast → A/B → BERT, and the data each report ran
    on beside it: the CDNOW sample (2,357 customers) and the full CDNOW (23,570) are never read as the same data."""
    from infogap.report.page import esc
    from infogap.report.render import REPORT_ORDER, data_description
    page = (OUT / "index.html").read_text(encoding="utf-8")
    at = [page.index(f'href="{n}.html"') for n in REPORT_ORDER if n in rendered]
    assert at == sorted(at)
    for name, r in rendered.items():
        row = page[page.index(f'href="{name}.html"'):]
        row = row[:row.index("</tr>")]
        data = json.loads((OUT / f"{name}.json").read_text())["data"]
        assert data == r.parameters.get("data", reports[name].params["data"].default)
        assert "Data: " + esc(data_description(data)) in row and "not recorded" not in row, name
    assert "2,357 customers" in data_description("cdnow_sample") and "23,570 customers" in data_description("cdnow_master")


def test_dataprep_numbers_match_published_cdnow_summary(reports, tmp_path):
    """Default run on the CDNOW sample: counts and the repeat-buyer share agree with the 2,357-customer
    BTYD summary published with the `lifetimes` package (calibration 1997-01-01..1997-09-30)."""
    from infogap.datasets import load_cdnow, load_cdnow_reference_summary
    from infogap.report.render import render_report
    r = render_report(reports["dataprep"], {}, out_dir=tmp_path)
    assert r.status == "ok", r.error
    h = {x["key"]: x["value"] for x in r.headlines}
    ref = load_cdnow_reference_summary()
    cd = load_cdnow("sample")
    assert h["customers"] == len(ref) == 2357
    assert h["transactions"] == len(cd) == 6919
    assert h["revenue"] == pytest.approx(cd.amount.sum(), abs=0.005)          # $244,091.94
    assert h["repeat_share"] == pytest.approx((ref.frequency > 0).mean())     # 946 / 2357 = 40.1%
    assert "1997-09-30" in r.html.read_text()                                  # the midpoint calibration end


def test_hostile_data_is_escaped(hostile_render):
    from infogap.report.page import esc
    from infogap.report.testing import HOSTILE_STRINGS
    page = hostile_render.html.read_text(encoding="utf-8")
    for s in HOSTILE_STRINGS:
        assert s not in page                      # never as markup ...
    assert esc(HOSTILE_STRINGS[0]) in page        # ... but shown as text


def test_recommendations_rank_with_the_winner_and_reasons_are_true(rendered):
    """On MovieLens 100k item-kNN beats popularity under the BERT chapter's full-ranking leave-last-out test
    (README: HR@10 0.0626 against 0.0498), so it ranks the lists; every "you rated X" names films of the user's own
    history that are the largest terms of the film's item-kNN score, recomputed here from the chapter's model."""
    import pandas as pd
    from infogap.bertrec import ItemKNNRecommender, sequences_from_ratings
    from infogap.datasets import load_movielens_100k
    r = rendered["recommendations"]
    assert r.status == "ok", r.error
    h = {x["key"]: x["value"] for x in r.headlines}
    assert h["method"] == "item-kNN"
    assert h["hit_rate"] == pytest.approx(0.0626, abs=5e-4) and h["hit_rate_popularity"] == pytest.approx(0.0498, abs=5e-4)
    assert "ranked by item-kNN" in r.html.read_text(encoding="utf-8")
    lists = pd.read_csv(OUT / "recommendations.csv")
    assert set(lists.user_id) == {1, 2} and len(lists) == 2 * 10
    seqs = sequences_from_ratings(load_movielens_100k().ratings)
    knn = ItemKNNRecommender(100).fit(seqs)
    for row in lists.itertuples():
        hist = seqs[row.user_id]
        assert row.item_id not in hist
        col = knn.similarity_[:, [knn.item_index_[row.item_id]]].toarray().ravel()
        contrib = pd.Series({i: col[knn.item_index_[i]] for i in set(hist)})
        if row.basis == "popularity":
            assert contrib.max() <= 0 and row.why.startswith("popular")
            continue
        named = [int(x) for x in str(row.reason_item_ids).split()]
        assert named and set(named) <= set(hist), row
        assert contrib[named].min() >= contrib.drop(named).max() - 1e-12, row   # the largest terms of the score
        assert row.why.startswith("you rated")


def test_recommendations_say_when_the_model_loses(reports, tmp_path):
    """Data built so that popularity must win: every user's last film is a blockbuster they have not rated, while their
    history is a niche cluster whose unrated films item-kNN ranks first. The summary says the model loses and the lists
    are popularity's, each labelled "popular"."""
    import numpy as np
    import pandas as pd
    from infogap.report.render import render_report
    rng = np.random.default_rng(0)
    rows = []
    for u in range(80):
        blockbusters = rng.permutation(5)
        niche = 100 + 30 * (u % 4) + rng.choice(30, 8, replace=False)
        for t, item in enumerate([*blockbusters[:2], *niche, blockbusters[2]]):
            rows.append((f"u{u}", f"film{item}", int(rng.integers(1, 6)), t))
    csv = tmp_path / "ratings.csv"
    pd.DataFrame(rows, columns=["who", "what", "stars", "when"]).to_csv(csv, index=False)
    r = render_report(reports["recommendations"], {"data": str(csv), "columns": {"user_id": "who", "item_id": "what",
                      "rating": "stars", "timestamp": "when"}, "n_folds": 2, "users": ["u1"], "n": 5}, out_dir=tmp_path / "out")
    assert r.status == "ok", r.error
    h = {x["key"]: x["value"] for x in r.headlines}
    assert h["method"] == "popularity" and h["hit_rate"] < h["hit_rate_popularity"]
    assert "loses to the popularity baseline" in r.html.read_text(encoding="utf-8")
    lists = pd.read_csv(tmp_path / "out" / "recommendations.csv")
    assert len(lists) == 5 and (lists.basis == "popularity").all() and lists.why.str.startswith("popular").all()


def test_pages_read_as_a_manager_reads(rendered):
    """The words and tables the issue found wrong: no True/False or snake_case in a table, fractions shown as %, money with
    its assumptions beside it, captions that agree with the method, a forecast titled by what it forecasts with its unit,
    no empty column, and a headline score that says why it differs from the benchmark."""
    pages = {n: r.html.read_text(encoding="utf-8") for n, r in rendered.items() if r.status == "ok"}
    for name, page in pages.items():
        tables = "".join(re.findall(r'<table class="ig-table.*?</table>', page, flags=re.S))
        assert not re.search(r"<td[^>]*>(True|False)</td>", tables), f"{name}: True/False in a table"
        assert not re.search(r"<th>[a-z]+_[a-z_]+</th>", tables), f"{name}: a snake_case header"
    if "abtest" in pages:
        assert "Equivalent extra users (%)" in pages["abtest"] and re.search(r'data-label="Equivalent extra users \(%\)">[\d.]+%<', pages["abtest"])
    if "propensity" in pages:
        p = pages["propensity"]
        assert "(unpenalised maximum likelihood, 95% intervals)" not in p and "mild L2 penalty" in p
        h = {x["key"]: x for x in rendered["propensity"].headlines}
        assert "$10.00 margin per buyer and $1.00 per contact" in h["best_profit"]["note"]
        assert h["best_profit"]["note"] in p.replace("&#x27;", "'")
    if "clv" in pages:   # every CLV figure carries the margin and discount it rests on
        h = {x["key"]: x for x in rendered["clv"].headlines}
        assert all("margin 100%, discounted 1.0% a month" in h[k].get("note", "") for k in ("clv_total", "clv_mean")), h
    if "forecast" in pages:
        assert "<h1" in pages["forecast"] and "Sales forecast" not in pages["forecast"]
        label = {x["key"]: x for x in rendered["forecast"].headlines}["next_forecast"]["label"]
        assert label == "Forecast for the next month: passengers", label   # the airline series: its unit named
    if "bertrec" in pages:
        b = pages["bertrec"]
        assert "hidden last choice</th>" not in b.lower() and "not comparable with the full-catalogue benchmark" in b


def test_playbook_without_a_pilot_designs_one_and_with_the_pilot_file_plans(reports, tmp_path):
    """The playbook's two branches on a user's files. CDNOW holds no randomised pilot: the page says so and its contact
    list is a pilot (both arms). That list's customers, with the simulated business's pilot outcomes written into the
    log as purchases, come back through `-p pilot=...`: the page then plans (contacts, profit with its interval)."""
    import numpy as np
    import pandas as pd
    from infogap.playbook import simulate_business
    from infogap.report.render import render_report
    info = reports["playbook"]
    r = render_report(info, {**info.test_parameters, "data": "cdnow_sample"}, out_dir=tmp_path / "no_pilot")
    assert r.status == "ok", r.error
    keys = {h["key"] for h in r.headlines}
    assert {"pilot_customers", "pilot_days"} <= keys and "contacts" not in keys
    assert "contain no randomised pilot" in r.html.read_text(encoding="utf-8")
    listed = pd.read_csv(tmp_path / "no_pilot" / "playbook_contacts.csv")
    assert set(listed["arm"]) == {"contact", "hold out"}
    # a user's pilot: the contact list with arms, and the log with the pilot's four weeks
    biz = simulate_business(6000, seed=0)
    start = biz.truth["as_of"] + pd.Timedelta(days=1)
    pil = biz.data[biz.data.pilot]
    pd.DataFrame({"customer_id": pil.customer_id, "arm": np.where(pil.treatment == 1, "contact", "hold out")}).to_csv(tmp_path / "pilot.csv", index=False)
    buyers = pil[pil.purchased == 1]
    month = pd.DataFrame({"customer_id": buyers.customer_id, "date": start + pd.to_timedelta(np.arange(len(buyers)) % 28, unit="D"),
                          "amount": buyers.revenue})
    pd.concat([biz.extra["transactions"], month]).to_csv(tmp_path / "log.csv", index=False)
    params = {**info.test_parameters, "data": str(tmp_path / "log.csv"), "pilot": str(tmp_path / "pilot.csv"),
              "pilot_start": str(start.date())}
    r = render_report(info, params, out_dir=tmp_path / "pilot")
    assert r.status == "ok", r.error
    h = {x["key"]: x["value"] for x in r.headlines}
    assert h["contacts"] > 0 and h["profit_low"] <= h["profit"] <= h["profit_high"] and "pilot_customers" not in h
    assert "contain no randomised pilot" not in r.html.read_text(encoding="utf-8")
