"""Mail to families from the application: an invitation to a kennismaking
or a free message, from a koppeling's page (to one or both families) or a
family's page. Only for professional coordinators (matching.berichten)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.decorators import coordinator_required
from accounts.mail import tekst_van
from accounts.models import MailTekst
from gezinnen.forms import add_service_error
from gezinnen.integrity import TransitionError, once
from gezinnen.models import today
from gezinnen.views import Soort
from matching import berichten
from matching.bewaren_views import gezin_als_soort
from matching.forms import BerichtForm
from matching.models import Bericht
from matching.views import _koppeling

TITELS = {"uitnodiging": "Uitnodiging voor de kennismaking", "bericht": "Bericht sturen"}
VERSTUURD = {
    "uitnodiging": "De uitnodiging gaat naar {aan}.",
    "bericht": "Het bericht gaat naar {aan}.",
}
AL_VERSTUURD = "Dit formulier was al verstuurd; de mail gaat één keer."


def _begin_tekst(organisatie) -> dict:
    """The free message starts from the organisation's text, its contact filled in."""
    onderwerp, tekst = tekst_van(organisatie, MailTekst.Soort.BERICHT)
    waarden = {
        "organisatie": organisatie.naam,
        "telefoon": organisatie.telefoon,
        "email": organisatie.email,
    }
    return {
        "onderwerp": MailTekst.invullen(onderwerp, waarden),
        "tekst": MailTekst.invullen(tekst, waarden),
    }


def _kennismaking(data: dict) -> berichten.Kennismaking:
    def moment(tijd: datetime.time) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(data["datum"], tijd))

    return berichten.Kennismaking(
        begin=moment(data["begin"]),
        eind=moment(data["eind"]),
        plaats=data["plaats"].strip(),
        toelichting=data["toelichting"].strip(),
    )


def _pagina(request: HttpRequest, *, soort: str, gezinnen: list, koppeling=None, terug: str):
    if soort not in TITELS:
        raise Http404
    initial = {}
    if soort == "bericht":
        initial = _begin_tekst(request.user.organisatie)
    elif (
        koppeling is not None and koppeling.kennismaking_op and koppeling.kennismaking_op > today()
    ):
        initial = {"datum": koppeling.kennismaking_op}
    form = BerichtForm(request.POST or None, soort=soort, gezinnen=gezinnen, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        gekozen = form.gekozen()

        def versturen() -> Bericht:
            return berichten.bericht_versturen(
                door=request.user,
                gezinnen=gekozen,
                koppeling=koppeling,
                **(
                    {"kennismaking": _kennismaking(data)}
                    if soort == "uitnodiging"
                    else {"onderwerp": data["onderwerp"], "tekst": data["tekst"]}
                ),
            )[0]

        try:
            _, created = once(data["inzending"], request.user, versturen, Bericht)
        except (TransitionError, ValidationError) as error:
            add_service_error(form, error)
        else:
            if created:
                aan = " en ".join(str(g) for g in gekozen)
                messages.success(request, VERSTUURD[soort].format(aan=aan))
            else:
                messages.info(request, AL_VERSTUURD)
            return redirect(terug)
    if request.method == "GET":
        audit.dossier_bekeken(
            door=request.user, obj=koppeling or gezinnen[0], onderdeel=f"mail: {soort}"
        )
    return render(
        request,
        "matching/bericht.html",
        {
            "form": form,
            "soort": soort,
            "titel": TITELS[soort],
            "koppeling": koppeling,
            "gezin": None if koppeling else gezinnen[0],
            "gezin_soort": None if koppeling else Soort.van(gezinnen[0]),
            "terug": terug,
        },
    )


@coordinator_required
def koppeling_bericht(request: HttpRequest, pk: int, mail: str) -> HttpResponse:
    koppeling = _koppeling(request, pk)
    return _pagina(
        request,
        soort=mail,
        gezinnen=[koppeling.vraaggezin, koppeling.steungezin],
        koppeling=koppeling,
        terug=reverse("matching:detail", args=[koppeling.pk]) + "#berichten",
    )


@coordinator_required
def gezin_bericht(request: HttpRequest, pk: int, mail: str) -> HttpResponse:
    gezin = gezin_als_soort(request, pk)
    terug = Soort.van(gezin).url("detail", gezin.pk)
    if refusal := gezin.niet_geanonimiseerd():
        messages.info(request, refusal)
        return redirect(terug)
    return _pagina(request, soort=mail, gezinnen=[gezin], terug=f"{terug}#tijdlijn")
