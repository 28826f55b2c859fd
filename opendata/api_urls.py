"""REST API of open data, mounted under /api/v1/opendata/."""

from django.urls import path

from opendata import api

urlpatterns = [
    path("", api.DatasetIndex.as_view(), name="opendata-api-index"),
    path("cases/", api.CaseList.as_view(), name="opendata-api-cases"),
    path("contacts/", api.ContactList.as_view(), name="opendata-api-contacts"),
    path("polls/", api.PollResultList.as_view(), name="opendata-api-polls"),
    path("proposals/", api.ProposalList.as_view(), name="opendata-api-proposals"),
]
