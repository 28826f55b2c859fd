"""Settings for bench/complaints_filing.py: the portal's settings plus a trivial JSON endpoint."""

from civicportal.settings import *  # noqa: F403

ROOT_URLCONF = "complaints_bench_urls"
