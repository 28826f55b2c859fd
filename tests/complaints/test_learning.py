"""The learned-routing pipeline itself (no database): one case at a time gives the numbers the
batch gives, a stored pipeline predicts what the fitted one did, and the reasons are the case's
own words."""

import numpy as np
import pytest

from complaints.learning import RoutingPipeline
from tests.complaints.learned_history import generated


@pytest.fixture(scope="module")
def fitted():
    rows = list(generated())
    return RoutingPipeline().fit(rows[:800], [r["department"] for r in rows[:800]]), rows[800:]


def test_one_case_at_filing_gets_the_probabilities_of_the_batch(fitted):
    pipeline, rows = fitted

    batch = pipeline.probabilities(rows[:50])
    one_by_one = np.vstack([pipeline.probabilities([row]) for row in rows[:50]])

    assert np.allclose(batch, one_by_one, atol=1e-5)
    assert np.allclose(one_by_one.sum(axis=1), 1.0)


def test_a_stored_pipeline_suggests_what_the_fitted_one_did(fitted):
    pipeline, rows = fitted

    stored = RoutingPipeline.loads(pipeline.dumps())

    assert [s.label for s in stored.suggest(rows[:20])[0]] == [s.label for s in pipeline.suggest(rows[:20])[0]]


def test_the_words_that_weighed_most_are_nouns_of_the_case(fitted):
    pipeline, rows = fitted
    row = rows[0]
    top = pipeline.suggest([row])[0][0].label

    words = pipeline.weighing_words(row, top, k=4)

    assert 1 <= len(words) <= 4
    assert all(word in row["nouns"].split() and weight > 0 for word, weight in words)
    assert [w for _word, w in words] == sorted((w for _word, w in words), reverse=True)
