"""REST API of this program, mounted under /api/v1/callcenter/."""

from django.urls import path

from callcenter import api, video_api

urlpatterns = [
    path("contacts/", api.ContactListCreate.as_view(), name="callcenter-api-contacts"),
    path("contacts/<int:pk>/", api.ContactDetail.as_view(), name="callcenter-api-contact"),
    path("contacts/<int:pk>/close/", api.ContactClose.as_view(), name="callcenter-api-contact-close"),
    path("contacts/<int:pk>/correct/", api.ContactCorrect.as_view(), name="callcenter-api-contact-correct"),
    path("contacts/<int:pk>/case/", api.ContactCase.as_view(), name="callcenter-api-contact-case"),
    path("contacts/<int:pk>/answer/", api.ContactAnswer.as_view(), name="callcenter-api-contact-answer"),
    path("contacts/<int:pk>/callback/claim/", api.CallbackClaim.as_view(), name="callcenter-api-callback-claim"),
    path(
        "contacts/<int:pk>/callback/complete/", api.CallbackComplete.as_view(), name="callcenter-api-callback-complete"
    ),
    path("contacts/<int:pk>/survey/send/", api.SurveySend.as_view(), name="callcenter-api-survey-send"),
    path("contacts/<int:pk>/survey/", api.SurveyAnswer.as_view(), name="callcenter-api-survey-answer"),
    path("messages/", api.WebMessageCreate.as_view(), name="callcenter-api-messages"),
    path("articles/", api.ArticleList.as_view(), name="callcenter-api-articles"),
    path("articles/<int:pk>/", api.ArticleDetail.as_view(), name="callcenter-api-article"),
    path("articles/<int:pk>/suggest/", api.ArticleSuggest.as_view(), name="callcenter-api-article-suggest"),
    path("suggestions/<int:pk>/approve/", api.SuggestionDecide.as_view(), name="callcenter-api-suggestion-approve"),
    path("suggestions/<int:pk>/reject/", api.SuggestionReject.as_view(), name="callcenter-api-suggestion-reject"),
    path("statistics/", api.StatisticsView.as_view(), name="callcenter-api-statistics"),
    path(
        "chat/conversations/<uuid:pk>/ice-servers/", video_api.IceServers.as_view(), name="callcenter-api-ice-servers"
    ),
]
