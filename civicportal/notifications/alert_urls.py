"""Emergency alerts under /alerts/: public pages, CAP XML, Atom feed, officer pages."""

from django.urls import path

from civicportal.notifications import alert_views as views

app_name = "alerts"
urlpatterns = [
    path("", views.index, name="index"),
    path("feed.atom", views.CurrentAlertsFeed(), name="feed"),
    path("banner/", views.banner, name="banner"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create, name="create"),
    path("manage/<int:pk>/", views.officer_detail, name="officer_detail"),
    path("manage/<int:pk>/update/", views.create, name="update"),
    path("manage/<int:pk>/submit/", views.submit, name="submit"),
    path("manage/<int:pk>/approve/", views.approve, name="approve"),
    path("manage/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("manage/<int:pk>/progress/", views.progress, name="progress"),
    path("<str:identifier>.xml", views.cap_xml, name="cap"),
    path("<str:identifier>/", views.detail, name="detail"),
]
