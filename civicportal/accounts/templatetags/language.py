"""Content in its own language (WCAG 3.1.2).

What people write (a case title, a poll question, a knowledge-base answer) is in the language
its author wrote it in, whatever the page's language. ``{{ text|own_lang }}`` wraps such text
in ``<span lang="…">`` when its script says it is not in the page's language, so screen readers
pronounce it right; ``lang="{{ text|lang_of }}"`` gives the same answer for an element of its own
(a heading, a block of text). Korean and English are told apart by their script.
"""

import re

from django import template
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.translation import get_language

register = template.Library()

HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
LATIN = re.compile(r"[A-Za-z]")


def page_language():
    return (get_language() or "ko").split("-")[0]


def language_of(text):
    """ "ko" for text mostly in Hangul, "en" for text mostly in Latin letters, else the page's."""
    text = strip_tags(str(text or ""))
    hangul, latin = len(HANGUL.findall(text)), len(LATIN.findall(text))
    if hangul > latin:
        return "ko"
    if latin > hangul:
        return "en"
    return page_language()


@register.filter
def lang_of(text):
    return language_of(text)


@register.filter(needs_autoescape=True)
def own_lang(text, autoescape=True):
    escaped = conditional_escape(text) if autoescape else text
    language = language_of(text)
    if language == page_language():
        return escaped
    # Text already made into paragraphs (``|linebreaks``) needs a block around it.
    element = "div" if "<p>" in str(escaped) else "span"
    return format_html('<{} lang="{}">{}</{}>', element, language, escaped, element)
