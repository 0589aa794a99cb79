from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts import audit
from accounts.decorators import coordinator_required
from accounts.models import Organisatie, User
from accounts.ratelimit import within_limit
from gezinnen import mails, public_forms
from gezinnen.forms import (
    IntakeForm,
    StatusForm,
    SteungezinForm,
    VraaggezinForm,
    add_service_error,
    leden_formset,
    refresh_version,
)
from gezinnen.integrity import EditConflict, already_saved, once, version_fields
from gezinnen.models import (
    Gezinslid,
    Steungezin,
    TransitionError,
    Vraaggezin,
    Wijk,
)
from gezinnen.secties import secties_voor
from gezinnen.services import (
    gezin_aanmelden,
    gezin_status_wijzigen,
    gezin_wijzigen,
    intake_vastleggen,
)
from gezinnen.tijdlijn import Tijdlijn, invoer_voor
from matching.models import Koppeling

PAGE_SIZE = 25
ALLE = "alle"


@dataclass(frozen=True)
class Soort:
    """What differs between the pages for vraag- and steungezinnen."""

    model: type
    form: type
    key: str
    sorts: dict[str, tuple[str, list]]

    @staticmethod
    def van(gezin: Vraaggezin | Steungezin) -> Soort:
        """The kind of pages a family of either kind has."""
        return VRAAG if isinstance(gezin, Vraaggezin) else STEUN

    @property
    def label(self) -> str:
        return self.model._meta.verbose_name

    @property
    def label_plural(self) -> str:
        return self.model._meta.verbose_name_plural

    @property
    def is_vraaggezin(self) -> bool:
        return self.model is Vraaggezin

    def url(self, name: str, *args) -> str:
        return reverse(f"gezinnen:{self.key}-{name}", args=args)

    # For templates, which cannot pass arguments to url().
    @property
    def list_url(self) -> str:
        return self.url("list")

    @property
    def create_url(self) -> str:
        return self.url("create")

    @property
    def detail_url_name(self) -> str:
        return f"gezinnen:{self.key}-detail"

    @property
    def public_url_name(self) -> str:
        return f"gezinnen:aanmelden-{self.key}"

    @property
    def edit_url_name(self) -> str:
        return f"gezinnen:{self.key}-edit"

    @property
    def status_url_name(self) -> str:
        return f"gezinnen:{self.key}-status"

    @property
    def bekeken_url_name(self) -> str:
        return f"gezinnen:{self.key}-bekeken"

    @property
    def tijdlijn_url_name(self) -> str:
        return f"gezinnen:{self.key}-tijdlijn"


VRAAG = Soort(
    Vraaggezin,
    VraaggezinForm,
    "vraaggezin",
    {
        "wachttijd": ("langst wachtend", [F("wacht_sinds").asc(nulls_last=True), "naam"]),
        "naam": ("naam", ["naam"]),
        "aangemeld": ("nieuwste aanmelding", ["-aangemeld_op", "naam"]),
    },
)
STEUN = Soort(
    Steungezin,
    SteungezinForm,
    "steungezin",
    {
        "naam": ("naam", ["naam"]),
        "aangemeld": ("nieuwste aanmelding", ["-aangemeld_op", "naam"]),
    },
)


