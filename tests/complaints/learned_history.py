"""A small GENERATED history (bench/routing_history.py) loaded as answered, closed cases."""

import functools
from datetime import timedelta

from django.utils import timezone

from bench.routing_history import departments, generate
from civicportal.accounts.demo import DEPARTMENTS
from civicportal.accounts.models import Department, District
from complaints.models import Case, RoutingSettings, Status


@functools.cache
def generated():
    return generate(900, seed=7, months=11)


def _department(code):
    names = {c: (ko, en, kind) for c, ko, en, kind, _parent in DEPARTMENTS}
    if code.endswith("-office"):
        if District.objects.count() < 25:  # an earlier transactional test flushed them
            from civicportal.accounts.districts import load_districts

            load_districts(District)
        district = next(d for d in District.objects.all() if f"{d.name_en.lower()}-office" == code)
        defaults = {
            "name_ko": f"{district.name_ko}청",
            "name_en": f"{district.name_en} Office",
            "kind": Department.Kind.DISTRICT_OFFICE,
            "district": district,
        }
    else:
        ko, en, kind = names[code]
        defaults = {"name_ko": ko, "name_en": en, "kind": kind}
    return Department.objects.get_or_create(code=code, defaults=defaults)[0]


def load_history(rows, *, end=None, start_number=0):
    """The generated cases as answered and closed cases, the newest filed a day before ``end``."""
    end = end or timezone.now()
    by_code = {code: _department(code) for code in departments()}
    districts = {d.code: d for d in District.objects.all()}
    shift = end - timedelta(days=1) - rows[-1]["filed_at"]
    cases = []
    for i, row in enumerate(rows):
        filed_at = row["filed_at"] + shift
        cases.append(
            Case(
                tracking_number=f"2098-{start_number + i:07d}",
                kind=row["kind"],
                status=Status.CLOSED,
                title=row["title"],
                text=row["text"],
                nouns=row["nouns"],
                department=by_code[row["department"]],
                district=districts[row["district"]],
                filed_at=filed_at,
                clock_started_at=filed_at,
                due_at=filed_at + timedelta(days=7),
                warn_at=filed_at + timedelta(days=5),
                answer="답변",
                answered_at=filed_at + timedelta(hours=20),
                answer_round=1,
            )
        )
    Case.objects.bulk_create(cases)
    RoutingSettings.objects.update_or_create(pk=1, defaults={"min_cases": 100})
    return by_code
