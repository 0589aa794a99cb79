from django.contrib import admin
from django.urls import include, path

from steungezinnen import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("accounts.urls")),
    path("", include("gezinnen.urls")),
    path("", include("screening.urls")),
    path("", include("matching.urls")),
    path("", include("importeren.urls")),
    path("", include("reports.urls")),
    path("beheer/", admin.site.urls),
    path("gezond/", health.health, name="health"),
]
