from django.urls import path

from gezinnen.views import STEUN, VRAAG
from reports import views

app_name = "reports"

urlpatterns = [
    path("koppelingen/<int:pk>/verslag.pdf", views.evaluatieverslag, name="evaluatieverslag"),
    path("gezinnen/<int:pk>/inzage.pdf", views.inzage, name="inzage"),
    path("rapportage/", views.gemeenterapportage_view, name="gemeente"),
    path(
        "vraaggezinnen/export.<str:formaat>",
        views.gezinnen_export,
        {"soort": VRAAG},
        name="export-vraaggezinnen",
    ),
    path(
        "steungezinnen/export.<str:formaat>",
        views.gezinnen_export,
        {"soort": STEUN},
        name="export-steungezinnen",
    ),
    path("koppelingen/export.<str:formaat>", views.koppelingen_export, name="export-koppelingen"),
]
