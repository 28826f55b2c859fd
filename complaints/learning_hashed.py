"""Learned routing at any size: hashed features fitted from a stream (scikit-learn; no Django).

The rows, labels, suggestions and reasons are those of ``complaints.learning.RoutingPipeline``;
what changes is how the features are made and how the classifier is fitted, so that a year of
a city's cases (a million and more) trains in bounded memory:

- No vocabulary: each noun and each character n-gram (``char_wb`` 2–3) is hashed into a fixed
  number of columns (``HashingVectorizer``, ``alternate_sign=False``). Meta (kind, category,
  district) stays one-hot, its few names collected as they come.
- One pass over the history (``spill``): the hashed counts of each chunk are written to a
  temporary folder, and the document frequencies, labels and meta names are counted. Memory
  holds one chunk, never the history.
- The inverse document frequency of each column comes from those counts (smoothed as
  ``TfidfVectorizer`` does; a column in fewer documents than ``min_df`` is dropped); each
  block is 1 + log(tf) × idf, l2-normalised and weighted as in the vocabulary pipeline.
- The classifier sees only the columns that some row used (a few thousand of the 2^17 on the
  generated history): its weights stay small enough for the processor's cache, which makes
  each pass several times faster than over the whole hashed width, and the stored model small.
- ``SGDClassifier.partial_fit`` over the spilled chunks for a few epochs, chunks and rows in a
  new random order each epoch.

Without a vocabulary the reasons of a suggestion come from the row's own words: each noun of
the row is hashed to its column and its coefficient read there (plus its share of the
character n-grams it contains), as before.
"""

import math
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import normalize
from sklearn.utils import murmurhash3_32

from complaints.learning import (
    CHAR_WEIGHT,
    META_WEIGHT,
    NOUN_WEIGHT,
    LinearScoring,
    _meta,
    _raw,
    split_words,
)

NOUN_BITS = 15
CHAR_BITS = 17
CHUNK_SIZE = 20_000
EPOCHS = 5
NOUN_MIN_DF = 2
CHAR_MIN_DF = 3
FEATURES = "hashing"


def column(token: str, n_features: int) -> int:
    """The column ``HashingVectorizer`` gives ``token`` (signed 32-bit murmurhash3, seed 0)."""
    h = murmurhash3_32(token, seed=0)
    if h == -(2**31):
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features


def idf(document_frequency: np.ndarray, documents: int, min_df: int) -> np.ndarray:
    """Smoothed idf as ``TfidfVectorizer`` computes it; 0 where fewer than ``min_df`` rows."""
    values = np.log((1.0 + documents) / (1.0 + document_frequency)) + 1.0
    values[document_frequency < min_df] = 0.0
    return values.astype(np.float32)


@dataclass
class Chunk:
    path: Path
    rows: int
    held_out: bool


@dataclass
class Spilled:
    """One pass over a history: hashed counts per chunk on disk, and what the fit needs to know
    beforehand (documents and document frequencies of the training part and of all rows, the
    labels, the meta names)."""

    directory: Path
    noun_features: int
    char_features: int
    chunks: list[Chunk] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    meta: dict[str, int] = field(default_factory=dict)
    documents: dict[bool, int] = field(default_factory=lambda: {False: 0, True: 0})
    noun_df: dict[bool, np.ndarray] = field(default_factory=dict)
    char_df: dict[bool, np.ndarray] = field(default_factory=dict)
    seen: dict[bool, set] = field(default_factory=lambda: {False: set(), True: set()})
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.documents[False] + self.documents[True]

    def label_names(self, codes=None) -> list[str]:
        names = sorted(self.labels, key=self.labels.get)
        return names if codes is None else [names[c] for c in sorted(codes)]

    def cleanup(self):
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.cleanup()


def spill(pairs, *, noun_bits=NOUN_BITS, char_bits=CHAR_BITS, chunk_size=CHUNK_SIZE, cut=None, directory=None):
    """Read ``pairs`` (row, label) once, oldest first; rows from index ``cut`` on are the
    held-out part (None: none). Returns a ``Spilled`` whose folder the caller removes
    (``with spill(...) as spilled:``)."""
    started = time.perf_counter()
    spilled = Spilled(Path(tempfile.mkdtemp(prefix="routing-", dir=directory)), 2**noun_bits, 2**char_bits)
    for part in (False, True):
        spilled.noun_df[part] = np.zeros(spilled.noun_features, dtype=np.int64)
        spilled.char_df[part] = np.zeros(spilled.char_features, dtype=np.int64)
    nouns, chars = _hashers(spilled.noun_features, spilled.char_features)
    buffer, held_out = [], False
    for index, (row, label) in enumerate(pairs):
        if cut is not None and index == cut and buffer:
            _write(spilled, nouns, chars, buffer, held_out)
            buffer = []
        held_out = cut is not None and index >= cut
        buffer.append((row, label))
        if len(buffer) >= chunk_size:
            _write(spilled, nouns, chars, buffer, held_out)
            buffer = []
    if buffer:
        _write(spilled, nouns, chars, buffer, held_out)
    spilled.seconds = time.perf_counter() - started
    return spilled


