from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from polls import views as polls_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="polls:index"), name="home"),
    path("polls/", include("polls.urls")),
    # Django's set_language: the switcher posts the chosen language, kept in the language cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", polls_views.health, name="health"),
    path("admin/", admin.site.urls),
]
