from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from civicportal import views
from civicportal.accounts import views as account_views

admin.site.site_header = _("Civic Portal administration")
admin.site.site_title = _("Civic Portal admin")

handler400 = "civicportal.views.error_400"
handler403 = "civicportal.views.error_403"
handler404 = "civicportal.views.error_404"
handler500 = "civicportal.views.error_500"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("terms/", account_views.policy_page, {"kind": "terms"}, name="terms"),
    path("privacy/", account_views.policy_page, {"kind": "privacy"}, name="privacy"),
    # The API first: its requests are the most numerous, and URLs are tried in order.
    path("api/v1/", include("civicportal.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("civicportal.accounts.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/password-change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("notifications/", include("civicportal.notifications.urls")),
    path("alerts/", include("civicportal.notifications.alert_urls")),
    path("complaints/", include("complaints.urls")),
    path("polls/", include("polls.urls")),
    path("proposals/", include("proposals.urls")),
    path("callcenter/chat/", include("callcenter.chat.urls")),
    path("callcenter/", include("callcenter.urls")),
    path("open311/v2/", include("open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
]
# No route serves MEDIA_ROOT as such, in development either: every uploaded file is
# answered by its program's view after the program's gatekeeper (civicportal/files.py).
