from __future__ import annotations

import datetime
import secrets

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.decorators import coordinator_required, team_required
from accounts.models import AuditEntry, User
from gezinnen.models import Steungezin, Vraaggezin, today
from matching import services
from matching.agenda import afspraken, ical
from matching.forms import (
    AfsluitenForm,
    BegeleidingForm,
    ContactmomentForm,
    EvaluatieForm,
    FilterForm,
    KennismakingPlanForm,
    KennismakingUitkomstForm,
    MeldcodeStapForm,
    SignaalForm,
    StartForm,
    UrenForm,
)
from matching.models import (
    AgendaFeed,
    Contactmoment,
    CoordinatieUren,
    Evaluatie,
    Koppeling,
    MeldcodeStap,
    Signaal,
)
from matching.suggestions import passende_vraaggezinnen, suggesties

PAGE_SIZE = 25


def _koppeling(request: HttpRequest, pk: int) -> Koppeling:
    return get_object_or_404(
        Koppeling.objects.visible_to(request.user).select_related(
            "vraaggezin", "steungezin", "organisatie"
        ),
        pk=pk,
    )


def _form_page(
    request, koppeling, form, title: str, intro: str = "", template="matching/form.html"
):
    return render(
        request, template, {"koppeling": koppeling, "form": form, "title": title, "intro": intro}
    )


