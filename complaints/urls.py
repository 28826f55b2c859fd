from django.urls import path

from complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.index, name="index"),
    path("file/", views.file_case, name="file"),
    path("file-for-citizen/", views.file_for_citizen, name="file_for_citizen"),
    path("mine/", views.my_cases, name="mine"),
    path("track/", views.track, name="track"),
    path("c/<str:number>/", views.detail, name="detail"),
    path("c/<str:number>/rate/", views.rate, name="rate"),
    path("c/<str:number>/additional-answer/", views.additional_answer, name="additional_answer"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("queue/", views.queue, name="queue"),
    path("work/<str:number>/", views.workspace, name="workspace"),
    path("work/<str:number>/claim/", views.claim, name="claim"),
    path("examples/", views.examples, name="examples"),
    path("board/", views.board, name="board"),
    path("board/cases/", views.board_cases, name="board_cases"),
    path("report/", views.report, name="report"),
    path("report.csv", views.report_csv, name="report_csv"),
]
