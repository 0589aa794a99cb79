from django.urls import path

from matching import bericht_views, bewaren_views, documenten_views, notitie_views, views

app_name = "matching"

urlpatterns = [
    path("koppelingen/", views.koppeling_list, name="list"),
    path("koppelingen/<int:pk>/", views.koppeling_detail, name="detail"),
    path("koppelingen/<int:pk>/kennismaking/", views.kennismaking, name="kennismaking"),
    path("koppelingen/<int:pk>/starten/", views.starten, name="starten"),
    path("koppelingen/<int:pk>/begeleiding/", views.begeleiding, name="begeleiding"),
    path("koppelingen/<int:pk>/contactmoment/", views.contactmoment, name="contactmoment"),
    path("koppelingen/<int:pk>/signaal/", views.signaal_melden, name="signaal-melden"),
    path("koppelingen/<int:pk>/notities/", notitie_views.koppeling_notities, name="notities"),
    path("koppelingen/<int:pk>/evaluatie/", views.evaluatie, name="evaluatie"),
    path("koppelingen/<int:pk>/afsluiten/", views.afsluiten, name="afsluiten"),
    path("koppelingen/<int:pk>/heropenen/", views.heropenen, name="heropenen"),
    path(
        "contactmomenten/<int:pk>/corrigeren/",
        views.corrigeren,
        {"soort": "contactmoment"},
        name="contactmoment-corrigeren",
    ),
    path(
        "contactmomenten/<int:pk>/intrekken/",
        views.intrekken,
        {"soort": "contactmoment"},
        name="contactmoment-intrekken",
    ),
    path("signalen/<int:pk>/", views.signaal_detail, name="signaal"),
    path("vraaggezinnen/<int:pk>/suggesties/", views.suggesties_voor, name="suggesties"),
    path(
        "vraaggezinnen/<int:pk>/voorstellen/<int:steungezin>/",
        views.voorstellen,
        name="voorstellen",
    ),
    path("steungezinnen/<int:pk>/passend/", views.passend_voor, name="passend"),
    path("gezinnen/<int:pk>/wissen/", bewaren_views.gegevens_wissen, name="wissen"),
    path(
        "gezinnen/<int:pk>/documenten/",
        documenten_views.gezin_documenten,
        name="documenten-gezin",
    ),
    path(
        "koppelingen/<int:pk>/documenten/",
        documenten_views.koppeling_documenten,
        name="documenten-koppeling",
    ),
    path("documenten/<int:pk>/", documenten_views.document_downloaden, name="document"),
    path(
        "documenten/<int:pk>/verwijderen/",
        documenten_views.document_weg,
        name="document-verwijderen",
    ),
    path("gezinnen/<int:pk>/notitie/", notitie_views.gezin_notitie, name="gezin-notitie"),
    path(
        "koppelingen/<int:pk>/mail/<slug:mail>/",
        bericht_views.koppeling_bericht,
        name="bericht",
    ),
    path("gezinnen/<int:pk>/mail/<slug:mail>/", bericht_views.gezin_bericht, name="gezin-bericht"),
    path("zoeken/", views.zoeken, name="zoeken"),
    path("uren/", views.uren, name="uren"),
    path(
        "evaluaties/<int:pk>/corrigeren/",
        views.corrigeren,
        {"soort": "evaluatie"},
        name="evaluatie-corrigeren",
    ),
    path(
        "evaluaties/<int:pk>/intrekken/",
        views.intrekken,
        {"soort": "evaluatie"},
        name="evaluatie-intrekken",
    ),
    path(
        "meldcodestappen/<int:pk>/corrigeren/",
        views.corrigeren,
        {"soort": "meldcodestap"},
        name="meldcodestap-corrigeren",
    ),
    path(
        "koppelingen/<int:pk>/afspraken/corrigeren/",
        views.corrigeren,
        {"soort": "afspraken"},
        name="afspraken-corrigeren",
    ),
    path("uren/<int:pk>/corrigeren/", views.corrigeren, {"soort": "uren"}, name="uren-corrigeren"),
    path("uren/<int:pk>/intrekken/", views.intrekken, {"soort": "uren"}, name="uren-intrekken"),
    # Screening items: a conversation, a reference, a VOG, a training attended.
    *(
        path(f"screening/{pad}/<int:pk>/{stap}/", view, {"soort": soort}, name=f"{soort}-{stap}")
        for soort, pad in (
            ("gesprek", "gesprekken"),
            ("referentie", "referenties"),
            ("vog", "vogs"),
            ("deelname", "trainingen"),
        )
        for stap, view in (("corrigeren", views.corrigeren), ("intrekken", views.intrekken))
    ),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/abonnement/", views.agenda_feed_nieuw, name="agenda-feed-nieuw"),
    path("agenda/abonnement/intrekken/", views.agenda_feed_intrekken, name="agenda-feed-intrekken"),
    path("agenda/<str:token>.ics", views.agenda_feed, name="agenda-feed"),
]
