from django.urls import path

from proposals import views

app_name = "proposals"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.submit, name="submit"),
    path("similar/", views.similar, name="similar"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/images/<int:image>/", views.image, name="image"),
    path("<int:pk>/edit/", views.submit, name="edit"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("revisions/<int:pk>/answer/", views.revision_answer, name="revision_answer"),
    path("calls/", views.themed_calls, name="themed_calls"),
    path("calls/<int:pk>/", views.themed_call_detail, name="themed_call"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics.csv", views.statistics_csv, name="statistics_csv"),
    path("mine/", views.mine, name="mine"),
    path("my-votes/", views.my_votes, name="my_votes"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/calls/new/", views.themed_call_new, name="themed_call_new"),
    path("workspace/<int:pk>/", views.workspace_detail, name="workspace_detail"),
    path("evaluations/", views.evaluations, name="evaluations"),
    path("evaluations/<int:pk>/", views.evaluate, name="evaluate"),
]
