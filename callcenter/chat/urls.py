from django.urls import path

from callcenter.chat import views

app_name = "callcenter_chat"
urlpatterns = [
    path("", views.start, name="start"),
    path("message/", views.leave_message, name="message"),
    path("live/", views.live, name="live"),
    path("seats/", views.seats, name="seats"),
    path("<uuid:pk>/", views.conversation, name="conversation"),
    path("<uuid:pk>/leave-message/", views.leave_message, name="leave_message"),
    path("<uuid:pk>/transcript/", views.transcript, name="transcript"),
    path("<uuid:pk>/image/", views.upload_image, name="upload_image"),
    path("<uuid:pk>/images/<int:seq>/", views.image, name="image"),
    path("<uuid:pk>/accept/", views.accept, name="accept"),
    path("<uuid:pk>/work/", views.work, name="work"),
    path("<uuid:pk>/transfer/", views.transfer, name="transfer"),
    path("<uuid:pk>/kb/", views.kb, name="kb"),
    path("<uuid:pk>/article/", views.send_article, name="article"),
]
