from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.decorators import coordinator_required
from gezinnen.forms import add_service_error, refresh_version
from gezinnen.integrity import EditConflict, once, version_fields
from gezinnen.models import Steungezin, today
from screening import services, stand
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
    latest_vog,
    tekorten_voor_goedkeuring,
    with_screening,
)


def _steungezin(request: HttpRequest, pk: int) -> Steungezin:
    return get_object_or_404(Steungezin.objects.visible_to(request.user), pk=pk)


def _detail(steungezin: Steungezin) -> str:
    return reverse("gezinnen:steungezin-detail", args=[steungezin.pk]) + "#screening"


def _form_page(
    request, steungezin, form, title: str, intro: str = "", *, onderdeel: str = ""
) -> HttpResponse:
    """A screening form; its GET is logged as a view of the steungezin, as
    ``onderdeel`` where the title names a person."""
    if request.method == "GET":
        audit.dossier_bekeken(
            door=request.user, obj=steungezin, onderdeel=onderdeel or f"screening: {title}"
        )
    return render(
        request,
        "screening/form.html",
        {"gezin": steungezin, "form": form, "title": title, "intro": intro},
    )


@coordinator_required
def vog_edit(request: HttpRequest, pk: int, lid: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    member = get_object_or_404(steungezin.leden.all(), pk=lid)
    vog = latest_vog(member) or VOG(gezinslid=member)
    form = VOGForm(request.POST or None, instance=vog)
    if request.method == "POST" and form.is_valid():
        try:
            services.vog_bijwerken(
                door=request.user,
                lid=member,
                vog_id=vog.pk,
                gegevens={name: form.cleaned_data[name] for name in form._meta.fields},
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"De VOG van {member} is bijgewerkt.")
            return redirect(_detail(steungezin))
    return _form_page(
        request,
        steungezin,
        form,
        f"VOG van {member}",
        f"{member} is {member.leeftijd} jaar. Alleen de status en de data worden bewaard, "
        "nooit een kopie van de verklaring.",
        onderdeel=f"VOG gezinslid nr. {member.pk}",
    )


@coordinator_required
@require_POST
def vog_new(request: HttpRequest, pk: int, lid: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    member = get_object_or_404(steungezin.leden.all(), pk=lid)
    if not needs_vog(member, today()):
        messages.error(request, f"{member} is jonger dan 18 en heeft nog geen VOG nodig.")
        return redirect(_detail(steungezin))
    services.vog_aanvragen(door=request.user, lid=member)
    return redirect("screening:vog", pk=steungezin.pk, lid=member.pk)


@coordinator_required
def gesprek_create(request: HttpRequest, pk: int, soort: str) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    if soort not in ScreeningGesprek.Soort.values:
        raise Http404
    soort = ScreeningGesprek.Soort(soort)
    form = GesprekForm(
        request.POST or None,
        organisatie=steungezin.organisatie,
        initial={"datum": today(), "door": request.user},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            once(
                data["inzending"],
                request.user,
                lambda: services.gesprek_vastleggen(
                    door=request.user,
                    steungezin=steungezin,
                    soort=soort,
                    datum=data["datum"],
                    gevoerd_door=data["door"],
                    notities=data["notities"],
                ),
                ScreeningGesprek,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{soort.label.capitalize()} is vastgelegd.")
            return redirect(_detail(steungezin))
    return _form_page(request, steungezin, form, soort.label.capitalize())


@coordinator_required
def referentie_create(request: HttpRequest, pk: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    form = ReferentieForm(request.POST or None, initial={"benaderd_op": today()})
    if request.method == "POST" and form.is_valid():
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
            messages.success(request, "De referentie is vastgelegd.")
            return redirect(_detail(steungezin))
    return _form_page(request, steungezin, form, "Referentie")


@coordinator_required
def criteria(request: HttpRequest, pk: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    active = list(Criterium.objects.filter(organisatie=steungezin.organisatie, actief=True))
    current = {b.criterium_id: b for b in steungezin.criteriumbeoordelingen.all()}
    form = CriteriaForm(request.POST or None, criteria=active, beoordelingen=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.criteria_beoordelen(
                door=request.user, steungezin=steungezin, antwoorden=list(form.answers())
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "De criteria zijn opgeslagen.")
            return redirect(_detail(steungezin))
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=steungezin, onderdeel="screening: criteria")
    return render(request, "screening/criteria.html", {"gezin": steungezin, "form": form})


@coordinator_required
def deelname(request: HttpRequest, pk: int) -> HttpResponse:
    steungezin = _steungezin(request, pk)
    form = DeelnameForm(request.POST or None, steungezin=steungezin)
    if request.method == "POST" and form.is_valid():
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
            messages.success(request, "De deelname aan de training is vastgelegd.")
            return redirect(_detail(steungezin))
    intro = (
        ""
        if form.fields["training"].queryset.exists()
        else ("Er is nog geen training. Maak die eerst aan onder Trainingen.")
    )
    return _form_page(request, steungezin, form, "Training gevolgd", intro)


@coordinator_required
def besluit(request: HttpRequest, pk: int) -> HttpResponse:
    steungezin = get_object_or_404(
        with_screening(Steungezin.objects.visible_to(request.user)), pk=pk
    )
    tekorten = tekorten_voor_goedkeuring(steungezin, today())
    # Bound on every POST, also one without fields (only the button).
    form = BesluitForm(
        request.POST if request.method == "POST" else None, initial=version_fields(steungezin)
    )
    conflict = None
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=steungezin, onderdeel="screening: besluit")
    if request.method == "POST" and form.is_valid():
        try:
            services.steungezin_goedkeuren(
                door=request.user, steungezin=steungezin, versie=form.cleaned_data["versie"]
            )
        except EditConflict as error:
            conflict = error
            refresh_version(form, error.current)
        except services.ApprovalRefused as error:
            tekorten = error.tekorten
            messages.error(request, "Nog niet goed te keuren: zie hieronder wat ontbreekt.")
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{steungezin} is goedgekeurd en nu beschikbaar.")
            return redirect(_detail(steungezin))
    return render(
        request,
        "screening/besluit.html",
        {
            "gezin": steungezin,
            "tekorten": tekorten,
            "form": form,
            "conflict": conflict,
            "kan": steungezin.refusal("goedkeuren") is None,
            "waarom_niet": steungezin.refusal("goedkeuren"),
        },
    )


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
    delen = {naam: lijst.deel(steungezinnen, day) for naam, lijst in LIJSTEN.items()}
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
