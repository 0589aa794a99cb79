"""Mail about families from the application (issue 17, points 3, 4 and 6):
the referrer's notices at a start and an end, only with the family's
consent; the coordinator's invitation (with an .ics) and free message; each
mail recorded, audited, in the family's timeline and its AVG inzage, and
erased with the family."""

import datetime
import re
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from accounts import mail as mails
from accounts.models import AuditEntry, MailTekst
from gezinnen.integrity import TransitionError
from gezinnen.models import Vraaggezin, today
from gezinnen.services import gezin_wijzigen
from gezinnen.tijdlijn import Tijdlijn
from matching import berichten, services
from matching.bewaren import gezin_anonimiseren
from matching.models import Bericht, Koppeling
from reports.inzage import inzage
from tests.factories import KoppelingFactory, SteungezinFactory, VraaggezinFactory
from tests.test_gezinnen_public import referral_data, signup_url
from tests.test_matching_rules import go, propose, start
from tests.test_operations import DATABASE_TASKS

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def org(organisatie):
    organisatie.naam = "Humanitas Twente"
    organisatie.telefoon = "074 123 45 67"
    organisatie.email = "kindinhuis@humanitas.example"
    organisatie.save()
    return organisatie


def _met_toestemming(koppeling, **kwargs) -> Vraaggezin:
    values = {
        "verwijzer_soort": "consultatiebureau",
        "verwijzer_organisatie": "CB Hengelo",
        "verwijzer_contactpersoon": "Mevrouw Bakker",
        "verwijzer_email": "bakker@cb.example",
        "verwijzer_informeren": True,
        "hulpvraag": "Moeder is overbelast na de scheiding.",
        **kwargs,
    }
    Vraaggezin.objects.filter(pk=koppeling.vraaggezin_id).update(**values)
    koppeling.vraaggezin.refresh_from_db()
    return koppeling.vraaggezin


def _gestart(coordinator, org, django_capture_on_commit_callbacks, **consent):
    koppeling = go(coordinator, propose(coordinator, org))
    vraag = _met_toestemming(koppeling, **consent)
    with django_capture_on_commit_callbacks(execute=True):
        start(coordinator, koppeling)
    return koppeling, vraag


def _aan(adres: str):
    return [m for m in mail.outbox if m.to == [adres]]


def _alles(bericht) -> str:
    return bericht.subject + bericht.body + bericht.alternatives[0][0]


# The referrer's notices -----------------------------------------------------


def test_the_referrer_hears_of_the_start_with_initials_and_nothing_of_the_match(
    coordinator, org, django_capture_on_commit_callbacks
):
    koppeling, vraag = _gestart(coordinator, org, django_capture_on_commit_callbacks)
    (notice,) = _aan("bakker@cb.example")
    html = notice.alternatives[0][0]
    assert notice.subject == "De steun voor het gezin dat u aanmeldde is begonnen"
    assert notice.reply_to == ["kindinhuis@humanitas.example"]
    for tekst in (notice.body, html):
        assert "Humanitas Twente" in tekst
        assert f"Het gezin {vraag.initialen} dat u op " in tekst
        assert "074 123 45 67" in tekst
        assert "kindinhuis@humanitas.example" in tekst
    # Nothing the referrer may not see: not the steungezin, not the
    # family's name, address or request, not the agreements or notes.
    steun = koppeling.steungezin
    for secret in (
        steun.naam,
        steun.straat,
        steun.email,
        vraag.naam,
        vraag.email,
        vraag.hulpvraag,
        "Speelmiddag",
        "Klik!",
        "Lid0",
    ):
        assert secret not in _alles(notice), secret
    bericht = Bericht.objects.get()
    assert (bericht.soort, bericht.aan, bericht.adres, bericht.gezin_id, bericht.koppeling) == (
        "verwijzer_start",
        "verwijzer",
        "bakker@cb.example",
        vraag.pk,
        koppeling,
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.MAIL)
    assert entry.object_repr == f"bericht nr. {bericht.pk}"
    assert entry.detail == (
        f"bericht aan de verwijzer: de steun is begonnen, aan verwijzer over koppeling nr. "
        f"{koppeling.pk}"
    )
    assert "bakker" not in entry.detail


