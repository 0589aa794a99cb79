from django.urls import path

from screening import views

app_name = "screening"

urlpatterns = [
    path("screening/", views.overzicht, name="overzicht"),
    path("trainingen/", views.training_list, name="trainingen"),
    # The screening page; each item's form posts to its own address, whose
    # GET is the same page.
    path("steungezinnen/<int:pk>/screening/", views.screening, name="gezin"),
    path("steungezinnen/<int:pk>/vog/<int:lid>/", views.vog_edit, name="vog"),
    path("steungezinnen/<int:pk>/vog/<int:lid>/nieuw/", views.vog_new, name="vog-nieuw"),
    path("steungezinnen/<int:pk>/gesprek/", views.gesprek_create, name="gesprek"),
    path("steungezinnen/<int:pk>/referentie/", views.referentie_create, name="referentie"),
    path("steungezinnen/<int:pk>/criteria/", views.criteria, name="criteria"),
    path("steungezinnen/<int:pk>/training/", views.deelname, name="training"),
    path("steungezinnen/<int:pk>/besluit/", views.besluit, name="besluit"),
]
