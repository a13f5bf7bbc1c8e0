from django.urls import path, register_converter

from . import embed, live, verify, views
from .converters import PrimaryKeyConverter

register_converter(PrimaryKeyConverter, "pk")

app_name = "polls"
urlpatterns = [
    path("", views.question_list, name="index"),
    path("closed/", views.question_list, {"status": "closed"}, name="closed"),
    path("<pk:pk>/", views.detail, name="detail"),
    path("<pk:pk>/vote/", views.vote, name="vote"),
    path("<pk:pk>/results/", views.results, name="results"),
    path("<pk:pk>/results/tally/", live.tally, name="live_tally"),
    path("<pk:pk>/results.json", live.results_json, name="results_json"),
    path("<pk:pk>/embed/", embed.embed, name="embed"),
    path("<pk:pk>/qr.svg", views.qr_code, name="qr"),
    path("<pk:pk>/receipt/", verify.receipt, name="receipt"),
    path("<pk:pk>/ballots.csv", verify.ballots_csv, name="ballots_csv"),
]
