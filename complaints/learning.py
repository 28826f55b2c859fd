"""Learned routing: features, training, suggestions and their reasons (scikit-learn; no Django).

A case is a row ``{"title", "text", "nouns", "kind", "category", "district"}``; its label is
the department that finally answered it. Features: TF-IDF over the Korean nouns the portal
already extracts (``civicportal.nouns``), TF-IDF over character n-grams of the raw title and
text (``char_wb`` 2–3: they survive particles, spacing and spelling that the noun analyser
misses), and one-hot kind, category and district. A linear classifier gives a probability per
department; the top three are the suggestions, and coefficient × feature value tells which
words weighed most for one of them.

``complaints.suggestions`` stores, loads and uses the fitted pipeline; ``bench/routing_learning.py``
measures it. Nothing here reads the database.
"""

import io
import time
import warnings
from dataclasses import dataclass

import joblib
import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier

# Weights of the three feature blocks, chosen on the generated history (bench/routing_learning.py).
NOUN_WEIGHT = 1.0
CHAR_WEIGHT = 1.0
META_WEIGHT = 0.5
CHAR_FEATURES = 2**16
CLASSIFIERS = ("sgd", "logreg")


def split_words(value: str) -> list[str]:
    """The nouns column is already analysed: space-separated nouns."""
    return value.split()


def _meta(row) -> dict:
    return {
        f"kind={row.get('kind') or ''}": 1.0,
        f"category={row.get('category') or ''}": 1.0,
        f"district={row.get('district') or ''}": 1.0,
    }


def _raw(row) -> str:
    return f"{row.get('title') or ''} {row.get('text') or ''}"


@dataclass
class Suggestion:
    label: str
    confidence: float


class LinearScoring:
    """What both pipelines share once a row is a sparse vector (``_one_vector``) and the
    classifier is linear: probabilities of one case, the top ``k``, a label's coefficients."""

    def _one_probabilities(self, row) -> np.ndarray:
        vector = self._one_vector(row)
        columns = np.fromiter(vector.keys(), dtype=np.int64, count=len(vector))
        values = np.fromiter(vector.values(), dtype=np.float64, count=len(vector))
        coef = self.classifier.coef_
        scores = coef[:, columns].astype(np.float64) @ values + self.classifier.intercept_
        probabilities = 1.0 / (1.0 + np.exp(-scores))
        total = probabilities.sum()
        return probabilities / total if total else np.full_like(probabilities, 1.0 / len(probabilities))

    def suggest(self, rows, k=3) -> list[list[Suggestion]]:
        """The ``k`` most likely departments of each row, most likely first."""
        probabilities = self.probabilities(rows)
        labels = self.classifier.classes_
        top = np.argsort(-probabilities, axis=1)[:, :k]
        return [[Suggestion(str(labels[j]), float(probabilities[i, j])) for j in top[i]] for i in range(len(top))]

    def _coefficients(self, label) -> np.ndarray:
        classes = list(self.classifier.classes_)
        coef = self.classifier.coef_
        if coef.shape[0] == 1:  # two classes: one row, positive for the second
            return coef[0] if classes.index(label) == 1 else -coef[0]
        return coef[classes.index(label)]


