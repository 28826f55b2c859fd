from django.urls import path

from civicportal.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("me/", views.my_page, name="my_page"),
]
