"""The nouns of a Korean (or mixed) text, by kiwipiepy's morphological analyser.

Korean particles defeat plain word matching (가로등이 is not 가로등, 그늘막과 is not 그늘막):
complaints' keyword search and Oasis' similar-proposal finder reduce both the stored text
and the query to nouns with this one analyser, on every database. Its model ships inside the
PyPI package (no download at run time) and is loaded once per process, on first use."""

import threading

NOUN_TAGS = ("NNG", "NNP", "SL", "SH", "SN")
_lock = threading.Lock()
_kiwi = None


def _analyser():
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def nouns_list(text: str) -> list[str]:
    """The distinct nouns (and Latin words, numbers) of ``text``, lower-cased, in order."""
    text = (text or "").strip()
    if not text:
        return []
    words = []
    for token in _analyser().tokenize(text[:5000]):
        if token.tag in NOUN_TAGS:
            word = token.form.lower()
            if word not in words:
                words.append(word)
    return words


def nouns_of(text: str) -> str:
    """The distinct nouns of ``text``, space separated (what the search columns store)."""
    return " ".join(nouns_list(text))
