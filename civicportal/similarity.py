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
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from civicportal.nouns import nouns_list

__all__ = ["Candidate", "DEFAULT_THRESHOLDS", "features", "most_similar", "score", "threshold"]

# Tuned on tests/similarity/pairs.tsv (bench/similarity_quality.py prints precision and recall).
DEFAULT_THRESHOLDS = {"complaints": 0.42, "proposals": 0.44}
# Share of the noun cosine in the score; the rest is the character n-gram cosine.
NOUN_WEIGHT = 0.5
# Long texts are cut: the first paragraphs say what a case is about.
MAX_CHARS = 600
CORPUS = Path(__file__).with_name("similarity_corpus.txt")

_N_FEATURES = 2**20
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_lock = threading.Lock()


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


_hasher = HashingVectorizer(
    analyzer=_identity, n_features=_N_FEATURES, alternate_sign=False, norm=None, dtype=np.float32
)


class _Weights:
    """Inverse document frequencies of the reference collection, for both bags (hashed)."""

    def __init__(self, texts: list[str]):
        bags = [features(t) for t in texts]
        self.size = len(texts)
        self.nouns = self._idf([b[0] for b in bags])
        self.chars = self._idf([b[1] for b in bags])

    def _idf(self, docs):
        counts = _hasher.transform(docs).tocsc()
        document_frequency = np.diff(counts.indptr).astype(np.float32)
        # Smoothed idf as scikit-learn's TfidfTransformer: ln((1 + n) / (1 + df)) + 1.
        return (np.log((1.0 + self.size) / (1.0 + document_frequency)) + 1.0).astype(np.float32)


@functools.cache
def _weights() -> _Weights:
    with _lock:
        lines = CORPUS.read_text(encoding="utf-8").splitlines()
        return _Weights([line for line in lines if line.strip() and not line.startswith("#")])


def _matrix(bags, idf):
    counts = _hasher.transform(bags)
    counts.data = (1.0 + np.log(counts.data)).astype(np.float32)  # sublinear tf
    weighted = counts @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ weighted


def _scores(query_bags, candidate_bags) -> np.ndarray:
    weights = _weights()
    nouns = _matrix([query_bags[0]] + [b[0] for b in candidate_bags], weights.nouns)
    chars = _matrix([query_bags[1]] + [b[1] for b in candidate_bags], weights.chars)
    noun_cosine = (nouns[1:] @ nouns[0].T).toarray().ravel()
    char_cosine = (chars[1:] @ chars[0].T).toarray().ravel()
    return NOUN_WEIGHT * noun_cosine + (1.0 - NOUN_WEIGHT) * char_cosine


def score(text_a: str, text_b: str) -> float:
    """How alike two texts are, from 0 (nothing shared) to 1 (the same words)."""
    return float(_scores(features(text_a), [features(text_b)])[0])


def most_similar(text: str, candidates, *, use: str, limit: int = 5, nouns: str | None = None):
    """The candidates at least as alike to ``text`` as the threshold of ``use``, most alike
    first (ties: the later key first), as ``(key, score)`` pairs, at most ``limit``."""
    candidates = list(candidates)
    if not candidates or not _compact(text):
        return []
    cut = threshold(use)
    found = _scores(features(text, nouns), [features(c.text, c.nouns) for c in candidates])
    ranked = sorted(
        ((float(s), c.key) for s, c in zip(found, candidates, strict=True) if s >= cut and math.isfinite(s)),
        key=lambda item: (-item[0], _sort_key(item[1])),
    )
    return [(key, round(value, 3)) for value, key in ranked[:limit]]


def _sort_key(key):
    return -key if isinstance(key, int | float) else 0
