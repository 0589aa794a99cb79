from django.urls import path

from gezinnen import views
from gezinnen.views import STEUN, VRAAG

app_name = "gezinnen"

urlpatterns = [
    path(
        "aanmelden/<slug:organisatie>/steungezin/",
        views.aanmelden,
        {"soort": STEUN},
        name="aanmelden-steungezin",
    ),
    path(
        "aanmelden/<slug:organisatie>/gezin/",
        views.aanmelden,
        {"soort": VRAAG},
        name="aanmelden-vraaggezin",
    ),
    path("aanmelden/<slug:organisatie>/bedankt/", views.bedankt, name="bedankt"),
    path("vraaggezinnen/<int:pk>/intake/", views.intake, name="vraaggezin-intake"),
]

for soort, prefix in ((VRAAG, "vraaggezinnen"), (STEUN, "steungezinnen")):
    urlpatterns += [
        path(f"{prefix}/", views.gezin_list, {"soort": soort}, name=f"{soort.key}-list"),
        path(f"{prefix}/nieuw/", views.gezin_create, {"soort": soort}, name=f"{soort.key}-create"),
        path(
            f"{prefix}/<int:pk>/", views.gezin_detail, {"soort": soort}, name=f"{soort.key}-detail"
        ),
        path(
            f"{prefix}/<int:pk>/bewerken/",
            views.gezin_edit,
            {"soort": soort},
            name=f"{soort.key}-edit",
        ),
        path(
            f"{prefix}/<int:pk>/bekeken/",
            views.gezin_bekeken,
            {"soort": soort},
            name=f"{soort.key}-bekeken",
        ),
        path(
            f"{prefix}/<int:pk>/tijdlijn/",
            views.gezin_tijdlijn,
            {"soort": soort},
            name=f"{soort.key}-tijdlijn",
        ),
        path(
            f"{prefix}/<int:pk>/status/",
            views.gezin_status,
            {"soort": soort},
            name=f"{soort.key}-status",
        ),
    ]
