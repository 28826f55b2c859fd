"""REST API of this program, mounted under /api/v1/polls/."""

from django.urls import path

from polls import api

urlpatterns = [
    path("", api.OpenPollList.as_view(), name="api-polls-open"),
    path("proposals/", api.ProposeView.as_view(), name="api-polls-propose"),
    path("room/", api.RoomView.as_view(), name="api-polls-room"),
    path("<int:pk>/", api.PollDetail.as_view(), name="api-polls-detail"),
    path("<int:pk>/vote/", api.VoteView.as_view(), name="api-polls-vote"),
    path("<int:pk>/results/", api.ResultsView.as_view(), name="api-polls-results"),
]
