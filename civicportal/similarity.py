"""How alike two Korean (or mixed) texts are: one service for the officer's duplicate panel
and the Oasis similar-proposal finder.

A text becomes two bags of features:

- its **nouns** (``civicportal.nouns``, kiwipiepy), so particles and endings do not matter
  (가로등이 and 가로등은 are 가로등) and compounds split the same way whether spaced or not
  (불법주차 and 불법 주차 are 불법 + 주차);
- its **character 2- and 3-grams** with spaces and punctuation removed, which catch what the
  analyser splits oddly (온열의자 becomes 열 + 의자, but keeps 온열 as a bigram), spelling variants
  (보도블럭, 보도블록) and spacing.

Each bag is weighted by TF-IDF (sublinear term frequency, inverse document frequency) and
compared by cosine; the score is a weighted mean of the two cosines, between 0 and 1. The
document frequencies come from a fixed reference collection of everyday Seoul complaints and
proposals (``similarity_corpus.txt``), not from the rows being compared: a score then means
the same whether three cases or three thousand proposals are candidates, so one threshold per
use (``settings.SIMILARITY_THRESHOLDS``) holds everywhere. Words the collection never saw get
the highest weight: a rare shared word is the strongest sign of the same subject.

Callers select candidates in the database (near in place and time, public, ...) and pass their
text; scoring happens here, in Python, on every database alike. Imports no program app.
"""

import functools
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from sklearn.feature_extraction.text import TfidfVectorizer

from civicportal.nouns import nouns_list

__all__ = ["Candidate", "DEFAULT_THRESHOLDS", "features", "most_similar", "score", "threshold"]

# Tuned on tests/similarity/pairs.tsv (bench/similarity_quality.py prints precision and recall).
DEFAULT_THRESHOLDS = {"complaints": 0.42, "proposals": 0.44}
# Share of the noun cosine in the score; the rest is the character n-gram cosine.
NOUN_WEIGHT = 0.5
# Long texts are cut: the first paragraphs say what a case is about.
MAX_CHARS = 600
CORPUS = Path(__file__).with_name("similarity_corpus.txt")

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Candidate:
    """A row to compare: ``key`` comes back with the score; ``nouns`` may be the row's stored
    nouns (space separated) to spare the analyser, else they are worked out from ``text``."""

    key: object
    text: str
    nouns: str | None = None


def threshold(use: str) -> float:
    """The configured score from which two texts of ``use`` count as similar."""
    configured = getattr(settings, "SIMILARITY_THRESHOLDS", {}) or {}
    return float(configured.get(use, DEFAULT_THRESHOLDS[use]))


def _compact(text: str) -> str:
    text = unicodedata.normalize("NFKC", (text or "")[:MAX_CHARS]).lower()
    return _NON_WORD.sub("", text)


def _char_grams(text: str) -> list[str]:
    compact = _compact(text)
    grams = [compact[i : i + 2] for i in range(len(compact) - 1)]
    grams += [compact[i : i + 3] for i in range(len(compact) - 2)]
    if len(compact) == 1:
        grams.append(compact)
    return grams


def features(text: str, nouns: str | None = None) -> tuple[list[str], list[str]]:
    """The two bags of a text: its nouns and its character n-grams."""
    words = nouns.split() if nouns is not None else nouns_list((text or "")[:MAX_CHARS])
    return words, _char_grams(text)


def _identity(tokens):
    return tokens


def _idf(docs) -> tuple[dict, float]:
    """Smoothed idf (scikit-learn's): ln((1 + n) / (1 + df)) + 1, and the value for a word the
    collection never saw (df = 0)."""
    fitted = TfidfVectorizer(analyzer=_identity).fit(docs)
    idf = dict(zip(fitted.get_feature_names_out().tolist(), fitted.idf_.tolist(), strict=True))
    return idf, math.log(1.0 + len(docs)) + 1.0


class _Weights:
    """Inverse document frequencies of the reference collection, for both bags."""

    def __init__(self, texts: list[str]):
        bags = [features(t) for t in texts]
        self.nouns, self.unseen_nouns = _idf([b[0] for b in bags])
        self.chars, self.unseen_chars = _idf([b[1] for b in bags])


@functools.cache
def _weights() -> _Weights:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return _Weights([line for line in lines if line.strip() and not line.startswith("#")])


def _vector(bag, idf, unseen) -> dict:
    """TF-IDF (sublinear tf) of a bag, of length 1."""
    weights = {term: (1.0 + math.log(count)) * idf.get(term, unseen) for term, count in Counter(bag).items()}
    length = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {term: w / length for term, w in weights.items()}


# Candidates come back look-up after look-up (a citizen typing a title, an officer reopening a
# case): their vectors are kept, a bounded number of them.
@functools.lru_cache(maxsize=10_000)
def _vectors(text: str, nouns: str | None) -> tuple[dict, dict]:
    words, grams = features(text, nouns)
    weights = _weights()
    return _vector(words, weights.nouns, weights.unseen_nouns), _vector(grams, weights.chars, weights.unseen_chars)


def _cosine(a: dict, b: dict) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(w * b.get(term, 0.0) for term, w in a.items())


def _score(query, candidate) -> float:
    return NOUN_WEIGHT * _cosine(query[0], candidate[0]) + (1.0 - NOUN_WEIGHT) * _cosine(query[1], candidate[1])


def score(text_a: str, text_b: str) -> float:
    """How alike two texts are, from 0 (nothing shared) to 1 (the same words)."""
    return _score(_vectors((text_a or "")[:MAX_CHARS], None), _vectors((text_b or "")[:MAX_CHARS], None))


def most_similar(text: str, candidates, *, use: str, limit: int = 5, nouns: str | None = None):
    """The candidates at least as alike to ``text`` as the threshold of ``use``, most alike
    first (ties: the later key first), as ``(key, score)`` pairs, at most ``limit``."""
    candidates = list(candidates)
    if not candidates or not _compact(text):
        return []
    cut = threshold(use)
    query = _vectors(text[:MAX_CHARS], nouns)
    ranked = []
    for candidate in candidates:
        value = _score(query, _vectors((candidate.text or "")[:MAX_CHARS], candidate.nouns))
        if value >= cut:
            ranked.append((value, candidate.key))
    ranked.sort(key=lambda item: (-item[0], _sort_key(item[1])))
    return [(key, round(value, 3)) for value, key in ranked[:limit]]


def _sort_key(key):
    return -key if isinstance(key, int | float) else 0