class FilterForm(forms.Form):
    q = forms.CharField(label="Zoeken", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    wijk = forms.ModelChoiceField(label="Wijk", required=False, queryset=Wijk.objects.none())
    sort = forms.ChoiceField(label="Sorteren", required=False)

    def __init__(self, *args, soort: Soort, organisatie: Organisatie, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "naam, postcode of telefoon"
        self.fields["status"].choices = [
            ("", "lopend (niet afgesloten)"),
            (ALLE, "alle statussen"),
            *soort.model.Status.choices,
        ]
        self.fields["wijk"].queryset = Wijk.objects.filter(organisatie=organisatie)
        self.fields["wijk"].empty_label = "alle wijken"
        self.fields["sort"].choices = [(key, label) for key, (label, _) in soort.sorts.items()]


def _gezin(request: HttpRequest, soort: Soort, pk: int):
    return get_object_or_404(soort.model.objects.visible_to(request.user), pk=pk)


def _aantal_leden(soort: str) -> Coalesce:
    """A family's number of members of one kind, as a subquery rather than a
    join with GROUP BY: PostgreSQL then counts only for the rows a page
    shows, after the sort and the limit, instead of for the whole list."""
    per_gezin = (
        Gezinslid.objects.filter(gezin=OuterRef("pk"), soort=soort)
        .order_by()
        .values("gezin")
        .annotate(aantal=Count("pk"))
        .values("aantal")
    )
    return Coalesce(Subquery(per_gezin, output_field=IntegerField()), 0)


def filtered_gezinnen(request: HttpRequest, soort: Soort):
    """The list's filter form and its families in order: for the page and
    for the exports of the same selection."""
    filters = FilterForm(request.GET, soort=soort, organisatie=request.user.organisatie)
    gezinnen = (
        soort.model.objects.visible_to(request.user)
        .select_related("wijk")
        .annotate(
            aantal_kinderen=_aantal_leden(Gezinslid.Soort.KIND),
            aantal_volwassenen=_aantal_leden(Gezinslid.Soort.VOLWASSENE),
        )
    )
    sort = next(iter(soort.sorts))
    if filters.is_valid():
        data = filters.cleaned_data
        gezinnen = gezinnen.search(data["q"])
        if not data["status"]:
            gezinnen = gezinnen.exclude(status__in=soort.model.ENDED)
        elif data["status"] != ALLE:
            gezinnen = gezinnen.filter(status=data["status"])
        if data["wijk"]:
            gezinnen = gezinnen.filter(wijk=data["wijk"])
        sort = data["sort"] or sort
    return filters, gezinnen.order_by(*soort.sorts[sort][1])


@coordinator_required
def gezin_list(request: HttpRequest, soort: Soort) -> HttpResponse:
    filters, gezinnen = filtered_gezinnen(request, soort)
    page = Paginator(gezinnen, PAGE_SIZE).get_page(request.GET.get("pagina"))
    audit.lijst_bekeken(
        door=request.user, wat=f"lijst {soort.label_plural}", records=list(page.object_list)
    )
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "gezinnen/gezin_list.html",
        {"soort": soort, "filters": filters, "page": page, "query": query.urlencode()},
    )


@coordinator_required
def gezin_detail(request: HttpRequest, soort: Soort, pk: int) -> HttpResponse:
    gezin = get_object_or_404(
        soort.model.objects.visible_to(request.user)
        .select_related("wijk", "toestemming_vastgelegd_door")
        .prefetch_related(
            "leden",
            Prefetch(
                "koppelingen",
                queryset=Koppeling.objects.select_related("vraaggezin", "steungezin"),
            ),
        ),
        pk=pk,
    )
    audit.dossier_bekeken(door=request.user, obj=gezin)
    regels, meer = Tijdlijn(gezin, request.user).eerste(TIJDLIJN_TONEN)
    return render(
        request,
        "gezinnen/gezin_detail.html",
        {
            "soort": soort,
            "gezin": gezin,
            "status_form": StatusForm(gezin=gezin),
            "tijdlijn": regels,
            "tijdlijn_meer": meer,
            "invoer": invoer_voor(gezin, request.user),
            "secties": secties_voor(gezin, request.user),
        },
    )


# Lines of the timeline on the family's page; the rest on its own pages.
TIJDLIJN_TONEN = 20
TIJDLIJN_PAGE_SIZE = 50


@coordinator_required
def gezin_tijdlijn(request: HttpRequest, soort: Soort, pk: int) -> HttpResponse:
    """The family's whole timeline, newest first, a page at a time."""
    gezin = _gezin(request, soort, pk)
    audit.dossier_bekeken(door=request.user, obj=gezin, onderdeel="tijdlijn")
    page = Paginator(Tijdlijn(gezin, request.user), TIJDLIJN_PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(
        request,
        "gezinnen/gezin_tijdlijn.html",
        {
            "soort": soort,
            "gezin": gezin,
            "page": page,
            "invoer": invoer_voor(gezin, request.user),
        },
    )


AUDIT_PAGE_SIZE = 50


@coordinator_required
def gezin_bekeken(request: HttpRequest, soort: Soort, pk: int) -> HttpResponse:
    """Wie heeft dit dossier gezien: every entry of the audit log about the
    family, its members, screening and koppelingen, and each list it was on."""
    gezin = get_object_or_404(soort.model.objects.visible_to(request.user), pk=pk)
    # Logged first, so that this look is on the page too.
    audit.dossier_bekeken(door=request.user, obj=gezin, onderdeel="wie heeft dit dossier gezien")
    page = Paginator(audit.over_gezin(gezin), AUDIT_PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request, "gezinnen/gezin_bekeken.html", {"soort": soort, "gezin": gezin, "page": page}
    )


def _leden_formset(soort: Soort, *, extra: int):
    return leden_formset(for_vraaggezin=soort.is_vraaggezin, extra=extra)


@coordinator_required
def gezin_create(request: HttpRequest, soort: Soort) -> HttpResponse:
    organisatie = request.user.organisatie
    form = soort.form(request.POST or None, organisatie=organisatie)
    leden = _leden_formset(soort, extra=4)(request.POST or None, prefix="leden")
    duplicates = []
    if request.method == "POST" and form.is_valid() and leden.is_valid():
        if saved := already_saved(form.cleaned_data["inzending"], request.user, soort.model):
            messages.info(request, ALREADY_SAVED.format(saved))
            return redirect(soort.url("detail", saved.pk))
        duplicates = list(form.resembling())
        if not duplicates or request.POST.get("toch_opslaan"):
            try:
                gezin, created = _aanmelden(request.user, soort, organisatie, form, leden)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, f"{gezin} is aangemaakt." if created else ALREADY_SAVED.format(gezin)
                )
                return redirect(soort.url("detail", gezin.pk))
    return render(
        request,
        "gezinnen/gezin_form.html",
        {"soort": soort, "form": form, "leden": leden, "duplicates": duplicates},
    )


def _aanmelden(door: User | None, soort: Soort, organisatie: Organisatie, form, leden):
    """The one door for a new family, from the coordinator's form and the
    public ones alike: (gezin, created), once per form token."""
    return once(
        form.cleaned_data["inzending"],
        door,
        lambda: gezin_aanmelden(
            door=door,
            model=soort.model,
            organisatie=organisatie,
            gegevens=form.gegevens(),
            leden=leden.rows(),
        ),
        soort.model,
    )


# A second submission of a form that was already saved (a double click).
ALREADY_SAVED = "Dit formulier was al verstuurd; {} is één keer opgeslagen."


@coordinator_required
def gezin_edit(request: HttpRequest, soort: Soort, pk: int) -> HttpResponse:
    gezin = _gezin(request, soort, pk)
    if refusal := gezin.niet_geanonimiseerd():
        messages.error(request, refusal)
        return redirect(soort.url("detail", gezin.pk))
    form = soort.form(
        request.POST or None,
        instance=gezin,
        organisatie=gezin.organisatie,
        initial=version_fields(gezin),
    )
    leden = _leden_formset(soort, extra=2)(request.POST or None, instance=gezin, prefix="leden")
    conflict = None
    if request.method == "POST" and form.is_valid() and leden.is_valid():
        try:
            gezin_wijzigen(
                door=request.user,
                gezin=gezin,
                versie=form.cleaned_data["versie"],
                snapshot_token=form.cleaned_data["snapshot"],
                gegevens=form.gegevens(),
                leden=leden.rows(),
            )
        except EditConflict as error:
            conflict = error
            refresh_version(form, error.current)
        except (TransitionError, ValidationError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "De wijzigingen zijn opgeslagen.")
            return redirect(soort.url("detail", gezin.pk))
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=gezin, onderdeel="bewerkformulier")
    return render(
        request,
        "gezinnen/gezin_form.html",
        {"soort": soort, "gezin": gezin, "form": form, "leden": leden, "conflict": conflict},
    )


