"""Which language a text is in, told from its script (Korean or English), and a select whose
options carry their own language (WCAG 3.1.2): see ``templatetags/language.py``."""

import re

from django import forms
from django.utils.html import strip_tags
from django.utils.translation import get_language

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


class OwnLanguageSelect(forms.Select):
    """A select of records people wrote (themed calls, polls): each option whose text is not
    in the page's language says which language it is in."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        language = language_of(label)
        if value not in ("", None) and language != page_language():
            option["attrs"] = {**option["attrs"], "lang": language}
        return option