@pytest.mark.parametrize(
    "consent",
    [
        {"verwijzer_informeren": False},
        {"verwijzer_email": ""},
        {"verwijzer_soort": "zelfmelding"},
    ],
)
def test_no_consent_or_no_address_sends_no_notice_and_the_page_says_why(
    client, coordinator, org, consent, django_capture_on_commit_callbacks
):
    koppeling, _ = _gestart(coordinator, org, django_capture_on_commit_callbacks, **consent)
    assert not Bericht.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.MAIL).exists()
    assert _aan("bakker@cb.example") == []
    client.force_login(coordinator)
    page = client.get(reverse("matching:detail", args=[koppeling.pk]))
    assert "De verwijzer krijgt geen bericht bij de start en het einde:" in page.text


def test_the_rule_is_one_method_of_the_vraaggezin(organisatie):
    gezin = VraaggezinFactory.build(
        organisatie=organisatie,
        verwijzer_soort="wijkteam",
        verwijzer_email="a@b.example",
        verwijzer_informeren=True,
    )
    assert gezin.verwijzer_niet_informeren() is None
    gezin.verwijzer_informeren = False
    assert "geen toestemming" in gezin.verwijzer_niet_informeren()


def test_the_referrer_hears_of_the_end_and_of_a_reopening(
    coordinator, org, django_capture_on_commit_callbacks
):
    koppeling, _ = _gestart(coordinator, org, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.koppeling_afsluiten(
            door=coordinator,
            koppeling=koppeling,
            einde_op=today(),
            reden="doel_bereikt",
            uitkomst="Het gaat goed met moeder.",
            vraaggezin_naar="wachtend",
            steungezin_naar="beschikbaar",
            doel_bereikt="ja",
        )
    _, einde = _aan("bakker@cb.example")
    assert einde.subject == "De steun voor het gezin dat u aanmeldde is gestopt"
    assert "Het gaat goed met moeder." not in _alles(einde)
    assert koppeling.steungezin.naam not in _alles(einde)
    with django_capture_on_commit_callbacks(execute=True):
        services.koppeling_heropenen(door=coordinator, koppeling=koppeling, reden="Vergissing")
    assert len(_aan("bakker@cb.example")) == 3
    assert list(Bericht.objects.order_by("pk").values_list("soort", flat=True)) == [
        "verwijzer_start",
        "verwijzer_einde",
        "verwijzer_start",
    ]


def test_a_koppeling_that_never_started_sends_no_end_notice(
    coordinator, org, django_capture_on_commit_callbacks
):
    koppeling = go(coordinator, propose(coordinator, org))
    _met_toestemming(koppeling)
    with django_capture_on_commit_callbacks(execute=True):
        services.koppeling_afsluiten(
            door=coordinator,
            koppeling=koppeling,
            einde_op=today(),
            reden="klik",
            uitkomst="",
            vraaggezin_naar="wachtend",
            steungezin_naar="beschikbaar",
        )
    assert mail.outbox == []


def test_the_organisation_adjusts_the_notice(coordinator, org, django_capture_on_commit_callbacks):
    MailTekst.objects.create(
        organisatie=org,
        soort=MailTekst.Soort.VERWIJZER_START,
        onderwerp="Nieuws over {initialen}",
        tekst="Sinds {dag} is er steun.\n\n{organisatie}",
    )
    _, vraag = _gestart(coordinator, org, django_capture_on_commit_callbacks)
    (notice,) = _aan("bakker@cb.example")
    assert notice.subject == f"Nieuws over {vraag.initialen}"
    assert "Sinds " in notice.body


def test_a_notice_text_may_use_only_its_own_variables(org):
    tekst = MailTekst(
        organisatie=org, soort=MailTekst.Soort.BEVESTIGING_STEUNGEZIN, onderwerp="{initialen}"
    )
    tekst.tekst = "x"
    with pytest.raises(Exception, match="Onbekende variabele"):
        tekst.full_clean()
    tekst.soort = MailTekst.Soort.VERWIJZER_EINDE
    tekst.full_clean()


# Consent: asked at the referral, changed by a coordinator --------------------


def test_the_referral_form_asks_for_consent_not_ticked(client, organisatie):
    cache.clear()
    page = client.get(signup_url(organisatie, "vraaggezin"))
    field = re.search(r'<input[^>]*name="verwijzer_informeren"[^>]*>', page.text).group(0)
    assert "checked" not in field
    assert "kort bericht sturen als de steun begint en als die stopt" in page.text


@pytest.mark.parametrize(
    ("soort", "recorded"), [("consultatiebureau", True), ("zelfmelding", False)]
)
def test_the_consent_given_on_the_referral_form_is_recorded(
    client, organisatie, soort, recorded, django_capture_on_commit_callbacks
):
    cache.clear()
    data = referral_data(verwijzer_soort=soort, verwijzer_informeren="on")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(signup_url(organisatie, "vraaggezin"), data).status_code == 302
    gezin = Vraaggezin.objects.get()
    assert gezin.verwijzer_informeren is recorded
    assert gezin.verwijzer_informeren_op == (today() if recorded else None)


def test_a_coordinator_changes_the_consent_and_it_is_audited(coordinator, organisatie):
    gezin = VraaggezinFactory(organisatie=organisatie, verwijzer_soort="school")
    gezin_wijzigen(
        door=coordinator,
        gezin=gezin,
        versie=gezin.versie,
        gegevens={"verwijzer_informeren": True},
    )
    gezin.refresh_from_db()
    assert (gezin.verwijzer_informeren_op, gezin.verwijzer_informeren_door) == (
        today(),
        coordinator,
    )
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE).latest("pk")
    assert "verwijzer informeren bij start en einde: nee → ja" in entry.detail


