from django.urls import path

from polls import views

app_name = "polls"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("propose/", views.propose, name="propose"),
    path("queue/", views.queue, name="queue"),
    path("room/", views.room, name="room"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/image/", views.image, name="image"),
    path("<int:pk>/options/<int:option>/image/", views.option_image, name="option_image"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results/live/", views.results_partial, name="results_partial"),
    path("<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("<int:pk>/draw/", views.draw, name="draw"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/qr.png", views.qr_png, name="qr_png"),
    path("<int:pk>/qr/renew/", views.qr_rotate, name="qr_rotate"),
    path("<int:pk>/members/", views.members, name="members"),
]
