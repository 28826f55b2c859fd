"""Labels of libraries' models that their own catalogues leave untranslated in Korean.

Django looks in the project's catalogue (LOCALE_PATHS) first, so marking the msgids here
keeps them in ``locale/ko`` when ``makemessages`` rewrites it; nothing imports this module.
"""

from django.utils.translation import gettext_noop

LABELS = [
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("periodic task track"),
    gettext_noop("periodic task tracks"),
]