class RoutingPipeline(LinearScoring):
    """Vectorisers and classifier fitted together; pickled whole (joblib) into a RoutingModel.
    The stored versions' first kind; ``complaints.learning_hashed`` is the one trained now
    (no vocabulary, fitted from a stream: any history size)."""

    features_name = "tfidf"

    def __init__(self, *, classifier="sgd", char_features=CHAR_FEATURES, seed=0):
        if classifier not in CLASSIFIERS:
            raise ValueError(f"unknown classifier {classifier!r}")
        self.classifier_name = classifier
        self.nouns = TfidfVectorizer(
            analyzer=split_words, min_df=2, sublinear_tf=True, dtype=np.float32, max_features=200_000
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 3),
            min_df=3,
            sublinear_tf=True,
            max_features=char_features,
            dtype=np.float32,
        )
        self.meta = DictVectorizer(dtype=np.float32)
        if classifier == "sgd":
            self.classifier = SGDClassifier(
                loss="log_loss", alpha=2e-6, max_iter=20, tol=1e-3, random_state=seed, n_jobs=1
            )
        else:
            self.classifier = LogisticRegression(C=20.0, max_iter=200, solver="lbfgs")

    # --- fitting ---------------------------------------------------------------------------

    def _stack(self, rows, *, fit=False):
        rows = list(rows)
        nouns = [row.get("nouns") or "" for row in rows]
        raw = [_raw(row) for row in rows]
        meta = [_meta(row) for row in rows]
        if fit:
            blocks = [self.nouns.fit_transform(nouns), self.chars.fit_transform(raw), self.meta.fit_transform(meta)]
        else:
            blocks = [self.nouns.transform(nouns), self.chars.transform(raw), self.meta.transform(meta)]
        weights = (NOUN_WEIGHT, CHAR_WEIGHT, META_WEIGHT)
        return sparse.hstack([block * weight for block, weight in zip(blocks, weights, strict=True)], format="csr")

    def fit(self, rows, labels):
        started = time.perf_counter()
        matrix = self._stack(rows, fit=True)
        with warnings.catch_warnings():
            # A few passes are enough for routing; full convergence only costs time.
            warnings.filterwarnings("ignore", category=ConvergenceWarning)
            self.classifier.fit(matrix, np.asarray(labels))
        # float32 halves the stored model; predictions do not move.
        self.classifier.coef_ = self.classifier.coef_.astype(np.float32)
        self.classifier.intercept_ = self.classifier.intercept_.astype(np.float32)
        self.fit_seconds = time.perf_counter() - started
        return self

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.classifier.classes_]

    # --- using -----------------------------------------------------------------------------

    def probabilities(self, rows) -> np.ndarray:
        """One probability per department (``labels`` order) for each row. For SGD these are
        scikit-learn's one-vs-rest log-loss estimates, normalised over departments."""
        rows = list(rows)
        if len(rows) == 1 and self._fast_path():
            return self._one_probabilities(rows[0])[np.newaxis, :]
        return self.classifier.predict_proba(self._stack(rows))

    # --- one case at a time (filing): the same numbers without scikit-learn's per-call cost ---

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_analysers", None)
        return state

    def _fast_path(self) -> bool:
        return self.classifier_name == "sgd" and len(self.classifier.classes_) > 2

    def _one_vector(self, row) -> dict[int, float]:
        """The stacked feature vector of one row as {column: value}, computed as the
        vectorisers do (counts, 1 + log tf, idf, l2 norm per block, block weight)."""
        analysers = self.__dict__.get("_analysers")
        if analysers is None:
            analysers = self._analysers = (self.nouns.build_analyzer(), self.chars.build_analyzer())
        vector = {}
        offset = 0
        for vectoriser, analyse, text, weight in (
            (self.nouns, analysers[0], row.get("nouns") or "", NOUN_WEIGHT),
            (self.chars, analysers[1], _raw(row), CHAR_WEIGHT),
        ):
            counts = {}
            vocabulary = vectoriser.vocabulary_
            for token in analyse(text):
                index = vocabulary.get(token)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            values = {i: (np.log(c) + 1.0) * vectoriser.idf_[i] for i, c in counts.items()}
            norm = float(np.sqrt(sum(v * v for v in values.values())))
            for i, v in values.items():
                vector[offset + i] = float(v) / norm * weight if norm else 0.0
            offset += len(vocabulary)
        for name in _meta(row):
            index = self.meta.vocabulary_.get(name)
            if index is not None:
                vector[offset + index] = META_WEIGHT
        return vector

    def weighing_words(self, row, label, k=5) -> list[tuple[str, float]]:
        """The words of ``row`` that weighed most for ``label``: coefficient × feature value
        of each noun, plus its share of every character n-gram it contains (n-grams of
        particles and endings belong to no noun and are left out)."""
        if label not in self.labels:
            return []
        coef = self._coefficients(label)
        if self._fast_path():
            vector = self._one_vector(row)
            contribution = {i: v * float(coef[i]) for i, v in vector.items()}
        else:
            matrix = self._stack([row]).tocsr()
            contribution = dict(zip(matrix.indices, matrix.data * coef[matrix.indices], strict=True))
        nouns_size = len(self.nouns.vocabulary_)
        words = {}
        for word in split_words(row.get("nouns") or ""):
            index = self.nouns.vocabulary_.get(word)
            if index is not None:
                words[word] = words.get(word, 0.0) + float(contribution.get(index, 0.0))
            else:
                words.setdefault(word, 0.0)
        if words:
            for gram, index in self._grams_of(row):
                owners = [w for w in words if gram in f" {w} "]
                share = float(contribution.get(nouns_size + index, 0.0)) / len(owners) if owners else 0.0
                for owner in owners:
                    words[owner] += share
        ranked = sorted(((w, s) for w, s in words.items() if s > 0), key=lambda item: -item[1])
        return ranked[:k]

    def _grams_of(self, row):
        analyse = self.chars.build_analyzer()
        vocabulary = self.chars.vocabulary_
        seen = set()
        for gram in analyse(_raw(row)):
            index = vocabulary.get(gram)
            if index is not None and gram not in seen:
                seen.add(gram)
                yield gram.strip() or gram, index

    # --- storage ---------------------------------------------------------------------------

    def dumps(self) -> bytes:
        return dumps(self)

    @staticmethod
    def loads(data: bytes):
        return loads(data)


def dumps(pipeline) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    return buffer.getvalue()


def loads(data: bytes):
    """A stored pipeline of either kind: this module's vocabulary pipeline (every version
    stored before hashing came) or ``complaints.learning_hashed``'s."""
    from complaints.learning_hashed import HashedRoutingPipeline

    pipeline = joblib.load(io.BytesIO(bytes(data)))
    if not isinstance(pipeline, RoutingPipeline | HashedRoutingPipeline):
        raise TypeError("not a routing pipeline")
    return pipeline


def accuracy(pipeline: RoutingPipeline, rows, labels, k=3) -> tuple[float, float]:
    """(top-1, top-k) accuracy of ``pipeline`` on ``rows``."""
    labels = [str(label) for label in labels]
    if not labels:
        return 0.0, 0.0
    suggestions = pipeline.suggest(rows, k=k)
    top1 = sum(1 for got, want in zip(suggestions, labels, strict=True) if got and got[0].label == want)
    topk = sum(1 for got, want in zip(suggestions, labels, strict=True) if want in {s.label for s in got})
    return top1 / len(labels), topk / len(labels)
