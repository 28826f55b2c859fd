"""Paginators for the public lists: the total is cached briefly.

With 200,000 proposals, ``COUNT(*)`` costs more than the page itself (the page is an
index walk of 20 rows); the total on a public list may be a minute old.
"""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from civicportal.api import Pagination

COUNT_SECONDS = 60


class CachedCountPaginator(Paginator):
    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is None:
            return len(self.object_list)
        key = "proposals:count:" + hashlib.sha256(str(query).encode()).hexdigest()
        return cache.get_or_set(key, self.object_list.count, COUNT_SECONDS)


class CachedCountPagination(Pagination):
    django_paginator_class = CachedCountPaginator
