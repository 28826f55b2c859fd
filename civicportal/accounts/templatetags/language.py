"""Content in its own language (WCAG 3.1.2).

What people write (a case title, a poll question, a knowledge-base answer) is in the language
its author wrote it in, whatever the page's language. ``{{ text|own_lang }}`` wraps such text
in ``<span lang="…">`` when its script says it is not in the page's language, so screen readers
pronounce it right; ``lang="{{ text|lang_of }}"`` gives the same answer for an element of its own
(a heading, a block of text). Korean and English are told apart by their script.
"""

from django import template
from django.utils.html import conditional_escape, format_html

from civicportal.accounts.language import language_of, page_language

register = template.Library()


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
