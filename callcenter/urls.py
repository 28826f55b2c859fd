from django.urls import path

from callcenter import views

app_name = "callcenter"
urlpatterns = [
    path("", views.index, name="index"),
    path("message/", views.message_new, name="message_new"),
    path("my/", views.my_contacts, name="my_contacts"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/images/<int:image>/", views.contact_image, name="contact_image"),
    path("contacts/<int:pk>/close/", views.contact_close, name="contact_close"),
    path("contacts/<int:pk>/correct/", views.contact_correct, name="contact_correct"),
    path("contacts/<int:pk>/case/", views.contact_case, name="contact_case"),
    path("contacts/<int:pk>/answer/", views.contact_answer, name="contact_answer"),
    path("contacts/<int:pk>/callback/claim/", views.callback_claim, name="callback_claim"),
    path("contacts/<int:pk>/callback/complete/", views.callback_complete, name="callback_complete"),
    path("contacts/<int:pk>/survey/send/", views.survey_send, name="survey_send"),
    path("contacts/<int:pk>/survey/", views.survey, name="survey"),
    path("survey/<str:token>/", views.survey_by_link, name="survey_by_link"),
    path("console/", views.console, name="console"),
    path("console/lookup/", views.caller_lookup, name="caller_lookup"),
    path("console/kb-search/", views.kb_search, name="kb_search"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("kb/", views.kb_list, name="kb_list"),
    path("kb/new/", views.kb_edit, name="kb_new"),
    path("kb/<int:pk>/", views.kb_detail, name="kb_detail"),
    path("kb/<int:pk>/edit/", views.kb_edit, name="kb_edit"),
    path("kb/suggestions/", views.suggestions, name="suggestions"),
    path(
        "kb/suggestions/<int:pk>/<str:decision>/",
        views.suggestion_decide,
        name="suggestion_decide",
    ),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.csv", views.statistics_csv, name="statistics_csv"),
]
