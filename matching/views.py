from __future__ import annotations

import datetime
from collections.abc import Callable
from operator import attrgetter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.decorators import coordinator_required, team_required
from accounts.models import User
from gezinnen.forms import add_service_error, refresh_version
from gezinnen.integrity import EditConflict, TransitionError, once, version_fields
from gezinnen.models import Steungezin, Vraaggezin, Wijk, today
from gezinnen.tijdlijn import Invoer
from matching import correcties, services
from matching.agenda import aantallen, afspraken, geplande, ical
from matching.documenten_views import koppeling_sectie
from matching.forms import (
    AfsluitenForm,
    AfsprakenCorrectieForm,
    BegeleidingForm,
    ContactmomentCorrectieForm,
    ContactmomentForm,
    DeelnameCorrectieForm,
    EvaluatieCorrectieForm,
    EvaluatieForm,
    FilterForm,
    GesprekCorrectieForm,
    HeropenenForm,
    IntrekkenForm,
    KennismakingPlanForm,
    KennismakingUitkomstForm,
    MeldcodeStapCorrectieForm,
    MeldcodeStapForm,
    NotitieForm,
    ReferentieCorrectieForm,
    SignaalForm,
    StartForm,
    UrenCorrectieForm,
    UrenForm,
    VOGCorrectieForm,
    WeekForm,
    ZoekForm,
)
from matching.models import (
    AgendaFeed,
    Bericht,
    Contactmoment,
    CoordinatieUren,
    Correctie,
    Evaluatie,
    Koppeling,
    MeldcodeStap,
    Notitie,
    Signaal,
    maandag_van,
)
from matching.suggestions import MEESTE, TONEN, passende_vraaggezinnen, suggesties
from matching.tijdlijn import FORMULIER, als_gebeurtenis
from matching.zoeken import doorzoeken
from steungezinnen.datums import korte_datum

PAGE_SIZE = 25


def _koppeling(request: HttpRequest, pk: int) -> Koppeling:
    return get_object_or_404(
        Koppeling.objects.visible_to(request.user).select_related(
            "vraaggezin", "steungezin", "organisatie"
        ),
        pk=pk,
    )


def filtered_koppelingen(request: HttpRequest):
    """The list's filter form and its koppelingen in order (page and exports)."""
    filters = FilterForm(request.GET, organisatie=request.user.organisatie)
    # The families and coordinators are fetched for the rows shown (prefetch),
    # not joined to the whole list: planning a join of eight tables cost more
    # than running the query for the page.
    koppelingen = Koppeling.objects.visible_to(request.user).prefetch_related(
        "vraaggezin", "steungezin", "coordinator", "vrijwilliger"
    )
    if filters.is_valid():
        data = filters.cleaned_data
        if not data["status"]:
            koppelingen = koppelingen.lopend()
        elif data["status"] != "alle":
            koppelingen = koppelingen.filter(status=data["status"])
        if data["coordinator"]:
            koppelingen = koppelingen.filter(coordinator=data["coordinator"])
        if data["vrijwilliger"]:
            koppelingen = koppelingen.filter(vrijwilliger=data["vrijwilliger"])
        if data["achter"]:
            koppelingen = koppelingen.checkin_overdue()
    return filters, koppelingen.order_by("status", "volgende_contact_op", "-id")


@team_required
def koppeling_list(request: HttpRequest) -> HttpResponse:
    filters, koppelingen = filtered_koppelingen(request)
    koppelingen = koppelingen.annotate(
        open_signalen=Exists(Signaal.objects.open().filter(koppeling=OuterRef("pk")))
    )
    page = Paginator(koppelingen, PAGE_SIZE).get_page(request.GET.get("pagina"))
    audit.lijst_bekeken(door=request.user, wat="lijst koppelingen", records=list(page.object_list))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "matching/list.html",
        {"filters": filters, "page": page, "query": query.urlencode(), "today": today()},
    )


@team_required
def zoeken(request: HttpRequest) -> HttpResponse:
    """The search box of the navigation, and what it found."""
    form = ZoekForm(request.GET) if "q" in request.GET else ZoekForm()
    resultaat = (
        doorzoeken(door=request.user, tekst=form.cleaned_data["q"]) if form.is_valid() else None
    )
    return render(
        request,
        "matching/zoeken.html",
        # The term as typed stays in the box (includes/zoeken.html).
        {"form": form, "resultaat": resultaat, "zoekterm": request.GET.get("q", "")},
    )


