from django.urls import path

from civicportal.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("me/", views.my_page, name="my_page"),
    path("me/mobile/send-code/", views.mobile_send_code, name="mobile_send_code"),
    path("me/mobile/verify/", views.mobile_verify, name="mobile_verify"),
    path("districts/at/", views.district_lookup, name="district_lookup"),
]
