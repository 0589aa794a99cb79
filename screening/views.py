from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.decorators import coordinator_required
from gezinnen.forms import add_service_error, refresh_version
from gezinnen.integrity import EditConflict, once, version_fields
from gezinnen.models import Steungezin, today
from screening import markering, rules, services, stand
from screening.forms import (
    BesluitForm,
    CriteriaForm,
    DeelnameForm,
    GesprekForm,
    ReferentieForm,
    TrainingForm,
    VOGForm,
)
from screening.models import VOG, Criterium, Referentie, ScreeningGesprek, Training, needs_vog
from screening.overzicht import LIJSTEN
from screening.rules import (
    VERLOOPT_BINNEN_DAGEN,
    herscreening_redenen,
    latest_vog,
    tekorten_voor_goedkeuring,
    vog_members,
    vog_problem,
    with_screening,
)
from screening.templatetags.screening_tags import STATE_LABELS


def _steungezin(request: HttpRequest, pk: int) -> Steungezin:
    return get_object_or_404(Steungezin.objects.visible_to(request.user), pk=pk)


def _page_url(steungezin: Steungezin, anchor: str = "") -> str:
    return reverse("screening:gezin", args=[steungezin.pk]) + (f"#{anchor}" if anchor else "")


def _saved(request: HttpRequest, steungezin: Steungezin, anchor: str, message: str):
    """After a POST: back to the screening page, at the item (PRG)."""
    messages.success(request, message, extra_tags=anchor)
    return redirect(_page_url(steungezin, anchor))


def _forms(steungezin: Steungezin, user, day) -> dict:
    """The page's forms as they come, by name; a POST replaces its own."""
    active = list(Criterium.objects.filter(organisatie=steungezin.organisatie, actief=True))
    return {
        "gesprek": GesprekForm(
            prefix="gesprek",
            organisatie=steungezin.organisatie,
            initial={"datum": day, "door": user},
        ),
        "referentie": ReferentieForm(prefix="referentie", initial={"benaderd_op": day}),
        "training": DeelnameForm(prefix="training", steungezin=steungezin),
        "criteria": CriteriaForm(
            prefix="criteria",
            criteria=active,
            beoordelingen={
                b.criterium_id: b for b in steungezin.criteriumbeoordelingen.select_related("door")
            },
        ),
        "besluit": BesluitForm(prefix="besluit", initial=version_fields(steungezin)),
    }


def _vog_form(member, vog: VOG, data=None) -> VOGForm:
    return VOGForm(data, instance=vog, prefix=f"vog{member.pk}")


def _gesprekken(steungezin: Steungezin) -> list[list[ScreeningGesprek]]:
    """The conversations, newest first; one recorded as both kinds (an intake
    at home) shown once."""
    groepen: dict[tuple, list[ScreeningGesprek]] = {}
    for gesprek in sorted(
        steungezin.screeningsgesprekken.all(), key=lambda g: (g.datum, g.pk), reverse=True
    ):
        groepen.setdefault((gesprek.datum, gesprek.door_id, gesprek.notities), []).append(gesprek)
    return [
        sorted(groep, key=lambda g: g.soort == ScreeningGesprek.Soort.HUISBEZOEK)
        for groep in groepen.values()
    ]


def _page(
    request: HttpRequest,
    pk: int,
    *,
    onderdeel: str = "screening",
    bound: dict | None = None,
    conflict: tuple[str, EditConflict] | None = None,
    tekorten: list[str] | None = None,
) -> HttpResponse:
    """The screening of one steungezin on one page: every item with what was
    recorded and its form, what is still missing, and the decision. A POST
    that was refused renders it again with its own form as it was sent
    (``bound``), at its item."""
    steungezin = get_object_or_404(
        with_screening(Steungezin.objects.visible_to(request.user)), pk=pk
    )
    day = today()
    bound = bound or {}
    forms = {**_forms(steungezin, request.user, day), **bound}
    vogs = []
    for lid in vog_members(steungezin, day):
        vog = latest_vog(lid)
        final = vog is not None and vog.status in VOG.FINAL
        probleem = vog_problem(lid, day, for_approval=True)
        until = vog.geldig_tot(steungezin.organisatie) if vog else None
        vogs.append(
            {
                "lid": lid,
                "anker": f"vog-{lid.pk}",
                "vog": vog,
                "eerdere": sorted(lid.vogs.all(), key=lambda v: -v.pk)[1:],
                "geldig_tot": until,
                "probleem": probleem,
                "form": bound.get(f"vog{lid.pk}") or _vog_form(lid, vog or VOG(gezinslid=lid)),
                "final": final,
                # A new request only where the one there no longer does.
                "renew": final
                and (probleem or (until and (until - day).days <= VERLOOPT_BINNEN_DAGEN)),
            }
        )
    gesprekken = _gesprekken(steungezin)
    referenties = list(steungezin.referenties.select_related("door"))
    deelnames = [
        (lid, deelname) for lid in steungezin.leden.all() for deelname in lid.deelnames.all()
    ]
    ingetrokken: dict[str, list] = {}
    for weg in markering.markeren(
        steungezin,
        request.user,
        [
            *(gesprek for groep in gesprekken for gesprek in groep),
            *referenties,
            *(vog for entry in vogs for vog in (entry["vog"], *entry["eerdere"]) if vog),
            *(deelname for _, deelname in deelnames),
        ],
    ):
        ingetrokken.setdefault(weg.soort, []).append(weg)
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=steungezin, onderdeel=onderdeel)
    return render(
        request,
        "screening/pagina.html",
        {
            "gezin": steungezin,
            "forms": forms,
            "conflict_bij": conflict[0] if conflict else "",
            "conflict": conflict[1] if conflict else None,
            "vogs": vogs,
            "items": [
                (item, *STATE_LABELS[item.state]) for item in rules.overzicht(steungezin, day)
            ],
            "tekorten": tekorten_voor_goedkeuring(steungezin, day)
            if tekorten is None
            else tekorten,
            "kan_niet": services.goedkeuren_kan_niet(steungezin),
            "herscreening": herscreening_redenen(steungezin, day)
            if steungezin.is_beschikbaar
            else [],
            "gesprekken": gesprekken,
            "trainingen_er": forms["training"].fields["training"].queryset.exists(),
            "referenties": referenties,
            "deelnames": deelnames,
            "ingetrokken": ingetrokken,
        },
    )


