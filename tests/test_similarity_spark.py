"""Item–item cosine top-k on Spark MLlib (`spark_item_similarity`) equals the one-machine `similarity_matrix` on
MovieLens 100k. Uses the shared local[2] session. (DIMSUM sampling, `threshold > 0`, is not checked here: a
randomised estimate needs its own study, in bench/, not a unit test.)"""
import warnings

import numpy as np
import pytest

from infogap.datasets import load_movielens_100k
from infogap.dataprep import user_item_matrix
from infogap.similarity import similarity_matrix, spark_item_similarity

K = 20


@pytest.fixture(scope="module")
def movielens(spark):
    ml = load_movielens_100k()
    with warnings.catch_warnings():   # pyspark warns that pandas 3 is not fully supported; plain columns are fine
        warnings.simplefilter("ignore", FutureWarning)
        sdf = spark.createDataFrame(ml.ratings[["user_id", "item_id", "rating"]]).repartition(4).cache()
    uim = user_item_matrix(ml.ratings)
    return sdf, uim


def _rows(S):
    S = S.tocsr()
    return [dict(zip(S.indices[S.indptr[i]:S.indptr[i + 1]], S.data[S.indptr[i]:S.indptr[i + 1]])) for i in range(S.shape[0])]


def test_exact_top_k_equals_similarity_matrix(movielens):
    sdf, uim = movielens
    local = similarity_matrix(uim.matrix, "cosine", kind="item", top_k=K, corated=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        got = spark_item_similarity(sdf, top_k=K)
    assert got.shape == local.shape == (1682, 1682)
    for a, b in zip(_rows(local), _rows(got)):
        assert len(a) == len(b)
        np.testing.assert_allclose(sorted(a.values()), sorted(b.values()), rtol=1e-9, atol=1e-12)
        if a:   # entries above the k-th value are the same pairs; at the k-th value ties may pick other items
            kth = min(a.values())
            assert {j: v for j, v in a.items() if v > kth + 1e-9} == pytest.approx({j: v for j, v in b.items() if v > kth + 1e-9}, rel=1e-9)