# Invitation and free message ------------------------------------------------


def _morgen() -> datetime.date:
    return today() + datetime.timedelta(days=1)


def _uitnodiging(koppeling, **kwargs) -> dict:
    return {
        "aan": [str(koppeling.vraaggezin_id), str(koppeling.steungezin_id)],
        "datum": _morgen().isoformat(),
        "begin": "15:00",
        "eind": "16:30",
        "plaats": "Buurthuis De Es, Hengelo",
        "toelichting": "Neem gerust de kinderen mee.",
        "inzending": "token-1",
        **kwargs,
    }


@pytest.fixture
def koppeling(org, coordinator):
    return KoppelingFactory(
        organisatie=org,
        coordinator=coordinator,
        status=Koppeling.Status.KENNISMAKING,
        kennismaking_notities="Moeder is wantrouwend.",
    )


def test_an_invitation_goes_to_each_family_with_an_ics(
    client, coordinator, koppeling, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = reverse("matching:bericht", args=[koppeling.pk, "uitnodiging"])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _uitnodiging(koppeling))
    assert response.status_code == 302
    vraag, steun = koppeling.vraaggezin, koppeling.steungezin
    for gezin, andere in ((vraag, steun), (steun, vraag)):
        (uitnodiging,) = _aan(gezin.email)
        assert uitnodiging.subject.startswith("Uitnodiging voor de kennismaking op ")
        html = uitnodiging.alternatives[0][0]
        for tekst in (uitnodiging.body, html):
            assert "15:00 tot 16:30" in tekst
            assert "Buurthuis De Es, Hengelo" in tekst
            assert "Neem gerust de kinderen mee." in tekst
        # Nothing of the other family, nothing of the file.
        for secret in (andere.email, andere.straat, "Moeder is wantrouwend.", vraag.hulpvraag):
            assert secret not in _alles(uitnodiging), secret
        ((naam, inhoud, soort),) = uitnodiging.attachments
        assert (naam, soort.split(";")[0]) == ("kennismaking.ics", "text/calendar")
        agenda = Calendar.from_ical(inhoud)
        assert str(agenda["method"]) == "PUBLISH"
        (event,) = agenda.walk("VEVENT")
        begin, eind = event.decoded("dtstart"), event.decoded("dtend")
        assert begin == datetime.datetime.combine(_morgen(), datetime.time(15), AMSTERDAM)
        assert eind == datetime.datetime.combine(_morgen(), datetime.time(16, 30), AMSTERDAM)
        assert event["dtstart"].params["TZID"] == "Europe/Amsterdam"
        assert str(event["summary"]) == "Kennismaking Humanitas Twente"
        assert str(event["location"]) == "Buurthuis De Es, Hengelo"
        assert str(event["organizer"]) == "mailto:kindinhuis@humanitas.example"
        assert str(event["uid"]).endswith("@steungezinnen")
        assert agenda.walk("VTIMEZONE")  # the zone's definition travels along
    rows = Bericht.objects.filter(koppeling=koppeling)
    assert sorted(rows.values_list("aan", flat=True)) == ["steungezin", "vraaggezin"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.MAIL).count() == 2
    # A double click: the same form again sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, _uitnodiging(koppeling), follow=True)
    assert "de mail gaat één keer" in again.text
    assert len(mail.outbox) == 2
    assert rows.count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"datum": (today() - datetime.timedelta(days=1)).isoformat()}, "datum", "toekomst"),
        ({"eind": "14:00"}, "eind", "Het einde ligt na het begin."),
        ({"plaats": "  "}, "plaats", "Vul in waar de kennismaking is."),
        ({"aan": []}, "aan", "Kies aan wie de mail gaat."),
        ({"datum": "31-02-2026"}, "datum", "geldige datum"),
    ],
)
def test_bad_input_is_refused_in_dutch_and_what_was_typed_stays(
    client, coordinator, koppeling, change, field, message, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = reverse("matching:bericht", args=[koppeling.pk, "uitnodiging"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _uitnodiging(koppeling, **change))
    assert response.status_code == 200
    assert message in response.text
    assert "Neem gerust de kinderen mee." in response.text
    assert mail.outbox == []
    assert not Bericht.objects.exists()


def test_a_family_without_an_address_gets_nothing_and_the_form_says_so(
    client, coordinator, koppeling, django_capture_on_commit_callbacks
):
    Vraaggezin.objects.filter(pk=koppeling.vraaggezin_id).update(email="")
    client.force_login(coordinator)
    url = reverse("matching:bericht", args=[koppeling.pk, "uitnodiging"])
    page = client.get(url)
    assert "heeft geen e-mailadres: bel of schrijf dit gezin zelf." in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _uitnodiging(koppeling))
    assert response.status_code == 200
    assert "Kies een gezin met een e-mailadres." in response.text
    assert mail.outbox == []
    # The service refuses it too, whatever a page offers.
    koppeling.vraaggezin.refresh_from_db()
    with pytest.raises(Exception, match="geen e-mailadres"):
        berichten.bericht_versturen(
            door=coordinator, gezinnen=[koppeling.vraaggezin], onderwerp="x", tekst="y"
        )


def test_a_free_message_from_the_family_page_starts_from_the_template(
    client, coordinator, org, django_capture_on_commit_callbacks
):
    gezin = SteungezinFactory(organisatie=org)
    client.force_login(coordinator)
    detail = client.get(reverse("gezinnen:steungezin-detail", args=[gezin.pk]))
    url = reverse("matching:gezin-bericht", args=[gezin.pk, "bericht"])
    assert url in detail.text
    page = client.get(url)
    assert "Bericht van Humanitas Twente" in page.text  # the subject, filled in
    data = {"aan": [str(gezin.pk)], "onderwerp": "Even bijpraten", "tekst": " ", "inzending": "t"}
    refused = client.post(url, data)
    assert "Schrijf het bericht." in refused.text
    assert "Even bijpraten" in refused.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "tekst": "Hoe gaat het?\n\nGroet"})
    (bericht,) = _aan(gezin.email)
    assert bericht.subject == "Even bijpraten"
    assert "Hoe gaat het?" in bericht.body
    assert "Hoe gaat het?" in bericht.alternatives[0][0]
    assert bericht.attachments == []
    # In the family's timeline, for a coordinator.
    regels, _ = Tijdlijn(gezin, coordinator).eerste(10)
    mail_regel = next(r for r in regels if r.soort == "Mail")
    assert mail_regel.titel == "Bericht, aan steungezin"
    assert "Even bijpraten" in mail_regel.tekst


