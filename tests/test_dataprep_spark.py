"""`rfm` and `summary_data` on PySpark in local mode give the pandas answer.

Kept out of the notebook because starting a JVM takes ~10 s; the session (`spark` in conftest.py) is shared by
every Spark test. Skipped, with the reason, where Java or pyspark is missing."""
import shutil
import warnings

import pandas as pd
import pytest

from infogap.datasets import load_cdnow
from infogap.dataprep import rfm, summary_data

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[dev]')")
if shutil.which("java") is None:
    pytest.skip("Java is not on PATH: PySpark needs a JVM (Java 17+)", allow_module_level=True)


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow("sample")


def _spark_frame(spark, df):
    with warnings.catch_warnings():  # pyspark warns that pandas 3 is not fully supported; plain columns are fine
        warnings.simplefilter("ignore", FutureWarning)
        return spark.createDataFrame(df)


def _collect(sdf):
    import narwhals as nw

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return nw.from_native(sdf).collect("pandas").to_native()


def test_summary_data_on_spark_matches_pandas(spark, cdnow):
    expected = summary_data(cdnow, "1997-09-30", holdout_end="1998-06-30")
    got = summary_data(_spark_frame(spark, cdnow), "1997-09-30", holdout_end="1998-06-30")
    assert type(got).__module__.startswith("pyspark")  # lazy stays lazy
    pd.testing.assert_frame_equal(expected, _collect(got), check_dtype=False)


def test_rfm_on_spark_matches_pandas(spark, cdnow):
    expected = rfm(cdnow, "1998-06-30")
    got = _collect(rfm(_spark_frame(spark, cdnow), "1998-06-30"))
    pd.testing.assert_frame_equal(expected, got, check_dtype=False)
    assert len(got) == 2357
