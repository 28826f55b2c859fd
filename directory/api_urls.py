"""The directory's REST API, mounted under /api/v1/directory/."""

from django.urls import path

from directory import api

urlpatterns = [
    path("departments/", api.DepartmentList.as_view(), name="directory-api-departments"),
    path("departments/<slug:code>/", api.DepartmentDetail.as_view(), name="directory-api-department"),
]
