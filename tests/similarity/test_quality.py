"""The similarity service on the labelled Korean pairs (tests/similarity/pairs.tsv): precision
and recall at the thresholds configured in settings, for each use, both at least 0.9."""

from collections import Counter

import pytest

from bench.similarity_quality import load_pairs, precision_recall
from civicportal import similarity

PAIRS = load_pairs()


def test_the_labelled_set_is_large_and_covers_every_kind_of_pair():
    kinds = Counter(pair["kind"] for pair in PAIRS)
    assert len(PAIRS) >= 200
    assert set(kinds) == {"paraphrase", "particles", "compound", "word_order", "spacing", "hard_negative", "unrelated"}
    assert Counter(pair["similar"] for pair in PAIRS)[False] >= 80


@pytest.mark.parametrize("use", ["complaints", "proposals"])
def test_precision_and_recall_at_the_configured_threshold(use):
    scored = [(similarity.score(p["text_a"], p["text_b"]), p["similar"]) for p in PAIRS if p["use"] == use]
    precision, recall = precision_recall(scored, similarity.threshold(use))
    assert precision >= 0.9, precision
    assert recall >= 0.9, recall


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("가로등이 고장났어요", "가로등은 고장이 났습니다"),
        ("불법주차 신고합니다", "불법 주차 신고합니다"),
        ("골목길 가로등 고장", "가로등 고장 골목길"),
    ],
)
def test_particles_compounds_and_word_order_do_not_hide_a_duplicate(a, b):
    assert similarity.score(a, b) >= similarity.threshold("complaints")


def test_unrelated_texts_score_nothing_and_the_same_text_scores_one():
    assert similarity.score("하수구 악취", "재산세 고지서 문의") == 0
    assert similarity.score("하수구 악취가 심해요", "하수구 악취가 심해요") == pytest.approx(1.0)


def test_the_threshold_comes_from_settings(settings):
    settings.SIMILARITY_THRESHOLDS = {"complaints": 0.9}
    assert similarity.threshold("complaints") == 0.9
    assert similarity.threshold("proposals") == similarity.DEFAULT_THRESHOLDS["proposals"]


def test_most_similar_ranks_above_the_threshold_only(settings):
    candidates = [
        similarity.Candidate(1, "버스정류장 그늘막 설치"),
        similarity.Candidate(2, "도서관 야간 개방 확대"),
        similarity.Candidate(3, "버스정류장 그늘막과 온열의자 설치"),
    ]
    found = similarity.most_similar("버스정류장에 그늘막을 설치해 주세요", candidates, use="proposals")
    assert [key for key, _score in found] == [1, 3]
    assert similarity.most_similar("", candidates, use="proposals") == []
    assert similarity.most_similar("그늘막", [], use="proposals") == []