@coordinator_required
def screening(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@coordinator_required
def vog_edit(request: HttpRequest, pk: int, lid: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    member = get_object_or_404(steungezin.leden.all(), pk=lid)
    if request.method != "POST":
        return _page(request, pk, onderdeel=f"VOG gezinslid nr. {member.pk}")
    vog = latest_vog(member) or VOG(gezinslid=member)
    form = _vog_form(member, vog, request.POST)
    conflict = None
    if form.is_valid():
        try:
            services.vog_bijwerken(
                door=request.user,
                lid=member,
                vog_id=vog.pk,
                gegevens={name: form.cleaned_data[name] for name in form._meta.fields},
                gezien=form.cleaned_data["gezien"],
            )
        except EditConflict as error:
            conflict = (f"vog{member.pk}", error)
            data = form.data.copy()
            data[form.add_prefix("gezien")] = services.vog_gezien(error.current)
            form.data = data
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(
                request, steungezin, f"vog-{member.pk}", f"De VOG van {member} is bijgewerkt."
            )
    return _page(request, pk, bound={f"vog{member.pk}": form}, conflict=conflict)


@coordinator_required
@require_POST
def vog_new(request: HttpRequest, pk: int, lid: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    member = get_object_or_404(steungezin.leden.all(), pk=lid)
    if not needs_vog(member, today()):
        messages.error(request, f"{member} is jonger dan 18 en heeft nog geen VOG nodig.")
        return redirect(_page_url(steungezin, "vogs"))
    services.vog_aanvragen(door=request.user, lid=member)
    return _saved(
        request,
        steungezin,
        f"vog-{member.pk}",
        f"Een nieuwe VOG voor {member} staat klaar: vul de status in zodra hij is aangevraagd.",
    )


@coordinator_required
def gesprek_create(request: HttpRequest, pk: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    if request.method != "POST":
        return _page(request, pk, onderdeel="screening: gesprekken")
    form = GesprekForm(request.POST, prefix="gesprek", organisatie=steungezin.organisatie)
    if form.is_valid():
        data = form.cleaned_data
        try:
            once(
                data["inzending"],
                request.user,
                lambda: services.gesprekken_vastleggen(
                    door=request.user,
                    steungezin=steungezin,
                    soorten=data["soorten"],
                    datum=data["datum"],
                    gevoerd_door=data["door"],
                    notities=data["notities"],
                )[0],
                ScreeningGesprek,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            soorten = " en ".join(ScreeningGesprek.Soort(s).label for s in data["soorten"])
            return _saved(request, steungezin, "gesprekken", f"{soorten.capitalize()}: vastgelegd.")
    return _page(request, pk, bound={"gesprek": form})


@coordinator_required
def referentie_create(request: HttpRequest, pk: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    if request.method != "POST":
        return _page(request, pk, onderdeel="screening: referenties")
    form = ReferentieForm(request.POST, prefix="referentie")
    if form.is_valid():
        data = form.cleaned_data
        try:
            once(
                data["inzending"],
                request.user,
                lambda: services.referentie_vastleggen(
                    door=request.user,
                    steungezin=steungezin,
                    **{name: data[name] for name in form._meta.fields},
                ),
                Referentie,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(
                request, steungezin, "referenties", f"De referentie {data['naam']} is vastgelegd."
            )
    return _page(request, pk, bound={"referentie": form})


@coordinator_required
def criteria(request: HttpRequest, pk: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    if request.method != "POST":
        return _page(request, pk, onderdeel="screening: criteria")
    active = list(Criterium.objects.filter(organisatie=steungezin.organisatie, actief=True))
    current = {b.criterium_id: b for b in steungezin.criteriumbeoordelingen.all()}
    form = CriteriaForm(request.POST, prefix="criteria", criteria=active, beoordelingen=current)
    conflict = None
    if form.is_valid():
        try:
            services.criteria_beoordelen(
                door=request.user,
                steungezin=steungezin,
                antwoorden=list(form.answers()),
                gezien=form.cleaned_data["gezien"],
            )
        except EditConflict as error:
            conflict = ("criteria", error)
            data = form.data.copy()
            data[form.add_prefix("gezien")] = services.criteria_gezien(
                steungezin.criteriumbeoordelingen.all()
            )
            form.data = data
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(request, steungezin, "criteria", "De criteria zijn opgeslagen.")
    return _page(request, pk, bound={"criteria": form}, conflict=conflict)


@coordinator_required
def deelname(request: HttpRequest, pk: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    if request.method != "POST":
        return _page(request, pk, onderdeel="screening: training")
    form = DeelnameForm(request.POST, prefix="training", steungezin=steungezin)
    if form.is_valid():
        try:
            services.deelname_vastleggen(
                door=request.user,
                steungezin=steungezin,
                training=form.cleaned_data["training"],
                leden=list(form.cleaned_data["leden"]),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _saved(
                request, steungezin, "training", "De deelname aan de training is vastgelegd."
            )
    return _page(request, pk, bound={"training": form})


@coordinator_required
def besluit(request: HttpRequest, pk: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    if request.method != "POST":
        return _page(request, pk, onderdeel="screening: besluit")
    form = BesluitForm(request.POST, prefix="besluit")
    conflict = tekorten = None
    if form.is_valid():
        try:
            services.steungezin_goedkeuren(
                door=request.user, steungezin=steungezin, versie=form.cleaned_data["versie"]
            )
        except EditConflict as error:
            conflict = ("besluit", error)
            refresh_version(form, error.current)
        except services.ApprovalRefused as error:
            tekorten = error.tekorten
            messages.error(request, "Nog niet goed te keuren: zie bij Besluit wat ontbreekt.")
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            return _saved(
                request, steungezin, "besluit", f"{steungezin} is goedgekeurd en nu beschikbaar."
            )
    return _page(request, pk, bound={"besluit": form}, conflict=conflict, tekorten=tekorten)


@coordinator_required
def overzicht(request: HttpRequest) -> HttpResponse:
    """Everything screening needs from the coordinator, for the whole
    organisation: each list bounded, with ``?lijst=<name>`` showing one in
    full, a page at a time."""
    day = today()
    stand.verouderde_bijwerken(day, organisatie_id=request.user.organisatie_id)
    steungezinnen = Steungezin.objects.visible_to(request.user)
    naam = request.GET.get("lijst", "")
    if lijst := LIJSTEN.get(naam):
        page, rijen, aantal = lijst.pagina(steungezinnen, day, request.GET.get("pagina"))
        audit.lijst_bekeken(
            door=request.user,
            wat=f"screeningsoverzicht: {lijst.titel}",
            records=[r[0] for r in rijen],
        )
        return render(
            request,
            "screening/lijst.html",
            {
                "lijst": lijst,
                "naam": naam,
                "rijen": rijen,
                "aantal": aantal,
                "page": page,
                "query": f"lijst={naam}",
            },
        )
    delen = stand.delen([(lijst, steungezinnen) for lijst in LIJSTEN.values()], day)
    delen = dict(zip(LIJSTEN, delen, strict=True))
    audit.lijst_bekeken(
        door=request.user,
        wat="screeningsoverzicht",
        records=[row[0] for deel in delen.values() for row in deel.rijen],
    )
    return render(request, "screening/overzicht.html", {"delen": delen, "lijsten": LIJSTEN})


@coordinator_required
def training_list(request: HttpRequest) -> HttpResponse:
    trainingen = Training.objects.visible_to(request.user).prefetch_related(
        "deelnames__gezinslid__gezin"
    )
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            training, _ = once(
                data["inzending"],
                request.user,
                lambda: services.training_aanmaken(
                    door=request.user,
                    organisatie=request.user.organisatie,
                    **{name: data[name] for name in form._meta.fields},
                ),
                Training,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"De training {training} is aangemaakt.")
            return redirect("screening:trainingen")
    if request.method == "GET":
        # The participants are named on the page, with a link to their family.
        audit.lijst_bekeken(
            door=request.user,
            wat="trainingen",
            records=[d.gezinslid.gezin for t in trainingen for d in t.deelnames.all()],
        )
    return render(request, "screening/trainingen.html", {"trainingen": trainingen, "form": form})
