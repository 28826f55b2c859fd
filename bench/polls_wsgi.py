"""WSGI for the polls benchmarks: the whole portal, plus /bench/hello, a trivial
Django JSON endpoint (same middleware stack) used as the baseline."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicportal.settings")

from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = "bench.polls_urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
