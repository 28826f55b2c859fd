from django.urls import path

from callcenter.chat import views

app_name = "callcenter_chat"
urlpatterns = [
    path("<uuid:pk>/images/<int:seq>/", views.image, name="image"),
]