def _hashers(noun_features, char_features):
    common = {"alternate_sign": False, "norm": None, "dtype": np.float32}
    return (
        HashingVectorizer(analyzer=split_words, n_features=noun_features, **common),
        HashingVectorizer(analyzer="char_wb", ngram_range=(2, 3), n_features=char_features, **common),
    )


def _write(spilled, nouns, chars, pairs, held_out):
    noun_counts = nouns.transform([row.get("nouns") or "" for row, _label in pairs]).tocsr()
    char_counts = chars.transform([_raw(row) for row, _label in pairs]).tocsr()
    meta = np.array(
        [[spilled.meta.setdefault(name, len(spilled.meta)) for name in _meta(row)] for row, _label in pairs],
        dtype=np.int32,
    )
    labels = np.array([spilled.labels.setdefault(str(label), len(spilled.labels)) for _row, label in pairs])
    spilled.seen[held_out].update(np.unique(labels).tolist())
    spilled.documents[held_out] += len(pairs)
    np.add.at(spilled.noun_df[held_out], noun_counts.indices, 1)
    np.add.at(spilled.char_df[held_out], char_counts.indices, 1)
    path = spilled.directory / f"{len(spilled.chunks):06d}.npz"
    np.savez(
        path,
        noun_data=noun_counts.data,
        noun_indices=noun_counts.indices,
        noun_indptr=noun_counts.indptr,
        char_data=char_counts.data,
        char_indices=char_counts.indices,
        char_indptr=char_counts.indptr,
        meta=meta,
        labels=labels.astype(np.int32),
    )
    spilled.chunks.append(Chunk(path, len(pairs), held_out))


