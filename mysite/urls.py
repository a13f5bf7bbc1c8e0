from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from polls import views as polls_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="polls:index"), name="home"),
    path("polls/", include("polls.urls")),
    path("healthz", polls_views.health, name="health"),
    path("admin/", admin.site.urls),
]
