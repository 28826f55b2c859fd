"""Figures for the city directory: the tree page, a search in Korean and in English, a
department's page and the API list, at the demo organisation and at a city-sized one (the demo
plus 400 more divisions), each against the terms page (a plain page) measured in the same
rounds. In process, through Django's test client, on a throwaway test database (SQLite by
default; PostgreSQL with DATABASE_URL and DATABASE_TEST_NAME).
Run: PYTHONPATH=. DJANGO_SETTINGS_MODULE=civicportal.settings .venv/bin/python bench/directory_search.py"""

import statistics
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from directory.selectors import directory_changed  # noqa: E402

PAGES = {
    "terms page (baseline)": "/terms/",
    "tree, first view after an edit": "/directory/",
    "tree, cached": "/directory/",
    "search 주차는 어디에": "/directory/?q=주차는 어디에",
    "search street lights": "/directory/?q=street lights",
    "department page": "/directory/parking/",
    "API list (20)": "/api/v1/directory/departments/",
    "API search": "/api/v1/directory/departments/?q=가로등이",
}


def load(extra_divisions):
    from civicportal.accounts import demo
    from civicportal.accounts.models import Department
    from complaints import demo as complaints_demo
    from complaints.models import Category, RoutingRule

    demo.load_departments()
    departments = {d.code: d for d in Department.objects.all()}
    categories = {}
    for code, ko, en in complaints_demo.CATEGORIES:
        categories[code], _ = Category.objects.get_or_create(code=code, defaults={"name_ko": ko, "name_en": en})
    for priority, name, kind, category, keywords, department, _simple in complaints_demo.RULES:
        RoutingRule.objects.get_or_create(
            name=name,
            defaults={
                "priority": priority,
                "kind": kind,
                "category": categories.get(category),
                "keywords": keywords,
                "department": departments[department],
            },
        )
    bureaus = [d for d in departments.values() if d.kind == Department.Kind.BUREAU]
    Department.objects.bulk_create(
        Department(
            code=f"bench-division-{n}",
            name_ko=f"시험{n}과",
            name_en=f"Bench Division {n}",
            kind=Department.Kind.DIVISION,
            parent=bureaus[n % len(bureaus)],
            phone=f"02-2133-{n:04d}",
        )
        for n in range(len(departments), len(departments) + extra_divisions)
    )
    return Department.objects.count()


def measure(client, rounds=15):
    times = {name: [] for name in PAGES}
    for _round in range(rounds):  # alternate the pages: these machines drift
        for name, url in PAGES.items():
            if name.startswith("tree, first"):
                directory_changed()
            started = time.perf_counter()
            response = client.get(url, REMOTE_ADDR=f"10.0.{_round}.1")
            times[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    baseline = statistics.median(times["terms page (baseline)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:32} {median:7.1f} ms  ({median / baseline:4.1f}× the terms page)")


def main():
    setup_test_environment()
    settings.LANGUAGE_CODE = "ko"
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["directory"] = "100000/minute"
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"] = "100000/minute"
    connection.creation.create_test_db(verbosity=0, keepdb=False)
    client = Client()
    client.get("/directory/?q=가로등이")  # the Korean analyser loads once per process
    print(f"{connection.vendor}, demo organisation: {load(0)} departments")
    measure(client)
    print(f"{connection.vendor}, city-sized: {load(400)} departments")
    measure(client)


if __name__ == "__main__":
    main()
