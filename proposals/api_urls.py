"""REST API of this program, mounted under /api/v1/proposals/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from proposals import api

router = SimpleRouter()
router.register("calls", api.ThemedCallViewSet, basename="proposal-call")
router.register("", api.ProposalViewSet, basename="proposal")

urlpatterns = [
    path("statistics/", api.StatisticsView.as_view(), name="proposal-statistics"),
    path("revisions/<int:pk>/answer/", api.RevisionAnswerView.as_view(), name="proposal-revision-answer"),
    *router.urls,
]
