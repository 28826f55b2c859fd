from django.urls import path

from opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("catalog.jsonld", views.catalog_jsonld, name="catalog"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<slug:slug>/", views.dataset, name="dataset"),
    path("<slug:slug>.csv", views.download_csv, name="download_csv"),
    path("<slug:slug>.json", views.download_json, name="download_json"),
    path("<slug:slug>/dictionary.json", views.dictionary, name="dictionary"),
]
