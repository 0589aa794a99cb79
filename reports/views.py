from __future__ import annotations

from collections import Counter

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from accounts import audit
from accounts.decorators import coordinator_required
from accounts.models import AuditEntry
from gezinnen.models import Gezin, Gezinslid, Steungezin, Vraaggezin
from matching.models import Contactmoment, Koppeling, Signaal
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
    audit.record(request, AuditEntry.Action.EXPORT, koppeling, detail="evaluatieverslag (PDF)")
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
    audit.record(request, AuditEntry.Action.EXPORT, gezin, detail="inzage alle gegevens (PDF)")
    return pdf_response(rendered, f"inzage-gezin-{gezin.pk}.pdf")