@team_required
def koppeling_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The families in queries of their own: planning one join of all ten
    # tables took PostgreSQL several times longer than running three.
    koppeling = get_object_or_404(
        Koppeling.objects.visible_to(request.user)
        .select_related("coordinator", "vrijwilliger", "organisatie")
        .prefetch_related(
            "kinderen",
            Prefetch("vraaggezin", queryset=Vraaggezin.objects.select_related("wijk")),
            Prefetch("steungezin", queryset=Steungezin.objects.select_related("wijk")),
            "vraaggezin__leden",
            "steungezin__leden",
            Prefetch("contactmomenten", queryset=Contactmoment.objects.select_related("door")),
            Prefetch("signalen", queryset=Signaal.objects.select_related("gemeld_door")),
            Prefetch("evaluaties", queryset=Evaluatie.objects.select_related("door")),
            Prefetch("correcties", queryset=Correctie.objects.select_related("door")),
        ),
        pk=pk,
    )
    audit.dossier_bekeken(door=request.user, obj=koppeling)
    evaluaties = list(koppeling.evaluaties.all())
    # The newest notes the user may read; the rest on the notes page.
    notities = list(
        Notitie.objects.visible_to(request.user)
        .filter(koppeling=koppeling)
        .select_related("door")[: NOTITIES_TONEN + 1]
    )
    # The koppeling's own history (an end undone) and that of its check-ins.
    ingetrokken = correcties.geschiedenis(
        [koppeling, *koppeling.contactmomenten.all(), *evaluaties], koppeling.correcties.all()
    )
    return render(
        request,
        "matching/detail.html",
        {
            "koppeling": koppeling,
            "evaluaties": evaluaties,
            "ingetrokken": [weg for weg in ingetrokken if weg.soort == "contactmoment"],
            "evaluaties_ingetrokken": [weg for weg in ingetrokken if weg.soort == "evaluatie"],
            "professional": request.user.is_coordinator,
            "documenten": koppeling_sectie(koppeling, request.user),
            # The mail sent about it, newest first (professional coordinators only).
            "berichten": list(
                Bericht.objects.visible_to(request.user)
                .filter(koppeling=koppeling)
                .order_by("-op", "-id")[:BERICHTEN_TONEN]
            )
            if request.user.is_coordinator
            else [],
            "notities": [als_gebeurtenis(n, op_koppeling=True) for n in notities[:NOTITIES_TONEN]],
            "notities_meer": len(notities) > NOTITIES_TONEN,
            "notitie_invoer": Invoer(
                FORMULIER,
                NotitieForm(door=request.user, bij_koppeling=True),
                reverse("matching:notities", args=[koppeling.pk]),
            )
            if koppeling.kan["notitie"]
            else None,
        },
    )


NOTITIES_TONEN = 20
BERICHTEN_TONEN = 10


@coordinator_required
def suggesties_voor(request: HttpRequest, pk: int) -> HttpResponse:
    vraaggezin = get_object_or_404(Vraaggezin.objects.visible_to(request.user), pk=pk)
    toon_uitgesloten = request.GET.get("uitgesloten") == "1"
    gevonden = suggesties(
        vraaggezin,
        today(),
        tonen=_tonen(request),
        uitgesloten=toon_uitgesloten,
        pagina=request.GET.get("pagina"),
    )
    lopend = vraaggezin.koppelingen.lopend().select_related("steungezin").first()
    audit.lijst_bekeken(
        door=request.user,
        wat="suggesties",
        obj=vraaggezin,
        records=[
            *(s.steungezin for s in gevonden.beste),
            *(steungezin for steungezin, _ in gevonden.uitgesloten),
            *([lopend.steungezin] if lopend else []),
        ],
    )
    return render(
        request,
        "matching/suggesties.html",
        {
            "vraaggezin": vraaggezin,
            "gevonden": gevonden,
            "toon_uitgesloten": toon_uitgesloten,
            "lopend": lopend,
            "meer_tonen": len(gevonden.beste) + TONEN,
            "page": gevonden.uitgesloten_pagina,
            "query": "uitgesloten=1",
        },
    )