def test_only_a_professional_coordinator_sends_mail(vrijwilliger, koppeling):
    with pytest.raises(TransitionError, match="professionele coördinator"):
        berichten.bericht_versturen(
            door=vrijwilliger, gezinnen=[koppeling.steungezin], onderwerp="x", tekst="y"
        )


def test_a_koppelings_mail_goes_only_to_its_own_families(coordinator, koppeling, org):
    ander = SteungezinFactory(organisatie=org)
    with pytest.raises(TransitionError, match="alleen aan de gezinnen van de koppeling"):
        berichten.bericht_versturen(
            door=coordinator, gezinnen=[ander], koppeling=koppeling, onderwerp="x", tekst="y"
        )


def test_a_volunteer_sees_no_mail_in_the_timeline(coordinator, vrijwilliger, koppeling):
    berichten.bericht_versturen(
        door=coordinator, gezinnen=[koppeling.vraaggezin], onderwerp="Hallo", tekst="Tekst"
    )
    assert Bericht.objects.visible_to(vrijwilliger).count() == 0
    soorten = [r.soort for r in Tijdlijn(koppeling.vraaggezin, vrijwilliger).eerste(20)[0]]
    assert "Mail" not in soorten


# The mail server, erasure and inzage ----------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_mail_server_that_is_down_keeps_the_invitation_and_tries_again(
    client, coordinator, koppeling
):
    from django.core.management import call_command

    client.force_login(coordinator)
    url = reverse("matching:bericht", args=[koppeling.pk, "uitnodiging"])
    response = client.post(url, _uitnodiging(koppeling, aan=[str(koppeling.steungezin_id)]))
    assert response.status_code == 302
    with mock.patch("accounts.tasks.verzenden", side_effect=ConnectionRefusedError("down")):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    failed, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert (failed.status, retry.status) == ("FAILED", "READY")
    # The attachment survives the task's arguments and the retry.
    assert retry.args_kwargs["args"][7][0][0] == "kennismaking.ics"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    (sent,) = mail.outbox
    assert sent.attachments[0][0] == "kennismaking.ics"
    assert client.get(reverse("matching:detail", args=[koppeling.pk])).status_code == 200


