from django.urls import path

from civicportal.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.mark_read, name="mark_all_read"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("alerts/<str:identifier>/read/", views.mark_alert_read, name="mark_alert_read"),
]
