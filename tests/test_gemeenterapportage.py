"""Every figure of the municipality report against a hand-built dataset."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from gezinnen.models import Statuswijziging
from matching.models import Contactmoment, CoordinatieUren, Evaluatie
from reports.figures import Periode, anoniem, gemeenterapportage
from tests.factories import (
    KoppelingFactory,
    SteungezinFactory,
    VraaggezinFactory,
    WijkFactory,
)

pytestmark = pytest.mark.django_db

Q1 = Periode.kwartaal(2026, 1)


def d(month, day):
    return datetime.date(2026, month, day)


@pytest.fixture
def dataset(organisatie, coordinator, other_organisatie):
    noord = WijkFactory(organisatie=organisatie, naam="Noord", gemeente="Hengelo")
    zuid = WijkFactory(organisatie=organisatie, naam="Zuid", gemeente="Hengelo")
    elders = WijkFactory(organisatie=organisatie, naam="Goor", gemeente="Hof van Twente")
    # Six referrals in Q1 by the wijkteam, two by school; one in April; one elsewhere.
    for index in range(6):
        VraaggezinFactory(
            organisatie=organisatie,
            wijk=noord,
            verwijzer_soort="wijkteam",
            aangemeld_op=d(1, 5 + index),
            naam=f"Wijkteamgezin{index}",
        )
    for index in range(2):
        VraaggezinFactory(
            organisatie=organisatie,
            wijk=zuid,
            verwijzer_soort="school",
            aangemeld_op=d(2, 1 + index),
            status="wachtend",
        )
    VraaggezinFactory(organisatie=organisatie, wijk=noord, aangemeld_op=d(4, 2))
    VraaggezinFactory(organisatie=organisatie, wijk=elders, aangemeld_op=d(2, 2))
    VraaggezinFactory(organisatie=other_organisatie, aangemeld_op=d(2, 2))

    # Steungezinnen: five signed up in Q1, three approved in Q1.
    steun = [
        SteungezinFactory(
            organisatie=organisatie, wijk=noord, aangemeld_op=d(1, 10 + i), status="beschikbaar"
        )
        for i in range(5)
    ]
    for gezin in steun[:3]:
        Statuswijziging.objects.create(
            gezin=gezin,
            van="in_screening",
            naar="beschikbaar",
            op=datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC),
        )

    # Koppelingen: five started in Q1 (each waited 28 days), two ended in Q1.
    started = []
    for index in range(5):
        vraag = VraaggezinFactory(
            organisatie=organisatie,
            wijk=noord,
            aangemeld_op=d(1, 1),
            status="gekoppeld",
            leden=[("volwassene", 30), ("kind", 4), ("kind", 6)],
        )
        koppeling = KoppelingFactory(
            organisatie=organisatie,
            vraaggezin=vraag,
            steungezin=steun[index],
            start_op=d(1, 29),
            coordinator=coordinator,
        )
        koppeling.kinderen.set(vraag.leden.filter(soort="kind"))
        started.append(koppeling)
    for koppeling in started[:2]:
        koppeling.status = "afgesloten"
        koppeling.einde_op = d(3, 12)  # 42 days
        koppeling.einde_reden = "doel_bereikt"
        koppeling.save()
    for koppeling in started:
        Contactmoment.objects.create(
            koppeling=koppeling,
            datum=d(2, 12),
            met="beide",
            hoe="telefoon",
            verloop="goed",
            door=coordinator,
        )
        Evaluatie.objects.create(
            koppeling=koppeling,
            soort="proefperiode",
            datum=d(3, 20),
            door=coordinator,
            conclusie="x",
            vraag_scores={"contact": 4},
            steun_scores={"contact": 5},
        )
    for week in range(10):
        CoordinatieUren.objects.create(
            organisatie=organisatie,
            coordinator=coordinator,
            week=d(1, 5) + datetime.timedelta(weeks=week),
            uren=4,
        )
    return organisatie


def figures(organisatie, periode=Q1):
    rapport = gemeenterapportage(organisatie, "Hengelo", periode)
    return {(r.onderdeel, r.omschrijving): r.waarde for r in rapport.regels}, rapport


def test_every_figure(dataset):
    f, _ = figures(dataset)
    assert (
        f[("Aanmeldingen", "vraaggezinnen aangemeld")] == "13"
    )  # 6 + 2 + the 5 of the koppelingen
    assert f[("Aanmeldingen naar verwijzer", "wijkteam")] == "6"
    assert f[("Aanmeldingen naar verwijzer", "school")] == "< 5"
    assert f[("Aanmeldingen naar verwijzer", "zelfmelding")] == "5"  # the factory's default
    assert f[("Steungezinnen", "aangemeld")] == "5"
    assert f[("Steungezinnen", "goedgekeurd")] == "< 5"
    assert f[("Steungezinnen", "in screening genomen")] == "< 5"
    assert f[("Steungezinnen", "beschikbaar op de einddatum")] == "< 5"  # three, by their history
    assert f[("Koppelingen", "gestart")] == "5"
    assert f[("Koppelingen", "lopend in de periode")] == "5"
    assert f[("Koppelingen", "beëindigd")] == "< 5"
    assert f[("Beëindigd naar reden", "doel bereikt")] == "< 5"
    assert f[("Wachttijd en duur", "wachttijd tot de start, gemiddeld (weken)")] == "4.0"
    assert f[("Wachttijd en duur", "wachttijd tot de start, mediaan (weken)")] == "4.0"
    # Only two ended: too few to say anything about their duration.
    assert f[("Wachttijd en duur", "duur van beëindigde koppelingen, gemiddeld (weken)")] == "—"
    assert f[("Bereik", "kinderen bereikt")] == "10"
    assert f[("Bereik", "contactmomenten")] == "5"
    assert f[("Evaluaties", "evaluaties gehouden")] == "5"
    assert f[("Tevredenheid (1–5)", "Het contact tussen de twee gezinnen (vraaggezinnen)")] == "4.0"
    assert f[("Tevredenheid (1–5)", "Het contact tussen de twee gezinnen (steungezinnen)")] == "5.0"
    assert f[("Tevredenheid (1–5)", "Het nakomen van de afspraken (vraaggezinnen)")] == "—"
    assert f[("Coördinatie", "coördinatie-uren (hele organisatie)")] == "40.0"
    assert f[("Coördinatie", "uren per lopende koppeling")] == "8.0"
    assert f[("Vraag en aanbod per wijk (nu)", "Zuid")] == "< 5 wachtend, < 5 beschikbaar"


def test_another_quarter_counts_other_things(dataset):
    f, _ = figures(dataset, Periode.kwartaal(2026, 2))
    assert f[("Aanmeldingen", "vraaggezinnen aangemeld")] == "< 5"
    assert f[("Koppelingen", "gestart")] == "< 5"
    assert f[("Koppelingen", "lopend in de periode")] == "< 5"  # three still running


def test_counts_below_five_are_never_printed():
    assert [anoniem(n) for n in (0, 1, 4, 5, 12)] == ["< 5", "< 5", "< 5", "5", "12"]


def test_periods():
    assert (Q1.start, Q1.end) == (d(1, 1), d(3, 31))
    q4 = Periode.kwartaal(2026, 4)
    assert (q4.start, q4.end) == (d(10, 1), d(12, 31))
    assert Periode.jaar(2026).end == d(12, 31)


def test_the_report_names_nobody(client, dataset, coordinator, rendered_report):
    client.force_login(coordinator)
    url = reverse("reports:gemeente")
    params = {"gemeente": "Hengelo", "soort": "kwartaal", "jaar": 2026, "kwartaal": 1}
    html = client.get(url, params).text + rendered_report(client, url, params)
    from gezinnen.models import Gezin, Gezinslid

    for naam in Gezin.objects.values_list("naam", flat=True):
        assert naam not in html
    for lid in Gezinslid.objects.all():
        assert lid.voornaam not in html
        assert lid.geboortedatum.strftime("%d-%m-%Y") not in html
    assert "<svg" in html


@pytest.fixture
def rendered_report(monkeypatch):
    from reports import views

    def fetch(client, url, params):
        seen = {}
        real = views.render_to_pdf
        monkeypatch.setattr(views, "render_to_pdf", lambda t, c: seen.setdefault("r", real(t, c)))
        response = client.get(url, {**params, "formaat": "pdf"})
        assert response.content.startswith(b"%PDF")
        return seen["r"].html

    return fetch


def test_csv_and_xlsx_carry_the_same_figures(client, dataset, coordinator):
    client.force_login(coordinator)
    params = {"gemeente": "Hengelo", "soort": "eigen", "van": "2026-01-01", "tot": "2026-03-31"}
    response = client.get(reverse("reports:gemeente"), {**params, "formaat": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "Koppelingen;gestart;5" in text
    assert "Aanmeldingen naar verwijzer;school;< 5" in text
    response = client.get(reverse("reports:gemeente"), {**params, "formaat": "xlsx"})
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[("Koppelingen", "gestart")] == 5
    assert rows[("Aanmeldingen naar verwijzer", "school")] == "< 5"
    assert (
        AuditEntry.objects.filter(action="export", detail__startswith="gemeenterapportage").count()
        == 2
    )


def test_a_wrong_period_gets_a_dutch_message(client, dataset, coordinator):
    client.force_login(coordinator)
    response = client.get(
        reverse("reports:gemeente"),
        {"gemeente": "Hengelo", "soort": "eigen", "van": "2026-03-01", "tot": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "De einddatum ligt vóór de begindatum." in response.text
    response = client.get(
        reverse("reports:gemeente"), {"gemeente": "Nergens", "soort": "jaar", "jaar": 2026}
    )
    assert response.status_code == 200
    assert response.context["rapport"] is None


@pytest.mark.parametrize("person", ["vrijwilliger", "beheerder"])
def test_only_coordinators_get_the_report(client, all_roles, person):
    client.force_login(all_roles[person])
    assert client.get(reverse("reports:gemeente")).status_code == 404


def test_another_organisation_sees_only_its_own_gemeenten(client, dataset, outsider):
    client.force_login(outsider)
    response = client.get(
        reverse("reports:gemeente"), {"gemeente": "Hengelo", "soort": "jaar", "jaar": 2026}
    )
    assert response.context["rapport"] is None


def test_availability_at_the_end_of_a_past_period_follows_the_history(dataset):
    from gezinnen.models import Steungezin
    from reports.figures import _beschikbaar_op

    steun = Steungezin.objects.filter(organisatie=dataset)
    assert _beschikbaar_op(steun, d(2, 28)) == 0
    assert _beschikbaar_op(steun, d(3, 1)) == 3
