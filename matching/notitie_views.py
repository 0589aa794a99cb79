"""Notes in the file of a family or of a koppeling. The form is on the
family's and the koppeling's own page and posts here; this page is where a
refused note comes back, with what was typed and why, and (for a koppeling)
where all its notes are, a page at a time."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts import audit
from accounts.decorators import coordinator_required, team_required
from gezinnen.forms import add_service_error
from gezinnen.integrity import TransitionError, once
from gezinnen.tijdlijn import Invoer
from gezinnen.views import Soort
from matching import services
from matching.bewaren_views import gezin_als_soort
from matching.forms import NotitieForm
from matching.models import Koppeling, Notitie
from matching.tijdlijn import FORMULIER, als_gebeurtenis

PAGE_SIZE = 25
SAVED = "De notitie is opgeslagen."
ALREADY_SAVED = "Dit formulier was al verstuurd; de notitie is één keer opgeslagen."


def _opslaan(request: HttpRequest, form: NotitieForm, **bij) -> bool:
    """Save the note ``bij`` (gezin= or koppeling=) once per form token: a
    double click saves one. A refusal goes onto the form; what was typed stays."""
    data = form.cleaned_data
    try:
        _, created = once(
            data["inzending"],
            request.user,
            lambda: services.notitie_toevoegen(
                door=request.user,
                tekst=data["tekst"],
                alleen_professionals=data.get("alleen_professionals", False),
                **bij,
            ),
            Notitie,
        )
    except (TransitionError, ValidationError) as error:
        add_service_error(form, error)
        return False
    messages.success(request, SAVED) if created else messages.info(request, ALREADY_SAVED)
    return True


@coordinator_required
def gezin_notitie(request: HttpRequest, pk: int) -> HttpResponse:
    gezin = gezin_als_soort(request, pk)
    soort = Soort.van(gezin)
    detail = soort.url("detail", gezin.pk)
    if (refusal := gezin.niet_geanonimiseerd()) and request.method == "GET":
        messages.info(request, refusal)
        return redirect(detail)
    form = NotitieForm(request.POST or None, door=request.user, bij_koppeling=False)
    if request.method == "POST" and form.is_valid() and _opslaan(request, form, gezin=gezin):
        return redirect(f"{detail}#tijdlijn")
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=gezin, onderdeel="notitie-formulier")
    return render(
        request,
        "matching/notitie.html",
        {
            "gezin": gezin,
            "soort": soort,
            "terug": detail,
            "invoer": Invoer(FORMULIER, form, request.path),
        },
    )


@team_required
def koppeling_notities(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = get_object_or_404(
        Koppeling.objects.visible_to(request.user).select_related("vraaggezin", "steungezin"),
        pk=pk,
    )
    form = NotitieForm(request.POST or None, door=request.user, bij_koppeling=True)
    detail = reverse("matching:detail", args=[koppeling.pk])
    if (
        request.method == "POST"
        and form.is_valid()
        and _opslaan(request, form, koppeling=koppeling)
    ):
        return redirect(f"{detail}#notities")
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=koppeling, onderdeel="notities")
    refusal = koppeling.refusal("notitie")
    page = Paginator(
        Notitie.objects.visible_to(request.user).filter(koppeling=koppeling).select_related("door"),
        PAGE_SIZE,
    ).get_page(request.GET.get("pagina"))
    return render(
        request,
        "matching/notitie.html",
        {
            "koppeling": koppeling,
            "terug": detail,
            # A refused note comes back with its reason, even once the koppeling closed.
            "invoer": Invoer(FORMULIER, form, request.path)
            if form.is_bound or not refusal
            else None,
            "weigering": refusal,
            "page": page,
            "regels": [als_gebeurtenis(n, op_koppeling=True) for n in page.object_list],
        },
    )