@coordinator_required
def gezin_status(request: HttpRequest, soort: Soort, pk: int) -> HttpResponse:
    gezin = _gezin(request, soort, pk)
    form = StatusForm(
        request.POST or None,
        gezin=gezin,
        initial={"naar": request.GET.get("naar"), **version_fields(gezin)},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            stap = gezin_status_wijzigen(
                door=request.user,
                gezin=gezin,
                naar=form.cleaned_data["naar"],
                reden=form.cleaned_data["reden"],
                versie=form.cleaned_data["versie"],
                snapshot_token=form.cleaned_data["snapshot"],
            )
        except EditConflict as error:
            conflict = error
            refresh_version(form, error.current)
        except TransitionError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{gezin} is nu {gezin.Status(stap.naar).label}.")
            return redirect(soort.url("detail", gezin.pk))
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=gezin, onderdeel="status")
    return render(
        request,
        "gezinnen/gezin_status.html",
        {"soort": soort, "gezin": gezin, "form": form, "conflict": conflict},
    )


@coordinator_required
def intake(request: HttpRequest, pk: int) -> HttpResponse:
    gezin = _gezin(request, VRAAG, pk)
    if refusal := gezin.refusal("intake_vastleggen"):
        messages.error(request, refusal)
        return redirect(VRAAG.url("detail", gezin.pk))
    form = IntakeForm(request.POST or None, instance=gezin, initial=version_fields(gezin))
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intake_vastleggen(
                door=request.user,
                vraaggezin=gezin,
                versie=data["versie"],
                snapshot_token=data["snapshot"],
                intake_op=data["intake_op"],
                hulpvraag=data["hulpvraag"],
                ondersteuning=data["ondersteuning"],
                dagdelen=data["dagdelen"],
                kinderen=[child.pk for child in data["kinderen"]],
            )
        except EditConflict as error:
            conflict = error
            refresh_version(form, error.current)
        except (TransitionError, ValidationError) as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"De intake is vastgelegd; {gezin} wacht nu op een steungezin."
            )
            return redirect(VRAAG.url("detail", gezin.pk))
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=gezin, onderdeel="intake")
    return render(
        request,
        "gezinnen/intake.html",
        {"soort": VRAAG, "gezin": gezin, "form": form, "conflict": conflict},
    )


