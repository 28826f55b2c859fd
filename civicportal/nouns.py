"""The nouns of a Korean (or mixed) text, by kiwipiepy's morphological analyser.

Korean particles defeat plain word matching (가로등이 is not 가로등, 그늘막과 is not 그늘막):
complaints' keyword search, 120's knowledge base search and the similarity service
(``civicportal.similarity``) reduce both the stored text and the query to nouns with this one
analyser, on every database. Its model ships inside the PyPI package (no download at run time)
and is loaded once per process, on first use (one model in memory, not one per program)."""

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


def nouns_list(text: str, *, tags=NOUN_TAGS, max_chars=5000) -> list[str]:
    """The distinct nouns (and Latin words, numbers) of ``text``, lower-cased, in order.
    ``tags`` are the kiwipiepy part-of-speech tags kept (120's knowledge base also keeps
    roots, XR); only the first ``max_chars`` characters are read."""
    text = (text or "").strip()
    if not text:
        return []
    words = []
    for token in _analyser().tokenize(text[:max_chars]):
        if token.tag in tags:
            word = token.form.lower()
            if word not in words:
                words.append(word)
    return words


def nouns_of(text: str) -> str:
    """The distinct nouns of ``text``, space separated (what the search columns store)."""
    return " ".join(nouns_list(text))
