from __future__ import annotations

from collections import Counter

from django import forms
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify

from accounts import audit
from accounts.decorators import coordinator_required
from accounts.models import AuditEntry
from gezinnen.models import Gezin, Gezinslid, Steungezin, Vraaggezin, today
from gezinnen.views import Soort, filtered_gezinnen
from matching.models import Contactmoment, EindReden, Koppeling, Signaal
from matching.views import filtered_koppelingen
from reports.exports import csv_response, xlsx_response
from reports.figures import Periode, gemeenten, gemeenterapportage
from reports.pdf import pdf_response, render_to_pdf
from screening.models import TrainingDeelname


@coordinator_required
def evaluatieverslag(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = get_object_or_404(
        Koppeling.objects.visible_to(request.user)
        .select_related("vraaggezin", "steungezin", "coordinator", "vrijwilliger", "organisatie")
        .prefetch_related("kinderen", "evaluaties"),
        pk=pk,
    )
    contacten = list(koppeling.contactmomenten.order_by("-datum"))
    verloop = Counter(c.get_verloop_display() for c in contacten)
    rendered = render_to_pdf(
        "reports/evaluatieverslag.html",
        {
            "koppeling": koppeling,
            "organisatie": koppeling.organisatie,
            "contacten": contacten,
            "verloop": verloop.most_common(),
            "evaluaties": list(koppeling.evaluaties.order_by("datum")),
        },
    )
    audit.record(
        AuditEntry.Action.EXPORT, koppeling, user=request.user, detail="evaluatieverslag (PDF)"
    )
    return pdf_response(rendered, f"evaluatieverslag-koppeling-{koppeling.pk}.pdf")


@coordinator_required
def inzage(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything stored about one family, for a request under the AVG."""
    base = get_object_or_404(Gezin.objects.visible_to(request.user), pk=pk)
    vraag = Vraaggezin.objects.filter(pk=base.pk).exists()
    model = Vraaggezin if vraag else Steungezin
    leden = Gezinslid.objects.prefetch_related(
        "vogs", Prefetch("deelnames", queryset=TrainingDeelname.objects.select_related("training"))
    )
    gezin = (
        model.objects.select_related("organisatie", "wijk")
        .prefetch_related(
            Prefetch("leden", queryset=leden),
            "statuswijzigingen__door",
            *(
                ()
                if vraag
                else (
                    "screeningsgesprekken__door",
                    "referenties__door",
                    "criteriumbeoordelingen__criterium",
                )
            ),
        )
        .get(pk=base.pk)
    )
    koppelingen = list(
        gezin.koppelingen.select_related("vraaggezin", "steungezin").prefetch_related(
            Prefetch("contactmomenten", queryset=Contactmoment.objects.order_by("datum")),
            Prefetch("signalen", queryset=Signaal.objects.prefetch_related("stappen")),
            "evaluaties",
        )
    )
    entries = AuditEntry.objects.filter(
        Q(object_type=model._meta.label_lower, object_id=str(gezin.pk))
        | Q(object_type="matching.koppeling", object_id__in=[str(k.pk) for k in koppelingen])
    ).select_related("user")
    rendered = render_to_pdf(
        "reports/inzage.html",
        {
            "gezin": gezin,
            "organisatie": gezin.organisatie,
            "vraag": vraag,
            "soort": model._meta.verbose_name,
            "koppelingen": koppelingen,
            "audit": entries.order_by("timestamp"),
        },
    )
    audit.record(
        AuditEntry.Action.EXPORT, gezin, user=request.user, detail="inzage alle gegevens (PDF)"
    )
    return pdf_response(rendered, f"inzage-gezin-{gezin.pk}.pdf")


class RapportForm(forms.Form):
    gemeente = forms.ChoiceField(label="Gemeente")
    soort = forms.ChoiceField(
        label="Periode",
        choices=[("kwartaal", "kwartaal"), ("jaar", "jaar"), ("eigen", "eigen periode")],
    )
    jaar = forms.IntegerField(label="Jaar", min_value=2000, max_value=2100, required=False)
    kwartaal = forms.TypedChoiceField(
        label="Kwartaal", coerce=int, choices=[(q, f"Q{q}") for q in range(1, 5)], required=False
    )
    van = forms.DateField(label="Van", required=False)
    tot = forms.DateField(label="Tot en met", required=False)

    def __init__(self, *args, organisatie, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gemeente"].choices = [(g, g) for g in gemeenten(organisatie)]

    def clean(self):
        cleaned = super().clean()
        soort = cleaned.get("soort")
        if soort in ("kwartaal", "jaar") and not cleaned.get("jaar"):
            self.add_error("jaar", "Kies een jaar.")
        if soort == "kwartaal" and not cleaned.get("kwartaal"):
            self.add_error("kwartaal", "Kies een kwartaal.")
        if soort == "eigen":
            van, tot = cleaned.get("van"), cleaned.get("tot")
            if not van or not tot:
                raise forms.ValidationError("Vul bij een eigen periode beide data in.")
            if tot < van:
                raise forms.ValidationError("De einddatum ligt vóór de begindatum.")
        return cleaned

    def periode(self) -> Periode:
        data = self.cleaned_data
        if data["soort"] == "kwartaal":
            return Periode.kwartaal(data["jaar"], data["kwartaal"])
        if data["soort"] == "jaar":
            return Periode.jaar(data["jaar"])
        return Periode(data["van"], data["tot"])


@coordinator_required
def gemeenterapportage_view(request: HttpRequest) -> HttpResponse:
    organisatie = request.user.organisatie
    day = today()
    initial = {"soort": "kwartaal", "jaar": day.year, "kwartaal": (day.month - 1) // 3 + 1}
    form = RapportForm(request.GET or None, organisatie=organisatie, initial=initial)
    rapport = None
    if form.is_bound and form.is_valid():
        rapport = gemeenterapportage(organisatie, form.cleaned_data["gemeente"], form.periode())
        formaat = request.GET.get("formaat")
        periode = rapport.periode
        name = f"rapportage-{slugify(rapport.gemeente)}-{periode.start:%Y%m%d}-{periode.end:%Y%m%d}"
        if formaat in ("pdf", "csv", "xlsx"):
            audit.record(
                AuditEntry.Action.EXPORT,
                user=request.user,
                detail=f"gemeenterapportage {formaat}: {rapport.gemeente} {rapport.periode.label}",
            )
        if formaat == "pdf":
            rendered = render_to_pdf(
                "reports/gemeenterapportage_pdf.html",
                {"rapport": rapport, "organisatie": organisatie},
            )
            return pdf_response(rendered, f"{name}.pdf")
        rows = [(r.onderdeel, r.omschrijving, r.waarde) for r in rapport.regels]
        header = ["onderdeel", "omschrijving", "waarde"]
        if formaat == "csv":
            return csv_response(header, rows, name)
        if formaat == "xlsx":
            return xlsx_response(header, rows, name, "Rapportage")
    query = request.GET.copy()
    query.pop("formaat", None)
    return render(
        request,
        "reports/gemeenterapportage.html",
        {"form": form, "rapport": rapport, "query": query.urlencode()},
    )


EXPORT_FORMATS = {"csv", "xlsx"}


def _export(request, formaat: str, header, rows, name: str, title: str) -> HttpResponse:
    if formaat not in EXPORT_FORMATS:
        raise Http404
    audit.record(AuditEntry.Action.EXPORT, user=request.user, detail=f"lijst {name} ({formaat})")
    if formaat == "csv":
        return csv_response(header, rows, name)
    return xlsx_response(header, rows, name, title)


@coordinator_required
def gezinnen_export(request: HttpRequest, soort: Soort, formaat: str) -> HttpResponse:
    _, gezinnen = filtered_gezinnen(request, soort)
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
    return _export(request, formaat, header, rows, soort.label_plural, soort.label_plural)


@coordinator_required
def koppelingen_export(request: HttpRequest, formaat: str) -> HttpResponse:
    _, koppelingen = filtered_koppelingen(request)
    header = [
        "vraaggezin",
        "steungezin",
        "status",
        "coördinator",
        "vrijwillig coördinator",
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
    return _export(request, formaat, header, rows, "koppelingen", "Koppelingen")
