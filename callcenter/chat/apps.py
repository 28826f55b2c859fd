from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    """120 live counselling: text, video and sign-language conversations that are 120 contacts."""

    name = "callcenter.chat"
    label = "callcenter_chat"
    verbose_name = _("120 live counselling")
    default_auto_field = "django.db.models.BigAutoField"
