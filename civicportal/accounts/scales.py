"""The 1–5 scales citizens and experts answer with, each step named, so that a person who
reads or hears "1" knows which end it is."""

from django.utils.translation import pgettext_lazy

SATISFACTION_CHOICES = [
    (1, pgettext_lazy("satisfaction", "1 — very dissatisfied")),
    (2, pgettext_lazy("satisfaction", "2 — dissatisfied")),
    (3, pgettext_lazy("satisfaction", "3 — neither")),
    (4, pgettext_lazy("satisfaction", "4 — satisfied")),
    (5, pgettext_lazy("satisfaction", "5 — very satisfied")),
]

SCORE_CHOICES = [
    (1, pgettext_lazy("expert score", "1 — very low")),
    (2, pgettext_lazy("expert score", "2 — low")),
    (3, pgettext_lazy("expert score", "3 — average")),
    (4, pgettext_lazy("expert score", "4 — high")),
    (5, pgettext_lazy("expert score", "5 — very high")),
]