class HashedRoutingPipeline(LinearScoring):
    """Hashers, idf and classifier; pickled whole (joblib) into a RoutingModel like the
    vocabulary pipeline, and used through the same methods."""

    classifier_name = "sgd"
    features_name = FEATURES

    def __init__(self, *, noun_bits=NOUN_BITS, char_bits=CHAR_BITS, epochs=EPOCHS, chunk_size=CHUNK_SIZE, seed=0):
        self.noun_features, self.char_features = 2**noun_bits, 2**char_bits
        self.nouns, self.chars = _hashers(self.noun_features, self.char_features)
        self.epochs, self.chunk_size, self.seed = epochs, chunk_size, seed
        # Per block: the hashed columns kept (sorted) and their idf, in the classifier's order.
        self.noun_columns = self.char_columns = None
        self.noun_idf = self.char_idf = None
        self.meta_vocabulary: dict[str, int] = {}
        # alpha: 5e-6 held top-3 best of 2e-6, 5e-6 and 1e-5 on the generated 100,000 (bench/routing_scale.py).
        self.classifier = SGDClassifier(loss="log_loss", alpha=5e-6, random_state=seed)

    # --- fitting ---------------------------------------------------------------------------

    def fit(self, rows, labels, *, directory=None):
        """Fit from rows and labels (any iterables, read once, in order)."""
        bits = {"noun_bits": int(math.log2(self.noun_features)), "char_bits": int(math.log2(self.char_features))}
        with spill(zip(rows, labels, strict=True), chunk_size=self.chunk_size, directory=directory, **bits) as spilled:
            return self.fit_spilled(spilled)

    def fit_spilled(self, spilled: Spilled, *, held_out=True):
        """Fit from a spilled history: all of it, or its training part (``held_out=False``)."""
        started = time.perf_counter()
        parts = (False, True) if held_out else (False,)
        documents = sum(spilled.documents[p] for p in parts)
        noun_idf = idf(sum(spilled.noun_df[p] for p in parts), documents, NOUN_MIN_DF)
        char_idf = idf(sum(spilled.char_df[p] for p in parts), documents, CHAR_MIN_DF)
        self.noun_columns, self.char_columns = np.flatnonzero(noun_idf), np.flatnonzero(char_idf)
        self.noun_idf, self.char_idf = noun_idf[self.noun_columns], char_idf[self.char_columns]
        self.__dict__.pop("_lookups", None)
        self.meta_vocabulary = dict(spilled.meta)
        codes = set().union(*(spilled.seen[p] for p in parts))
        classes = np.array(spilled.label_names(codes), dtype=object)
        names = np.array(spilled.label_names(), dtype=object)
        chunks = [c for c in spilled.chunks if held_out or not c.held_out]
        rng = np.random.default_rng(self.seed)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=ConvergenceWarning)
            for _epoch in range(self.epochs):
                for i in rng.permutation(len(chunks)):
                    matrix, labels = self._load(chunks[i], spilled)
                    order = rng.permutation(len(labels))
                    self.classifier.partial_fit(matrix[order], names[labels[order]], classes=classes)
        # float32 halves the stored model; predictions do not move.
        self.classifier.coef_ = self.classifier.coef_.astype(np.float32)
        self.classifier.intercept_ = self.classifier.intercept_.astype(np.float32)
        self.fit_seconds = spilled.seconds + time.perf_counter() - started
        return self

    def _load(self, chunk: Chunk, spilled: Spilled):
        with np.load(chunk.path) as stored:
            shape = (chunk.rows, self.noun_features)
            nouns = sparse.csr_matrix((stored["noun_data"], stored["noun_indices"], stored["noun_indptr"]), shape=shape)
            shape = (chunk.rows, self.char_features)
            chars = sparse.csr_matrix((stored["char_data"], stored["char_indices"], stored["char_indptr"]), shape=shape)
            meta, labels = stored["meta"], stored["labels"]
        return self._weigh(nouns, chars, meta), labels

    def accuracy_spilled(self, spilled: Spilled, k=3) -> tuple[float, float]:
        """(top-1, top-k) on the held-out chunks of ``spilled``."""
        names = np.array(spilled.label_names(), dtype=object)
        top1 = topk = total = 0
        for chunk in spilled.chunks:
            if not chunk.held_out:
                continue
            matrix, labels = self._load(chunk, spilled)
            probabilities = self.classifier.predict_proba(matrix)
            top = self.classifier.classes_[np.argsort(-probabilities, axis=1)[:, :k]]
            truth = names[labels]
            top1 += int((top[:, 0] == truth).sum())
            topk += int((top == truth[:, np.newaxis]).any(axis=1).sum())
            total += len(labels)
        return (top1 / total, topk / total) if total else (0.0, 0.0)

    # --- features --------------------------------------------------------------------------

    def _column_lookups(self):
        """Per block: hashed column → the classifier's column (-1: dropped)."""
        lookups = self.__dict__.get("_lookups")
        if lookups is None:
            lookups = []
            for size, kept in ((self.noun_features, self.noun_columns), (self.char_features, self.char_columns)):
                lookup = np.full(size, -1, dtype=np.int64)
                lookup[kept] = np.arange(len(kept))
                lookups.append(lookup)
            self.__dict__["_lookups"] = lookups
        return lookups

    def _weigh(self, noun_counts, char_counts, meta_columns) -> sparse.csr_matrix:
        """Hashed counts → the stacked feature matrix over the kept columns (1 + log tf, idf,
        l2 norm per block, block weight; meta one-hot). ``meta_columns``: rows of meta column
        numbers, -1 for none."""
        blocks = []
        for counts, lookup, weights, weight in (
            (noun_counts, self._column_lookups()[0], self.noun_idf, NOUN_WEIGHT),
            (char_counts, self._column_lookups()[1], self.char_idf, CHAR_WEIGHT),
        ):
            counts = sparse.csr_matrix(counts)
            columns = lookup[counts.indices]
            kept = columns >= 0
            indptr = np.concatenate(([0], np.cumsum(kept)))[counts.indptr]
            columns = columns[kept]
            data = (np.log(counts.data[kept].astype(np.float64)) + 1.0) * weights[columns]
            block = sparse.csr_matrix((data, columns, indptr), shape=(counts.shape[0], len(weights)))
            blocks.append(normalize(block, copy=False) * weight)
        meta_columns = np.asarray(meta_columns, dtype=np.int64).reshape(len(meta_columns), -1)
        rows, cols = np.nonzero(meta_columns >= 0)
        width = len(self.meta_vocabulary)
        blocks.append(
            sparse.csr_matrix(
                (np.full(len(rows), META_WEIGHT), (rows, meta_columns[rows, cols])), shape=(len(meta_columns), width)
            )
        )
        return sparse.hstack(blocks, format="csr")

    def _stack(self, rows):
        rows = list(rows)
        nouns = self.nouns.transform([row.get("nouns") or "" for row in rows])
        chars = self.chars.transform([_raw(row) for row in rows])
        meta = [[self.meta_vocabulary.get(name, -1) for name in _meta(row)] for row in rows]
        return self._weigh(nouns, chars, np.array(meta, dtype=np.int64).reshape(len(rows), 3))

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.classifier.classes_]

    # --- using -----------------------------------------------------------------------------

    def probabilities(self, rows) -> np.ndarray:
        """One probability per department (``labels`` order) for each row: scikit-learn's
        one-vs-rest log-loss estimates, normalised over departments."""
        rows = list(rows)
        if len(rows) == 1 and len(self.classifier.classes_) > 2:
            return self._one_probabilities(rows[0])[np.newaxis, :]
        return self.classifier.predict_proba(self._stack(rows))

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_analysers", None)
        state.pop("_lookups", None)
        return state

    def _analyse_fns(self):
        analysers = self.__dict__.get("_analysers")
        if analysers is None:
            analysers = self.__dict__["_analysers"] = (self.nouns.build_analyzer(), self.chars.build_analyzer())
        return analysers

    def _one_vector(self, row) -> dict[int, float]:
        """The stacked feature vector of one row as {column: value}, computed as ``_weigh``
        does, without scikit-learn's per-call cost (filing scores one case at a time)."""
        analyse_nouns, analyse_chars = self._analyse_fns()
        lookups = self._column_lookups()
        vector = {}
        offset = 0
        for analyse, text, size, lookup, weights, weight in (
            (analyse_nouns, row.get("nouns") or "", self.noun_features, lookups[0], self.noun_idf, NOUN_WEIGHT),
            (analyse_chars, _raw(row), self.char_features, lookups[1], self.char_idf, CHAR_WEIGHT),
        ):
            counts = {}
            for token in analyse(text):
                index = int(lookup[column(token, size)])
                if index >= 0:
                    counts[index] = counts.get(index, 0) + 1
            values = {i: (math.log(c) + 1.0) * float(weights[i]) for i, c in counts.items()}
            norm = math.sqrt(sum(v * v for v in values.values()))
            for i, v in values.items():
                vector[offset + i] = v / norm * weight
            offset += len(weights)
        for name in _meta(row):
            index = self.meta_vocabulary.get(name)
            if index is not None:
                vector[offset + index] = META_WEIGHT
        return vector

    def weighing_words(self, row, label, k=5) -> list[tuple[str, float]]:
        """The words of ``row`` that weighed most for ``label``: each noun's column (its hash)
        × coefficient, plus its share of every character n-gram it contains (n-grams of
        particles and endings belong to no noun and are left out)."""
        if label not in self.labels:
            return []
        coef = self._coefficients(label)
        vector = self._one_vector(row)
        contribution = {i: v * float(coef[i]) for i, v in vector.items()}
        noun_lookup, char_lookup = self._column_lookups()
        words = {}
        for word in split_words(row.get("nouns") or ""):
            if word not in words:
                # Two nouns that share a column are each credited with it.
                words[word] = float(contribution.get(int(noun_lookup[column(word, self.noun_features)]), 0.0))
        if words:
            padded = [(word, f" {word} ") for word in words]
            seen = set()
            for gram in self._analyse_fns()[1](_raw(row)):
                if gram in seen:
                    continue
                seen.add(gram)
                index = int(char_lookup[column(gram, self.char_features)])
                share = contribution.get(len(self.noun_idf) + index) if index >= 0 else None
                if not share:
                    continue
                piece = gram.strip() or gram
                owners = [word for word, spaced in padded if piece in spaced]
                for owner in owners:
                    words[owner] += share / len(owners)
        ranked = sorted(((w, s) for w, s in words.items() if s > 0), key=lambda item: -item[1])
        return ranked[:k]

    # --- storage ---------------------------------------------------------------------------

    def dumps(self) -> bytes:
        from complaints.learning import dumps

        return dumps(self)


def train_streamed(pairs, *, cut=None, directory=None, **options):
    """Fit from a stream of (row, label), read once. With ``cut`` (rows before the held-out
    part), a first model fitted on the rows before it is measured on the rest, then the
    stored model is fitted on all of them, from the same spilled chunks.

    Returns (pipeline or None when fewer than two departments, (top-1, top-3) or None,
    Spilled summary: rows, held-out rows, departments)."""
    bits = {key: options.pop(key) for key in ("noun_bits", "char_bits") if key in options}
    chunk_size = options.get("chunk_size", CHUNK_SIZE)
    with spill(pairs, chunk_size=chunk_size, cut=cut, directory=directory, **bits) as spilled:
        summary = {
            "rows": spilled.rows,
            "held_out": spilled.documents[True],
            "departments": len(spilled.labels),
        }
        if len(spilled.labels) < 2:
            return None, None, summary
        measured = None
        if spilled.documents[True] and len(spilled.seen[False]) >= 2:
            model = HashedRoutingPipeline(**bits, **options).fit_spilled(spilled, held_out=False)
            measured = model.accuracy_spilled(spilled)
        pipeline = HashedRoutingPipeline(**bits, **options).fit_spilled(spilled)
        return pipeline, measured, summary
