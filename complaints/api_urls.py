"""REST API of this program, mounted under /api/v1/complaints/."""

from django.urls import path

from complaints import api

urlpatterns = [
    path("cases/", api.CaseListCreate.as_view(), name="complaints-api-cases"),
    path("track/", api.TrackView.as_view(), name="complaints-api-track"),
    path("staff-cases/", api.StaffFileCase.as_view(), name="complaints-api-staff-cases"),
    path("cases/<str:number>/", api.CaseDetail.as_view(), name="complaints-api-case"),
    path("cases/<str:number>/rate/", api.RateView.as_view(), name="complaints-api-rate"),
    path("cases/<str:number>/additional-answer/", api.AdditionalAnswerView.as_view(), name="complaints-api-additional"),
    path("cases/<str:number>/answer/", api.AnswerView.as_view(), name="complaints-api-answer"),
    path("cases/<str:number>/transfer/", api.TransferView.as_view(), name="complaints-api-transfer"),
    path("cases/<str:number>/assign/", api.AssignView.as_view(), name="complaints-api-assign"),
    path("cases/<str:number>/claim/", api.ClaimView.as_view(), name="complaints-api-claim"),
    path("cases/<str:number>/notes/", api.NotesView.as_view(), name="complaints-api-notes"),
    path("queue/", api.QueueView.as_view(), name="complaints-api-queue"),
    path("examples/", api.ExampleList.as_view(), name="complaints-api-examples"),
    path("faq/", api.FaqList.as_view(), name="complaints-api-faq"),
]
