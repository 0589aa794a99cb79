from __future__ import annotations

from collections import Counter

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify

from accounts import audit
from accounts.decorators import coordinator_required
from gezinnen.models import Gezin, Steungezin, Vraaggezin, today
from gezinnen.views import Soort, filtered_gezinnen
from matching.models import EindReden, Koppeling
from matching.views import filtered_koppelingen
from reports.exports import csv_response, xlsx_response
from reports.figures import (
    ALLE_GEMEENTEN,
    LEGENDA,
    MAANDEN,
    Periode,
    datum,
    gemeenten,
    gemeenterapportage,
    laatste_afgesloten,
)
from reports.inzage import inzage as inzage_van
from reports.pdf import pdf_response, render_to_pdf


@coordinator_required
def evaluatieverslag(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = get_object_or_404(
        Koppeling.objects.visible_to(request.user)
        .select_related("vraaggezin", "steungezin", "coordinator", "vrijwilliger", "organisatie")
        .prefetch_related("kinderen", "evaluaties"),
        pk=pk,
    )
    contacten = list(koppeling.contactmomenten.order_by("datum", "pk"))
    verloop = Counter(c.get_verloop_display() for c in contacten)
    rendered = render_to_pdf(
        "reports/evaluatieverslag.html",
        {
            "koppeling": koppeling,
            "organisatie": koppeling.organisatie,
            "contacten": contacten,
            "verloop": verloop.most_common(),
            "evaluaties": list(koppeling.evaluaties.order_by("datum")),
            "signalen": list(koppeling.signalen.order_by("gemeld_op")),
        },
    )
    audit.geexporteerd(door=request.user, wat="evaluatieverslag (PDF)", obj=koppeling)
    return pdf_response(rendered, f"evaluatieverslag-koppeling-{koppeling.pk}.pdf")


@coordinator_required
def inzage(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything stored about one family, for a request under the AVG."""
    base = get_object_or_404(Gezin.objects.visible_to(request.user), pk=pk)
    model = Vraaggezin if Vraaggezin.objects.filter(pk=base.pk).exists() else Steungezin
    gezin = (
        model.objects.select_related("organisatie", "wijk", "toestemming_vastgelegd_door")
        .prefetch_related("leden")
        .get(pk=base.pk)
    )
    rendered = render_to_pdf(
        "reports/inzage.html",
        {"inzage": inzage_van(gezin), "gezin": gezin, "organisatie": gezin.organisatie},
    )
    audit.geexporteerd(door=request.user, wat="inzage alle gegevens (PDF)", obj=gezin)
    return pdf_response(rendered, f"inzage-gezin-{gezin.pk}.pdf")


class RapportForm(forms.Form):
    """A whole calendar month, quarter or year that has ended: no free dates
    (see reports.figures on why)."""

    gemeente = forms.ChoiceField(label="Gemeente")
    soort = forms.ChoiceField(
        label="Periode", choices=[("maand", "maand"), ("kwartaal", "kwartaal"), ("jaar", "jaar")]
    )
    jaar = forms.IntegerField(label="Jaar", min_value=2000, max_value=2100)
    maand = forms.TypedChoiceField(
        label="Maand",
        coerce=int,
        choices=[(m, naam) for m, naam in enumerate(MAANDEN, start=1)],
        required=False,
    )
    kwartaal = forms.TypedChoiceField(
        label="Kwartaal", coerce=int, choices=[(q, f"Q{q}") for q in range(1, 5)], required=False
    )

    def __init__(self, *args, organisatie, **kwargs):
        super().__init__(*args, **kwargs)
        namen = gemeenten(organisatie)
        self.fields["gemeente"].choices = [
            *((g, g) for g in namen),
            *([(ALLE_GEMEENTEN, "alle gemeenten samen")] if namen else []),
        ]

    def clean(self):
        cleaned = super().clean()
        if self.data.get("van") or self.data.get("tot"):
            raise forms.ValidationError(
                "Een rapportage gaat over een hele maand, een heel kwartaal of een heel jaar, "
                "niet over eigen data."
            )
        soort = cleaned.get("soort")
        if soort == "maand" and not cleaned.get("maand"):
            self.add_error("maand", "Kies een maand.")
        if soort == "kwartaal" and not cleaned.get("kwartaal"):
            self.add_error("kwartaal", "Kies een kwartaal.")
        if not self.errors and self.periode().end >= today():
            raise forms.ValidationError(
                "Deze periode is nog niet voorbij. Een rapportage gaat over een afgesloten "
                "periode: cijfers van een lopende periode veranderen elke dag en zijn zo terug "
                "te rekenen naar één gezin."
            )
        return cleaned

    def periode(self) -> Periode:
        data = self.cleaned_data
        if data["soort"] == "maand":
            return Periode.maand(data["jaar"], data["maand"])
        if data["soort"] == "kwartaal":
            return Periode.kwartaal(data["jaar"], data["kwartaal"])
        return Periode.jaar(data["jaar"])


@coordinator_required
def gemeenterapportage_view(request: HttpRequest) -> HttpResponse:
    organisatie = request.user.organisatie
    vorig = laatste_afgesloten("kwartaal")
    initial = {"soort": "kwartaal", "jaar": vorig.start.year, "kwartaal": vorig.end.month // 3}
    form = RapportForm(request.GET or None, organisatie=organisatie, initial=initial)
    rapport = None
    if form.is_bound and form.is_valid():
        rapport = gemeenterapportage(organisatie, form.cleaned_data["gemeente"], form.periode())
        formaat = request.GET.get("formaat")
        if formaat in ("pdf", "csv", "xlsx"):
            audit.geexporteerd(
                door=request.user,
                wat=f"gemeenterapportage {formaat}: {rapport.gebied} {rapport.periode.label}",
            )
            return _rapport_download(rapport, formaat)
    query = request.GET.copy()
    query.pop("formaat", None)
    return render(
        request,
        "reports/gemeenterapportage.html",
        {"form": form, "rapport": rapport, "query": query.urlencode(), "legenda": LEGENDA},
    )


RAPPORT_KOLOMMEN = ["onderdeel", "omschrijving", "waarde", "toelichting"]


def _rapport_download(rapport, formaat: str) -> HttpResponse:
    """The report as PDF, CSV or XLSX: the same figures and definitions, and a
    header block that says whose figures they are and over what."""
    periode = rapport.periode
    gebied = "alle-gemeenten" if rapport.gemeente == ALLE_GEMEENTEN else rapport.gemeente
    name = (
        f"rapportage-{slugify(rapport.organisatie.slug)}-{slugify(gebied)}-"
        f"{periode.start:%Y%m%d}-{periode.end:%Y%m%d}"
    )
    if formaat == "pdf":
        rendered = render_to_pdf(
            "reports/gemeenterapportage_pdf.html",
            {"rapport": rapport, "organisatie": rapport.organisatie, "legenda": LEGENDA},
        )
        return pdf_response(rendered, f"{name}.pdf")
    kop = [
        ("Rapportage", "Steungezinnen: cijfers voor de gemeente"),
        ("Organisatie", rapport.organisatie.naam),
        ("Gemeente", rapport.gebied),
        ("Periode", f"{periode.label}: {periode.van_tot}"),
        ("Gemaakt op", datum(rapport.gemaakt_op)),
        ("Verklaring", LEGENDA),
    ]
    if formaat == "csv":
        # Dutch numbers as printed (31,3): what a Dutch spreadsheet reads as a number.
        rows = [
            [r.onderdeel, r.omschrijving, r.waarde, rapport.toelichting(r)] for r in rapport.regels
        ]
        return csv_response(RAPPORT_KOLOMMEN, rows, name, kop=kop)
    rows = [
        [
            r.onderdeel,
            r.omschrijving,
            r.waarde if r.getal is None else r.getal,
            rapport.toelichting(r),
        ]
        for r in rapport.regels
    ]
    return xlsx_response(RAPPORT_KOLOMMEN, rows, name, "Rapportage", kop=kop)


EXPORT_FORMATS = {"csv", "xlsx"}


def _export(
    request, formaat: str, header, rows, name: str, title: str, records: list
) -> HttpResponse:
    if formaat not in EXPORT_FORMATS:
        raise Http404
    audit.geexporteerd(door=request.user, wat=f"lijst {name} ({formaat})", records=records)
    if formaat == "csv":
        return csv_response(header, rows, name)
    return xlsx_response(header, rows, name, title)


EXPORT_FIELDS = (
    "naam",
    "straat",
    "huisnummer",
    "postcode",
    "plaats",
    "telefoon",
    "email",
    "wijk__naam",
    "status",
    "aangemeld_op",
)


@coordinator_required
def gezinnen_export(request: HttpRequest, soort: Soort, formaat: str) -> HttpResponse:
    _, gezinnen = filtered_gezinnen(request, soort)
    # Only the columns of the file: making the whole family objects took as
    # long as the query itself.
    gezinnen = list(
        gezinnen.only(*EXPORT_FIELDS, "wacht_sinds" if soort.is_vraaggezin else "capaciteit")
    )
    extra = ["wacht sinds"] if soort.is_vraaggezin else ["gezinnen tegelijk"]
    header = [
        "naam",
        "adres",
        "postcode",
        "plaats",
        "telefoon",
        "e-mail",
        "wijk",
        "status",
        "aangemeld op",
        "volwassenen",
        "kinderen",
        *extra,
    ]
    rows = (
        [
            g.naam,
            f"{g.straat} {g.huisnummer}",
            g.postcode,
            g.plaats,
            g.telefoon,
            g.email,
            str(g.wijk or ""),
            g.get_status_display(),
            g.aangemeld_op.isoformat(),
            g.aantal_volwassenen,
            g.aantal_kinderen,
            (g.wacht_sinds.isoformat() if g.wacht_sinds else "")
            if soort.is_vraaggezin
            else g.capaciteit,
        ]
        for g in gezinnen
    )
    return _export(request, formaat, header, rows, soort.label_plural, soort.label_plural, gezinnen)


@coordinator_required
def koppelingen_export(request: HttpRequest, formaat: str) -> HttpResponse:
    _, koppelingen = filtered_koppelingen(request)
    koppelingen = list(koppelingen)
    header = [
        "vraaggezin",
        "steungezin",
        "status",
        "coördinator",
        "vrijwillige coördinator",
        "voorgesteld",
        "start",
        "einde",
        "reden einde",
        "volgend contact",
    ]
    redenen = {r.code: r.tekst for r in EindReden.objects.voor(request.user.organisatie)}
    rows = (
        [
            k.vraaggezin.naam,
            k.steungezin.naam,
            k.get_status_display(),
            k.coordinator.get_full_name(),
            k.vrijwilliger.get_full_name() if k.vrijwilliger else "",
            k.voorgesteld_op.isoformat(),
            k.start_op.isoformat() if k.start_op else "",
            k.einde_op.isoformat() if k.einde_op else "",
            redenen.get(k.einde_reden, k.einde_reden),
            k.volgende_contact_op.isoformat() if k.volgende_contact_op else "",
        ]
        for k in koppelingen
    )
    return _export(request, formaat, header, rows, "koppelingen", "Koppelingen", koppelingen)
