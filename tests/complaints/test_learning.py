"""The learned-routing pipelines themselves (no database), the vocabulary one and the hashed
one: one case at a time gives the numbers the batch gives, a stored pipeline predicts what the
fitted one did, and the reasons are the case's own words."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from complaints.learning import RoutingPipeline, loads
from complaints.learning_hashed import HashedRoutingPipeline, column, spill
from tests.complaints.learned_history import generated


@pytest.fixture(scope="module", params=[RoutingPipeline, HashedRoutingPipeline], ids=["tfidf", "hashing"])
def fitted(request):
    rows = list(generated())
    return request.param().fit(rows[:800], [r["department"] for r in rows[:800]]), rows[800:]


def test_one_case_at_filing_gets_the_probabilities_of_the_batch(fitted):
    pipeline, rows = fitted

    batch = pipeline.probabilities(rows[:50])
    one_by_one = np.vstack([pipeline.probabilities([row]) for row in rows[:50]])

    assert np.allclose(batch, one_by_one, atol=1e-5)
    assert np.allclose(one_by_one.sum(axis=1), 1.0)


def test_a_stored_pipeline_suggests_what_the_fitted_one_did(fitted):
    pipeline, rows = fitted

    stored = loads(pipeline.dumps())

    assert type(stored) is type(pipeline)
    assert [s.label for s in stored.suggest(rows[:20])[0]] == [s.label for s in pipeline.suggest(rows[:20])[0]]


def test_the_words_that_weighed_most_are_nouns_of_the_case(fitted):
    pipeline, rows = fitted
    row = rows[0]
    top = pipeline.suggest([row])[0][0].label

    words = pipeline.weighing_words(row, top, k=4)

    assert 1 <= len(words) <= 4
    assert all(word in row["nouns"].split() and weight > 0 for word, weight in words)
    assert [w for _word, w in words] == sorted((w for _word, w in words), reverse=True)


def test_a_token_is_hashed_to_the_column_the_hashing_vectoriser_uses():
    tokens = ["가로등", "버스", "n", "472", " 버", "스 ", "주차장"]
    for size in (2**10, 2**15, 2**17):
        counts = HashingVectorizer(analyzer=lambda text: text, n_features=size, alternate_sign=False, norm=None)
        matrix = counts.transform([tokens])

        assert sorted(matrix.indices.tolist()) == sorted({column(token, size) for token in tokens})


def test_the_hashed_pipeline_reads_its_history_once_in_chunks_and_fits_the_same_from_any_chunking():
    rows = list(generated())[:600]
    labels = [r["department"] for r in rows]

    with spill(zip(rows, labels, strict=True), chunk_size=128, cut=540) as spilled:
        assert [(c.rows, c.held_out) for c in spilled.chunks] == [(128, False)] * 4 + [(28, False), (60, True)]
        assert spilled.documents == {False: 540, True: 60}
        measured = HashedRoutingPipeline(chunk_size=128).fit_spilled(spilled, held_out=False)
        top1, top3 = measured.accuracy_spilled(spilled)

    assert 0.6 < top1 <= top3 <= 1.0
    # Hashed features do not depend on the chunking: the idf and kept columns are the same.
    whole = HashedRoutingPipeline(chunk_size=1000).fit(rows[:540], labels[:540])
    assert np.array_equal(whole.char_columns, measured.char_columns)
    assert np.allclose(whole.char_idf, measured.char_idf)