def test_erasure_takes_the_address_and_subject_and_the_inzage_lists_the_mail(
    coordinator, organisatie
):
    gezin = VraaggezinFactory(organisatie=organisatie, status="afgesloten")
    berichten.bericht_versturen(
        door=coordinator, gezinnen=[gezin], onderwerp="Over uw aanvraag", tekst="Tekst"
    )
    delen = {o.titel: o for o in inzage(gezin).onderdelen}
    (gegeven,) = delen["Verstuurde mail"].gegevens
    assert ("Onderwerp", "Over uw aanvraag") in gegeven.velden
    assert ("E-mailadres", gezin.email) in gegeven.velden
    gezin_anonimiseren(door=coordinator, gezin=gezin, wijze="verzoek", reden="verzoek_gezin")
    bericht = Bericht.objects.get()
    assert (bericht.adres, bericht.onderwerp, bericht.soort) == ("", "", "bericht")


# Rendering, each mail in both formats ----------------------------------------


@pytest.mark.parametrize("soort", MailTekst.Soort.values)
def test_every_kind_renders_as_text_and_html_in_the_back_office_preview(org, soort):
    bericht = mails.voorbeeld(org, soort, mails.STANDAARD[soort])
    assert "{" not in bericht.onderwerp + bericht.tekst  # every variable filled in
    assert "Humanitas Twente" in bericht.tekst
    assert "Humanitas Twente" in bericht.html
    assert bericht.html.startswith("<!doctype html>")


def test_the_back_office_preview_of_a_notice(client, beheerder, log_in_verified):
    tekst = MailTekst.objects.create(
        organisatie=beheerder.organisatie,
        soort=MailTekst.Soort.VERWIJZER_START,
        onderwerp="Start voor {initialen}",
        tekst="Sinds {dag}.",
    )
    log_in_verified(client, beheerder)
    page = client.get(reverse("admin:accounts_mailtekst_change", args=[tekst.pk]))
    assert "Start voor J." in page.text
    assert "<code>{initialen}</code>" in page.text


# Queries --------------------------------------------------------------------


def test_the_mail_pages_cost_a_fixed_number_of_queries(
    client, coordinator, koppeling, django_assert_num_queries
):
    for _ in range(3):
        berichten.bericht_versturen(
            door=coordinator, gezinnen=[koppeling.vraaggezin], onderwerp="a", tekst="b"
        )
    client.force_login(coordinator)
    with django_assert_num_queries(5):
        client.get(reverse("matching:bericht", args=[koppeling.pk, "uitnodiging"]))
    with django_assert_num_queries(8):
        client.get(reverse("matching:gezin-bericht", args=[koppeling.steungezin_id, "bericht"]))


def test_an_erased_family_gets_no_mail_from_its_page(client, coordinator, organisatie):
    gezin = VraaggezinFactory(organisatie=organisatie, status="afgesloten")
    gezin_anonimiseren(door=coordinator, gezin=gezin, wijze="verzoek", reden="verzoek_gezin")
    client.force_login(coordinator)
    response = client.get(reverse("matching:gezin-bericht", args=[gezin.pk, "bericht"]))
    assert response.status_code == 302
    with pytest.raises(Exception, match="verwijderd"):
        berichten.bericht_versturen(door=coordinator, gezinnen=[gezin], onderwerp="x", tekst="y")