# Public sign-up and referral ------------------------------------------------

PUBLIC_LIMIT = 5  # submissions per IP address per hour


def aanmelden(request: HttpRequest, organisatie: str, soort: Soort) -> HttpResponse:
    """The public forms: a steungezin signs up, a family is referred."""
    org = get_object_or_404(Organisatie, slug=organisatie)
    form_class = public_forms.for_soort(soort.model)
    form = form_class(request.POST or None, organisatie=org)
    leden = _leden_formset(soort, extra=1)(request.POST or None, prefix="leden")
    limited = False
    if (
        request.method == "POST"
        and (members := public_forms.household_step(request.POST, leden)) is not None
    ):
        # A member block added or removed: the same form again, everything typed
        # kept, nothing validated or counted against the limit yet.
        form = form_class(initial=public_forms.typed(form), organisatie=org)
        leden = _leden_formset(soort, extra=len(members))(initial=members, prefix="leden")
        if public_forms.LID_TOEVOEGEN in request.POST:
            leden.forms[-1].fields["voornaam"].widget.attrs["autofocus"] = True
    elif request.method == "POST":
        if form.is_spam():
            # Tell a bot nothing: it sees the same thank-you page.
            return redirect("gezinnen:bedankt", organisatie=org.slug)
        limited = not within_limit(request, "aanmelden", limit=PUBLIC_LIMIT, seconds=3600)
        if not limited and form.is_valid() and leden.is_valid():
            try:
                gezin, created = _aanmelden(None, soort, org, form, leden)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if created:
                    link = request.build_absolute_uri(soort.url("detail", gezin.pk))
                    mails.coordinatoren_melden(gezin, soort.label, link)
                    mails.aanmelding_bevestigen(gezin)
                return redirect("gezinnen:bedankt", organisatie=org.slug)
    return render(
        request,
        "gezinnen/aanmelden.html",
        {"organisatie": org, "soort": soort, "form": form, "leden": leden, "limited": limited},
    )


def bedankt(request: HttpRequest, organisatie: str) -> HttpResponse:
    org = get_object_or_404(Organisatie, slug=organisatie)
    return render(request, "gezinnen/bedankt.html", {"organisatie": org})