def _tonen(request: HttpRequest) -> int:
    """How many suggestions to show: ``?toon=``, from TONEN up to MEESTE
    (anything else: TONEN)."""
    try:
        return min(max(int(request.GET.get("toon", TONEN)), TONEN), MEESTE)
    except ValueError:
        return TONEN


@coordinator_required
def passend_voor(request: HttpRequest, pk: int) -> HttpResponse:
    steungezin = get_object_or_404(Steungezin.objects.visible_to(request.user), pk=pk)
    passend, aantal = passende_vraaggezinnen(steungezin, today(), tonen=_tonen(request))
    audit.lijst_bekeken(
        door=request.user,
        wat="passende vraaggezinnen",
        obj=steungezin,
        records=[s.vraaggezin for s in passend],
    )
    return render(
        request,
        "matching/passend.html",
        {
            "steungezin": steungezin,
            "suggesties": passend,
            "aantal": aantal,
            "meer": aantal - len(passend),
            "meer_tonen": len(passend) + TONEN,
        },
    )


@coordinator_required
@require_POST
def voorstellen(request: HttpRequest, pk: int, steungezin: int) -> HttpResponse:
    vraaggezin = get_object_or_404(Vraaggezin.objects.visible_to(request.user), pk=pk)
    steun = get_object_or_404(Steungezin.objects.visible_to(request.user), pk=steungezin)
    try:
        koppeling = services.koppeling_voorstellen(
            door=request.user, vraaggezin=vraaggezin, steungezin=steun
        )
    except (TransitionError, ValidationError) as error:
        messages.error(request, _message(error))
        return redirect("matching:suggesties", pk=vraaggezin.pk)
    messages.success(request, f"Voorgesteld: {koppeling}. Plan nu de kennismaking.")
    return redirect("matching:kennismaking", pk=koppeling.pk)  # the next step, at once


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _run(
    request: HttpRequest, koppeling: Koppeling, form, step, success: str, naar="matching:detail"
):
    """Run a service step (``_attempt``); success redirects to the koppeling's
    page unless ``naar`` names the page of the step that follows."""
    return _attempt(request, form, step, success, reverse(naar, args=[koppeling.pk]))


def _attempt(request: HttpRequest, form, step, success: str, url: str):
    """Run a service step. A refusal or a conflict stays on the same page with
    the form as it was typed (None is returned); success redirects to ``url``."""
    try:
        step()
    except EditConflict as error:
        form.conflict = error
        refresh_version(form, error.current)
        return None
    except (TransitionError, ValidationError) as error:
        add_service_error(form, error)
        return None
    messages.success(request, success)
    return redirect(url)


def _versie(form) -> dict:
    return {"versie": form.cleaned_data["versie"]}


@coordinator_required
def kennismaking(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    version = version_fields(koppeling)
    plan = KennismakingPlanForm(
        request.POST if "plannen" in request.POST else None,
        initial={"datum": koppeling.kennismaking_op or today(), **version},
        prefix="plan",
    )
    uitkomst = KennismakingUitkomstForm(
        request.POST if "uitkomst" in request.POST else None, initial=version, prefix="uitkomst"
    )
    if plan.is_bound and plan.is_valid():
        response = _run(
            request,
            koppeling,
            plan,
            lambda: services.kennismaking_plannen(
                door=request.user,
                koppeling=koppeling,
                datum=plan.cleaned_data["datum"],
                **_versie(plan),
            ),
            "De kennismaking is gepland.",
        )
        if response:
            return response
    if uitkomst.is_bound and uitkomst.is_valid():
        go = uitkomst.cleaned_data["uitkomst"] == Koppeling.Uitkomst.GO
        response = _run(
            request,
            koppeling,
            uitkomst,
            lambda: services.kennismaking_uitkomst_vastleggen(
                door=request.user,
                koppeling=koppeling,
                uitkomst=uitkomst.cleaned_data["uitkomst"],
                notities=uitkomst.cleaned_data["notities"],
                **_versie(uitkomst),
            ),
            "De uitkomst van de kennismaking is vastgelegd."
            + (" Leg nu de afspraken en de start vast." if go else ""),
            # After a go, the start is what comes next.
            naar="matching:starten" if go else "matching:detail",
        )
        if response:
            return response
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=koppeling, onderdeel="kennismaking")
    return render(
        request,
        "matching/kennismaking.html",
        {
            "koppeling": koppeling,
            "plan": plan,
            "uitkomst": uitkomst,
            "conflict": getattr(plan, "conflict", None) or getattr(uitkomst, "conflict", None),
        },
    )