def filtered_koppelingen(request: HttpRequest):
    """The list's filter form and its koppelingen in order (page and exports)."""
    filters = FilterForm(request.GET, organisatie=request.user.organisatie)
    koppelingen = (
        Koppeling.objects.visible_to(request.user)
        .select_related("vraaggezin", "steungezin", "coordinator", "vrijwilliger")
        .annotate(open_signalen=Count("signalen", filter=Q(signalen__afgehandeld_op__isnull=True)))
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
    page = Paginator(koppelingen, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "matching/list.html",
        {"filters": filters, "page": page, "query": query.urlencode(), "today": today()},
    )


@team_required
def koppeling_detail(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = get_object_or_404(
        Koppeling.objects.visible_to(request.user)
        .select_related(
            "vraaggezin__wijk", "steungezin__wijk", "coordinator", "vrijwilliger", "organisatie"
        )
        .prefetch_related(
            "kinderen",
            "vraaggezin__leden",
            "steungezin__leden",
            Prefetch("contactmomenten", queryset=Contactmoment.objects.select_related("door")),
            Prefetch("signalen", queryset=Signaal.objects.select_related("gemeld_door")),
            Prefetch("evaluaties", queryset=Evaluatie.objects.select_related("door")),
        ),
        pk=pk,
    )
    audit.record(request, AuditEntry.Action.VIEW, koppeling)
    evaluaties = list(koppeling.evaluaties.all())
    return render(
        request,
        "matching/detail.html",
        {
            "koppeling": koppeling,
            "evaluaties": evaluaties,
            "evaluatie_due": koppeling.evaluatie_due(evaluaties),
            "professional": request.user.is_coordinator,
        },
    )


@coordinator_required
def suggesties_voor(request: HttpRequest, pk: int) -> HttpResponse:
    vraaggezin = get_object_or_404(Vraaggezin.objects.visible_to(request.user), pk=pk)
    ranked, left_out = suggesties(vraaggezin, today())
    lopend = vraaggezin.koppelingen.lopend().select_related("steungezin").first()
    return render(
        request,
        "matching/suggesties.html",
        {
            "vraaggezin": vraaggezin,
            "suggesties": ranked,
            "uitgesloten": left_out,
            "toon_uitgesloten": request.GET.get("uitgesloten") == "1",
            "lopend": lopend,
        },
    )


@coordinator_required
def passend_voor(request: HttpRequest, pk: int) -> HttpResponse:
    steungezin = get_object_or_404(Steungezin.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "matching/passend.html",
        {"steungezin": steungezin, "suggesties": passende_vraaggezinnen(steungezin, today())},
    )


@coordinator_required
@require_POST
def voorstellen(request: HttpRequest, pk: int, steungezin: int) -> HttpResponse:
    vraaggezin = get_object_or_404(Vraaggezin.objects.visible_to(request.user), pk=pk)
    steun = get_object_or_404(Steungezin.objects.visible_to(request.user), pk=steungezin)
    try:
        koppeling = services.koppeling_voorstellen(
            request=request, vraaggezin=vraaggezin, steungezin=steun
        )
    except services.KoppelingError as error:
        messages.error(request, str(error))
        return redirect("matching:suggesties", pk=vraaggezin.pk)
    messages.success(request, f"Voorgesteld: {koppeling}. Plan nu de kennismaking.")
    return redirect("matching:detail", pk=koppeling.pk)


def _run(request, koppeling, step, success: str):
    """Run a service step; a refusal becomes a message on the same page."""
    try:
        step()
    except services.KoppelingError as error:
        messages.error(request, str(error))
        return None
    messages.success(request, success)
    return redirect("matching:detail", pk=koppeling.pk)


@coordinator_required
def kennismaking(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    plan = KennismakingPlanForm(
        request.POST if "plannen" in request.POST else None,
        initial={"datum": koppeling.kennismaking_op or today()},
        prefix="plan",
    )
    uitkomst = KennismakingUitkomstForm(
        request.POST if "uitkomst" in request.POST else None, prefix="uitkomst"
    )
    if plan.is_bound and plan.is_valid():
        response = _run(
            request,
            koppeling,
            lambda: services.kennismaking_plannen(
                request=request, koppeling=koppeling, datum=plan.cleaned_data["datum"]
            ),
            "De kennismaking is gepland.",
        )
        if response:
            return response
    if uitkomst.is_bound and uitkomst.is_valid():
        response = _run(
            request,
            koppeling,
            lambda: services.kennismaking_uitkomst(
                request=request, koppeling=koppeling, **uitkomst.cleaned_data
            ),
            "De uitkomst van de kennismaking is vastgelegd.",
        )
        if response:
            return response
    return render(
        request,
        "matching/kennismaking.html",
        {"koppeling": koppeling, "plan": plan, "uitkomst": uitkomst},
    )


@coordinator_required
def starten(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    form = StartForm(request.POST or None, koppeling=koppeling)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _run(
            request,
            koppeling,
            lambda: services.koppeling_starten(
                request=request,
                koppeling=koppeling,
                start_op=data["start_op"],
                afspraken=data["afspraken"],
                frequentie=data["frequentie"],
                kinderen=list(data["kinderen"]),
                gepland_einde=data["gepland_einde"],
                proefperiode_tot=data["proefperiode_tot"],
            ),
            f"De koppeling {koppeling} is gestart.",
        )
        if response:
            return response
    return _form_page(
        request,
        koppeling,
        form,
        "Koppeling starten",
        "Leg de afspraken vast die de gezinnen bij de kennismaking maakten.",
    )


@coordinator_required
def begeleiding(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    form = BegeleidingForm(request.POST or None, instance=koppeling)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(
            request,
            AuditEntry.Action.CHANGE,
            koppeling,
            detail="begeleiding: " + ", ".join(form.changed_data),
        )
        messages.success(request, "De begeleiding is bijgewerkt.")
        return redirect("matching:detail", pk=koppeling.pk)
    return _form_page(request, koppeling, form, "Begeleiding")


@coordinator_required
def afsluiten(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    form = AfsluitenForm(
        request.POST or None,
        organisatie=koppeling.organisatie,
        initial={
            "einde_op": today(),
            "vraaggezin_naar": Vraaggezin.Status.WACHTEND,
            "steungezin_naar": Steungezin.Status.BESCHIKBAAR,
        },
    )
    if request.method == "POST" and form.is_valid():
        response = _run(
            request,
            koppeling,
            lambda: services.koppeling_afsluiten(
                request=request, koppeling=koppeling, **form.cleaned_data
            ),
            f"De koppeling {koppeling} is afgesloten.",
        )
        if response:
            return response
    return _form_page(request, koppeling, form, "Koppeling afsluiten")


@team_required
def contactmoment(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    form = ContactmomentForm(request.POST or None, initial={"datum": today()})
    signaal = (
        SignaalForm(request.POST or None, prefix="signaal")
        if request.POST.get("signaal-omschrijving")
        else None
    )
    if request.method == "POST" and form.is_valid() and (signaal is None or signaal.is_valid()):

        def step():
            contact = services.contactmoment_vastleggen(
                request=request, koppeling=koppeling, contact=form.instance
            )
            if signaal is not None:
                services.signaal_melden(
                    request=request,
                    koppeling=koppeling,
                    contactmoment=contact,
                    omschrijving=signaal.cleaned_data["omschrijving"],
                )

        response = _run(request, koppeling, step, "Het contactmoment is vastgelegd.")
        if response:
            return response
    return render(
        request,
        "matching/contactmoment.html",
        {"koppeling": koppeling, "form": form, "signaal": signaal or SignaalForm(prefix="signaal")},
    )


@team_required
def signaal_melden(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    form = SignaalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.signaal_melden(request=request, koppeling=koppeling, **form.cleaned_data)
        messages.success(request, "Het signaal is doorgegeven aan de coördinator.")
        return redirect("matching:detail", pk=koppeling.pk)
    return _form_page(
        request,
        koppeling,
        form,
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
        try:
            services.meldcode_stap_vastleggen(request=request, signaal=signaal, stap=form.instance)
        except services.KoppelingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{form.instance.get_stap_display()} is vastgelegd.")
            return redirect("matching:signaal", pk=signaal.pk)
    if request.method == "GET":
        audit.record(request, AuditEntry.Action.VIEW, signaal.koppeling, detail="signaal")
    return render(
        request,
        "matching/signaal.html",
        {"signaal": signaal, "koppeling": signaal.koppeling, "form": form},
    )


@coordinator_required
def evaluatie(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    due = koppeling.evaluatie_due(list(koppeling.evaluaties.all()))
    initial = {"datum": today(), "soort": due[0] if due else Evaluatie.Soort.JAARLIJKS}
    form = EvaluatieForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.evaluatie_vastleggen(
            request=request, koppeling=koppeling, evaluatie=form.save(commit=False)
        )
        messages.success(request, "De evaluatie is vastgelegd.")
        return redirect("matching:detail", pk=koppeling.pk)
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


@coordinator_required
def uren(request: HttpRequest) -> HttpResponse:
    form = UrenForm(request.POST or None, initial={"week": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        CoordinatieUren.objects.update_or_create(
            coordinator=request.user,
            week=data["week"],
            defaults={
                "organisatie": request.user.organisatie,
                "uren": data["uren"],
                "notitie": data["notitie"],
            },
        )
        messages.success(
            request, f"De uren voor de week van {data['week']:%d-%m-%Y} zijn opgeslagen."
        )
        return redirect("matching:uren")
    weken = CoordinatieUren.objects.filter(coordinator=request.user)[:26]
    return render(request, "matching/uren.html", {"form": form, "weken": weken})


AGENDA_WEKEN = 6


@team_required
def agenda(request: HttpRequest) -> HttpResponse:
    user = request.user
    koppelingen = Koppeling.objects.visible_to(user)
    team = User.objects.filter(
        organisatie=user.organisatie, rol=User.Rol.COORDINATOR, is_active=True
    )
    wie = request.GET.get("coordinator", str(user.pk) if user.is_coordinator else "")
    if user.is_coordinator and wie != "alle":
        koppelingen = koppelingen.filter(coordinator_id=wie if wie.isdigit() else user.pk)
    start = today()
    items = afspraken(koppelingen, start, start + datetime.timedelta(weeks=AGENDA_WEKEN))
    feed = AgendaFeed.objects.filter(user=user).first()
    return render(
        request,
        "matching/agenda.html",
        {
            "items": items,
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
    AgendaFeed.objects.update_or_create(
        user=request.user, defaults={"token": secrets.token_urlsafe(32)}
    )
    messages.success(request, "Uw agenda-adres is aangemaakt. Een eerder adres werkt niet meer.")
    return redirect("matching:agenda")


@team_required
@require_POST
def agenda_feed_intrekken(request: HttpRequest) -> HttpResponse:
    AgendaFeed.objects.filter(user=request.user).delete()
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
    start = today() - datetime.timedelta(days=7)
    items = afspraken(koppelingen, start, start + datetime.timedelta(weeks=AGENDA_WEKEN + 6))
    audit.record(request, AuditEntry.Action.EXPORT, user=user, detail="agenda-abonnement")
    response = HttpResponse(
        ical(items, request.build_absolute_uri("/").rstrip("/")),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response
