"""Arabic and Persian letter variants of one name are one group, while the raw table keeps the
file's text: «شيراز» (Arabic yeh) and «شیراز» (Persian yeh) are one region in the marts, the
filter options and a filtered query; raw.customers still holds both spellings."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.intake import demo, ingest
from dashboard.metrics import kpis
from dashboard.warehouse import build, db
from tests.conftest import DEMO_END_WEEK

#: The spellings the file uses (Arabic keyboard) for some rows, and the Persian name they mean.
VARIANTS = {
    ("customers", "region"): {"شیراز": "شيراز", "تبریز": "تبريز", "تهران": "تهـــران"},
    ("customers", "segment"): {"سازمانی": "سازماني"},
    ("customers", "plan"): {"طلایی": "طلايي"},
    ("customers", "acquisition_channel"): {"مراجعهٔ مستقیم": "مراجعۀ مستقيم"},
    ("complaints", "category"): {"شبکه": "شبكه", "برخورد کارشناس": "برخورد كارشناس"},
}


def fold(text: str) -> str:
    """The grouping name in Python, written out independently of the SQL: Arabic yeh and alef
    maksura to Persian yeh, Arabic kaf to Persian kaf, heh with yeh to heh + hamza, no kashida."""
    for arabic, persian in (("ي", "ی"), ("ى", "ی"), ("ك", "ک"), ("ـ", ""), ("ۀ", "هٔ")):
        text = text.replace(arabic, persian)
    return text


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The Persian world with every other matching row spelled on an Arabic keyboard, written
    to CSV files, read as ingest reads them and built by the real staging and mart SQL."""
    frames = demo.generate(customers=1500, seed=5, weeks=16, end_week=DEMO_END_WEEK,
                           locale="fa")
    folder = tmp_path_factory.mktemp("letters")
    for (table, col), spellings in VARIANTS.items():
        df = frames[table]
        for persian, arabic in spellings.items():
            rows = df.index[df[col] == persian][::2]
            assert len(rows) >= 2, (table, col, persian)
            df.loc[rows, col] = arabic
    for table in build.RAW_TABLES:
        data = demo.assumptions(frames) if table == "assumptions" else frames[table]
        data.to_csv(folder / f"{table}.csv", index=False)
    raw = ingest.read_csv_dir(folder)
    path = folder / "warehouse.duckdb"
    build.build(raw, path)
    files = {t: pd.read_csv(folder / f"{t}.csv", dtype=str) for t in ("customers", "complaints",
                                                                       "survey_responses")}
    return files, db.Warehouse(f"duckdb:///{path}"), raw


def test_the_raw_table_keeps_the_files_spellings(loaded):
    files, wh, _ = loaded
    raw = wh.sql("select region, segment, plan, acquisition_channel from raw.customers")
    for col in ("region", "segment", "plan", "acquisition_channel"):
        assert raw[col].value_counts().to_dict() == files["customers"][col].value_counts().to_dict()
    assert {"شيراز", "شیراز", "تهـــران", "تهران"} <= set(raw["region"])
    cats = wh.sql("select category from raw.complaints")["category"]
    assert cats.value_counts().to_dict() == files["complaints"]["category"].value_counts().to_dict()


def test_marts_group_the_variants_with_the_summed_count(loaded):
    files, wh, _ = loaded
    customers = files["customers"]
    dim = wh.sql("select segment, region, plan, acquisition_channel from marts.dim_customers")
    for col in ("region", "segment", "plan", "acquisition_channel"):
        expected = customers[col].map(fold).value_counts().to_dict()
        assert dim[col].value_counts().to_dict() == expected, col
    # spelled out: one Shiraz, holding the rows of both spellings
    counts = dim["region"].value_counts()
    assert "شيراز" not in counts and "تهـــران" not in counts
    assert counts["شیراز"] == ((customers.region == "شيراز").sum()
                               + (customers.region == "شیراز").sum())
    assert counts["تهران"] == ((customers.region == "تهران").sum()
                               + (customers.region == "تهـــران").sum())
    detail = wh.sql("select category, count(*) as n from marts.fct_complaint_detail "
                    "group by category")
    got = dict(zip(detail["category"], detail["n"], strict=True))
    assert got == files["complaints"]["category"].map(fold).value_counts().to_dict()
    assert got["شبکه"] == files["complaints"]["category"].isin(["شبکه", "شبكه"]).sum()


def test_filter_options_and_a_filtered_query_show_one_group(loaded):
    files, wh, _ = loaded
    fetch = lambda name, **p: db.cached_run(wh, name, **p)  # noqa: E731
    options = kpis.load_catalog(fetch).options
    assert set(options["region"]) == set(files["customers"]["region"].map(fold))
    assert "شيراز" not in options["region"] and "شیراز" in options["region"]
    assert "سازماني" not in options["segment"] and "سازمانی" in options["segment"]
    assert "شبكه" not in options["category"] and "شبکه" in options["category"]
    # the filter on «شیراز» counts the answers of customers spelled either way (pandas join)
    weeks = wh.run("weeks_available")
    df = wh.run("kpi_survey_weekly", start_week=weeks.week_start.min(),
                end_week=weeks.week_start.max(), segments=[], regions=["شیراز"], plans=[])
    customers = files["customers"]
    shiraz = set(customers.customer_id[customers.region.isin(["شيراز", "شیراز"])])
    answers = files["survey_responses"]
    expected = answers.customer_id.isin(shiraz).sum()
    assert expected > 0 and int(df["response_count"].sum()) == expected


def test_postgres_folds_the_same_way(loaded):
    """The staging SQL transpiled to PostgreSQL (translate, replace) groups as DuckDB does."""
    from tests import pg_util

    files, wh, raw = loaded
    server = pg_util.Server()
    try:
        build.build_remote(server.url, raw)
        pg = db.Warehouse(server.url)
        try:
            sql = ("select region, segment, count(*) as n from marts.dim_customers "
                   "group by region, segment")
            got = pg.sql(sql).sort_values(["region", "segment"], ignore_index=True)
            want = wh.sql(sql).sort_values(["region", "segment"], ignore_index=True)
            pd.testing.assert_frame_equal(got, want, check_dtype=False)
            raw_pg = pg.sql("select region from raw.customers")["region"]
            assert raw_pg.value_counts().to_dict() == \
                files["customers"]["region"].value_counts().to_dict()
        finally:
            pg.close()
    finally:
        server.stop()