def _step_page(request, koppeling, form, naam: str, title: str, intro: str = "") -> HttpResponse:
    """A koppeling's step form, or why the step cannot be taken now."""
    refusal = koppeling.refusal(naam)
    if refusal and request.method == "GET":
        messages.info(request, refusal)
        return redirect("matching:detail", pk=koppeling.pk)
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=koppeling, onderdeel=naam.replace("_", " "))
    return render(
        request,
        "matching/form.html",
        {
            "koppeling": koppeling,
            "form": form,
            "title": title,
            "intro": intro,
            "conflict": getattr(form, "conflict", None),
        },
    )


@coordinator_required
def starten(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    form = StartForm(request.POST or None, koppeling=koppeling, initial=version_fields(koppeling))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _run(
            request,
            koppeling,
            form,
            lambda: services.koppeling_starten(
                door=request.user,
                koppeling=koppeling,
                start_op=data["start_op"],
                afspraken=data["afspraken"],
                frequentie=data["frequentie"],
                kinderen=[kind.pk for kind in data["kinderen"]],
                gepland_einde=data["gepland_einde"],
                proefperiode_tot=data["proefperiode_tot"],
                **_versie(form),
            ),
            f"De koppeling {koppeling} is gestart.",
        )
        if response:
            return response
    return _step_page(
        request,
        koppeling,
        form,
        "starten",
        "Koppeling starten",
        "Leg de afspraken vast die de gezinnen bij de kennismaking maakten.",
    )


@coordinator_required
def begeleiding(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    form = BegeleidingForm(
        request.POST or None, instance=koppeling, initial=version_fields(koppeling)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _run(
            request,
            koppeling,
            form,
            lambda: services.koppeling_begeleiding(
                door=request.user,
                koppeling=koppeling,
                coordinator=data["coordinator"],
                vrijwilliger=data["vrijwilliger"],
                professional_nodig=data["professional_nodig"],
                snapshot_token=data["snapshot"],
                **_versie(form),
            ),
            "De begeleiding is bijgewerkt.",
        )
        if response:
            return response
    return _step_page(request, koppeling, form, "begeleiding", "Begeleiding")


@coordinator_required
def afsluiten(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    form = AfsluitenForm(
        request.POST or None,
        koppeling=koppeling,
        initial={
            "einde_op": today(),
            "vraaggezin_naar": Vraaggezin.Status.WACHTEND,
            "steungezin_naar": Steungezin.Status.BESCHIKBAAR,
            **version_fields(koppeling),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _run(
            request,
            koppeling,
            form,
            lambda: services.koppeling_afsluiten(
                door=request.user,
                koppeling=koppeling,
                einde_op=data["einde_op"],
                reden=data["reden"],
                uitkomst=data["uitkomst"],
                vraaggezin_naar=data["vraaggezin_naar"],
                steungezin_naar=data["steungezin_naar"],
                doel_bereikt=data.get("doel_bereikt", ""),
                **_versie(form),
            ),
            f"De koppeling {koppeling} is afgesloten.",
        )
        if response:
            return response
    return _step_page(request, koppeling, form, "afsluiten", "Koppeling afsluiten")


@coordinator_required
def heropenen(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    form = HeropenenForm(request.POST or None, initial=version_fields(koppeling))
    if request.method == "POST" and form.is_valid():
        response = _run(
            request,
            koppeling,
            form,
            lambda: services.koppeling_heropenen(
                door=request.user,
                koppeling=koppeling,
                reden=form.cleaned_data["reden"],
                **_versie(form),
            ),
            f"De koppeling {koppeling} loopt weer.",
        )
        if response:
            return response
    return _step_page(
        request,
        koppeling,
        form,
        "heropenen",
        "Koppeling heropenen",
        "De koppeling loopt weer vanaf vandaag, met dezelfde afspraken; het einde blijft in "
        "haar geschiedenis. Het vraaggezin gaat weer naar gekoppeld.",
    )


ALREADY_SAVED = "Dit formulier was al verstuurd; het is één keer opgeslagen."


@team_required
def contactmoment(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    if (refusal := koppeling.refusal("contactmoment")) and request.method == "GET":
        messages.info(request, refusal)
        return redirect("matching:detail", pk=koppeling.pk)
    form = ContactmomentForm(request.POST or None, initial={"datum": today()})
    signaal = (
        SignaalForm(request.POST or None, prefix="signaal")
        if request.POST.get("signaal-omschrijving")
        else None
    )
    if request.method == "POST" and form.is_valid() and (signaal is None or signaal.is_valid()):
        data = form.cleaned_data

        def create():
            contact = services.contactmoment_vastleggen(
                door=request.user,
                koppeling=koppeling,
                **{name: data[name] for name in ContactmomentForm.Meta.fields},
            )
            if signaal is not None:
                services.signaal_melden(
                    door=request.user,
                    koppeling=koppeling,
                    contactmoment=contact,
                    omschrijving=signaal.cleaned_data["omschrijving"],
                )
            return contact

        response = _run(
            request,
            koppeling,
            form,
            lambda: _once_message(request, data, create, Contactmoment),
            "Het contactmoment is vastgelegd.",
        )
        if response:
            return response
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=koppeling, onderdeel="contactmoment-formulier")
    return render(
        request,
        "matching/contactmoment.html",
        {"koppeling": koppeling, "form": form, "signaal": signaal or SignaalForm(prefix="signaal")},
    )


def _once_message(request: HttpRequest, data: dict, create, model) -> None:
    """``create`` once per form token; a repeat tells the user so."""
    _, created = once(data["inzending"], request.user, create, model)
    if not created:
        messages.info(request, ALREADY_SAVED)


@team_required
def signaal_melden(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    form = SignaalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _run(
            request,
            koppeling,
            form,
            lambda: _once_message(
                request,
                data,
                lambda: services.signaal_melden(
                    door=request.user, koppeling=koppeling, omschrijving=data["omschrijving"]
                ),
                Signaal,
            ),
            "Het signaal is doorgegeven aan de coördinator.",
        )
        if response:
            return response
    return _step_page(
        request,
        koppeling,
        form,
        "signaal_melden",
        "Signaal melden",
        "Maakt u zich zorgen over de veiligheid van een kind? Meld het hier; een professionele "
        "coördinator handelt het af volgens de meldcode.",
    )


@coordinator_required
def signaal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    signaal = get_object_or_404(
        Signaal.objects.filter(koppeling__in=Koppeling.objects.visible_to(request.user))
        .select_related("koppeling", "gemeld_door", "contactmoment")
        .prefetch_related(
            Prefetch("stappen", queryset=MeldcodeStap.objects.select_related("door"))
        ),
        pk=pk,
    )
    done = {s.stap for s in signaal.stappen.all()}
    next_step = next((s for s in MeldcodeStap.Stap if s not in done), MeldcodeStap.Stap.BESLUIT)
    form = MeldcodeStapForm(request.POST or None, initial={"stap": next_step, "datum": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _, created = once(
                data["inzending"],
                request.user,
                lambda: services.meldcode_stap_vastleggen(
                    door=request.user,
                    signaal=signaal,
                    **{name: data[name] for name in MeldcodeStapForm.Meta.fields},
                ),
                MeldcodeStap,
            )
        except (TransitionError, ValidationError) as error:
            add_service_error(form, error)
        else:
            stap = MeldcodeStap.Stap(data["stap"]).label
            messages.success(request, f"{stap} is vastgelegd." if created else ALREADY_SAVED)
            return redirect("matching:signaal", pk=signaal.pk)
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=signaal.koppeling, onderdeel="signaal")
    # The steps' corrections (a step is corrected, never withdrawn): one query.
    stappen = list(signaal.stappen.all())
    correcties.geschiedenis(
        stappen,
        Correctie.objects.filter(
            item_type=correcties.MELDCODESTAP.label, item_id__in=[stap.pk for stap in stappen]
        ).select_related("door"),
    )
    return render(
        request,
        "matching/signaal.html",
        {"signaal": signaal, "koppeling": signaal.koppeling, "form": form},
    )


@coordinator_required
def evaluatie(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    if (refusal := koppeling.refusal("evaluatie")) and request.method == "GET":
        messages.info(request, refusal)
        return redirect("matching:detail", pk=koppeling.pk)
    due = koppeling.evaluatie_due(list(koppeling.evaluaties.all()))
    initial = {"datum": today(), "soort": due[0] if due else Evaluatie.Soort.JAARLIJKS}
    form = EvaluatieForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = _run(
            request,
            koppeling,
            form,
            lambda: _once_message(
                request,
                form.cleaned_data,
                lambda: services.evaluatie_vastleggen(
                    door=request.user, koppeling=koppeling, **form.answers()
                ),
                Evaluatie,
            ),
            "De evaluatie is vastgelegd.",
        )
        if response:
            return response
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=koppeling, onderdeel="evaluatie-formulier")
    return render(
        request,
        "matching/evaluatie.html",
        {
            "koppeling": koppeling,
            "form": form,
            "vraag_fields": form.side("vraag"),
            "steun_fields": form.side("steun"),
        },
    )


# Corrections ------------------------------------------------------------------


# Per kind of correctable item (matching.correcties.SOORTEN): the form with
# its fields, and the page the item is listed on.
def _screening_pagina(anker: str, steungezin_id: Callable[[models.Model], int]):
    """The screening page of the item's steungezin, at its card."""

    def terug(item) -> str:
        return reverse("screening:gezin", args=[steungezin_id(item)]) + f"#{anker}"

    return terug


CORRECTIEPAGINAS = {
    "contactmoment": (
        ContactmomentCorrectieForm,
        lambda contact: reverse("matching:detail", args=[contact.koppeling_id]),
    ),
    "evaluatie": (
        EvaluatieCorrectieForm,
        lambda evaluatie: reverse("matching:detail", args=[evaluatie.koppeling_id]),
    ),
    "meldcodestap": (
        MeldcodeStapCorrectieForm,
        lambda stap: reverse("matching:signaal", args=[stap.signaal_id]),
    ),
    "afspraken": (
        AfsprakenCorrectieForm,
        lambda koppeling: reverse("matching:detail", args=[koppeling.pk]) + "#afspraken",
    ),
    "uren": (UrenCorrectieForm, lambda regel: reverse("matching:uren")),
    "gesprek": (GesprekCorrectieForm, _screening_pagina("gesprekken", attrgetter("steungezin_id"))),
    "referentie": (
        ReferentieCorrectieForm,
        _screening_pagina("referenties", attrgetter("steungezin_id")),
    ),
    "vog": (
        VOGCorrectieForm,
        _screening_pagina("vogs", attrgetter("gezinslid.gezin_id")),
    ),
    "deelname": (
        DeelnameCorrectieForm,
        _screening_pagina("training", attrgetter("gezinslid.gezin_id")),
    ),
}


def _correctie_pagina(request: HttpRequest, soort: str, pk: int):
    kind = correcties.SOORTEN[soort]
    item = get_object_or_404(kind.items(request.user), pk=pk)
    form_class, terug = CORRECTIEPAGINAS[soort]
    return kind, item, form_class, terug(item)


def _kruimels(item, terug: str) -> list[tuple[str, str]]:
    """The trail above a correction page of an item without a koppeling."""
    if isinstance(item, CoordinatieUren):
        return [("Mijn coördinatie-uren", terug)]
    steungezin = correcties.steungezin_van(item)
    return [
        ("Steungezinnen", reverse("gezinnen:steungezin-list")),
        (steungezin.naam, reverse("gezinnen:steungezin-detail", args=[steungezin.pk])),
        ("Screening", terug),
    ]


def _koppeling_van(item) -> Koppeling | None:
    """The koppeling a correction page is about, for its trail."""
    if isinstance(item, Koppeling):
        return item
    if isinstance(item, MeldcodeStap):
        return item.signaal.koppeling
    return getattr(item, "koppeling", None)


def _correctie_render(request, kind, item, form, title: str, terug: str, **extra):
    if request.method == "GET" and kind.over_gezin:
        audit.dossier_bekeken(door=request.user, obj=item, onderdeel=title.lower())
    koppeling = _koppeling_van(item)
    return render(
        request,
        "matching/correctie.html",
        {
            "item": item,
            "koppeling": koppeling,
            "kruimels": None if koppeling else _kruimels(item, terug),
            "form": form,
            "title": title,
            "terug": terug,
            "conflict": getattr(form, "conflict", None),
            **extra,
        },
    )


@coordinator_required
def corrigeren(request: HttpRequest, soort: str, pk: int) -> HttpResponse:
    """Correct a recorded item: its own form, filled in, and a reason."""
    kind, item, form_class, terug = _correctie_pagina(request, soort, pk)
    naam = kind.naam_van(item)
    if (refusal := kind.weigering(item)) and request.method == "GET":
        messages.info(request, refusal)
        return redirect(terug)
    form = form_class(
        request.POST or None, instance=item, door=request.user, initial=version_fields(item)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _attempt(
            request,
            form,
            lambda: _once_message(
                request,
                data,
                lambda: correcties.corrigeren(
                    door=request.user,
                    item=item,
                    reden=data["reden"],
                    versie=data["versie"],
                    snapshot_token=data["snapshot"],
                    **kind.argumenten(form.waarden(kind.velden)),
                ),
                Correctie,
            ),
            f"{naam} is gecorrigeerd.",
            terug,
        )
        if response:
            return response
    return _correctie_render(request, kind, item, form, f"{naam} corrigeren", terug)


@coordinator_required
def intrekken(request: HttpRequest, soort: str, pk: int) -> HttpResponse:
    """Withdraw a recorded item, after a confirmation with a reason."""
    kind, item, _, terug = _correctie_pagina(request, soort, pk)
    naam = kind.naam_van(item)
    if (refusal := correcties.weigering_intrekken(item)) and request.method == "GET":
        messages.info(request, refusal)
        return redirect(terug)
    form = IntrekkenForm(request.POST or None, initial=version_fields(item))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _attempt(
            request,
            form,
            lambda: _once_message(
                request,
                data,
                lambda: correcties.intrekken(
                    door=request.user,
                    item=item,
                    reden=data["reden"],
                    versie=data["versie"],
                    snapshot_token=data["snapshot"],
                ),
                Correctie,
            ),
            f"{naam} is ingetrokken.",
            terug,
        )
        if response:
            return response
    labels = {f.name: f.verbose_name for f in kind.model._meta.concrete_fields}
    return _correctie_render(
        request,
        kind,
        item,
        form,
        f"{naam} intrekken",
        terug,
        intrekken=True,
        waarden=[(labels[name], value) for name, value in kind.waarden(item).items()],
    )


UREN_WEKEN = 26


@coordinator_required
def uren(request: HttpRequest) -> HttpResponse:
    """The coordinator's hours per week and gemeente; ``?week=`` opens a
    week that was filled in before, to correct it."""
    user = request.user
    gemeenten = Wijk.objects.filter(organisatie=user.organisatie).gemeenten()
    if request.method == "POST":
        form = UrenForm(request.POST, gemeenten=gemeenten)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.uren_vastleggen(
                    door=user,
                    week=data["week"],
                    uren=form.uren(),
                    notitie=data["notitie"],
                    reden=data["reden"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"De uren voor de week van {korte_datum(data['week'])} zijn opgeslagen.",
                )
                return redirect("matching:uren")
    else:
        gekozen = WeekForm(request.GET)
        # Without a valid ?week= (absent, no date, in the future): this week.
        week = gekozen.cleaned_data["week"] if gekozen.is_valid() else maandag_van(today())
        form = UrenForm(
            gemeenten=gemeenten,
            initial={"week": week},
            opgeslagen=CoordinatieUren.objects.filter(coordinator=user, week=week),
        )
    weken = CoordinatieUren.objects.filter(coordinator=user).per_week(UREN_WEKEN)
    regels = [regel for week in weken for regel in week.regels]
    # The history of the rows shown, and the rows withdrawn in those weeks.
    sinds = timezone.now() - datetime.timedelta(weeks=UREN_WEKEN)
    ingetrokken = correcties.geschiedenis(
        regels,
        Correctie.objects.filter(item_type=correcties.UREN.label)
        .filter(
            Q(item_id__in=[regel.pk for regel in regels])
            | Q(door=user, soort=Correctie.Soort.INGETROKKEN, op__gte=sinds)
        )
        .select_related("door"),
    )
    return render(
        request, "matching/uren.html", {"form": form, "weken": weken, "ingetrokken": ingetrokken}
    )


AGENDA_WEKEN = 6
AGENDA_TONEN = 30  # items of each part of the agenda before "alle tonen"


@team_required
def agenda(request: HttpRequest) -> HttpResponse:
    user = request.user
    koppelingen = Koppeling.objects.visible_to(user)
    team = User.objects.filter(
        organisatie=user.organisatie, rol=User.Rol.COORDINATOR, is_active=True
    )
    wie = request.GET.get("coordinator", str(user.pk) if user.is_coordinator else "")
    if user.is_coordinator and wie != "alle":
        # Only an id of the team counts; anything else is the user's own agenda.
        chosen = next((member.pk for member in team if str(member.pk) == wie), user.pk)
        koppelingen = koppelingen.filter(coordinator_id=chosen)
    start, end = today(), today() + datetime.timedelta(weeks=AGENDA_WEKEN)
    # Overdue and upcoming each show their first items and count them all;
    # ?alles=1 shows them in full.
    shown = None if request.GET.get("alles") == "1" else AGENDA_TONEN
    achterstallig = geplande(koppelingen, tot=start - datetime.timedelta(days=1))[:shown]
    komend = geplande(koppelingen, van=start, tot=end)[:shown]
    items = afspraken([*achterstallig, *komend], start)
    audit.lijst_bekeken(door=request.user, wat="agenda", records=[item.koppeling for item in items])
    aantal_achterstallig, aantal_komend = aantallen(koppelingen, start=start, tot=end)
    feed = AgendaFeed.objects.filter(user=user).first()
    query = request.GET.copy()
    query["alles"] = "1"
    return render(
        request,
        "matching/agenda.html",
        {
            "achterstallig": [item for item in items if item.achterstallig],
            "items": [item for item in items if not item.achterstallig],
            "aantal_achterstallig": aantal_achterstallig,
            "aantal_items": aantal_komend,
            "alles_query": query.urlencode(),
            "team": team if user.is_coordinator else [],
            "wie": wie,
            "weken": AGENDA_WEKEN,
            "feed_url": request.build_absolute_uri(
                reverse("matching:agenda-feed", args=[feed.token])
            )
            if feed
            else "",
        },
    )


@team_required
@require_POST
def agenda_feed_nieuw(request: HttpRequest) -> HttpResponse:
    """A new secret address; the old one stops working at once."""
    services.agenda_feed_vernieuwen(door=request.user)
    messages.success(request, "Uw agenda-adres is aangemaakt. Een eerder adres werkt niet meer.")
    return redirect("matching:agenda")


@team_required
@require_POST
def agenda_feed_intrekken(request: HttpRequest) -> HttpResponse:
    services.agenda_feed_intrekken(door=request.user)
    messages.success(request, "Het agenda-adres is ingetrokken.")
    return redirect("matching:agenda")


def agenda_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private iCalendar feed: no login, the token is the key."""
    feed = get_object_or_404(
        AgendaFeed.objects.select_related("user__organisatie"), token=token, user__is_active=True
    )
    user = feed.user
    if not user.sees_family_data:
        raise Http404
    koppelingen = Koppeling.objects.visible_to(user)
    if user.is_coordinator:
        koppelingen = koppelingen.filter(coordinator=user)
    start = today()
    items = afspraken(
        geplande(koppelingen, tot=start + datetime.timedelta(weeks=AGENDA_WEKEN + 6)), start
    )
    audit.geexporteerd(
        door=user, wat="agenda-abonnement", records=[item.koppeling for item in items]
    )
    response = HttpResponse(
        ical(items, request.build_absolute_uri("/").rstrip("/"), timezone.now()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response
