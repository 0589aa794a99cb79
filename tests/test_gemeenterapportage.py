"""Every figure of the municipality report against a hand-built dataset, and
its periods. The attacks on it are in test_rapport_aanvallen.py."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from gezinnen.models import Statuswijziging
from matching.models import Contactmoment, CoordinatieUren, Evaluatie
from reports.figures import TE_WEINIG, Cel, Periode, Verdeling, _veilig, gemeenterapportage
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
    # Hours: 30 for Hengelo, 10 for Hof van Twente, 10 for neither.
    for week in range(10):
        for gemeente, uren in (("Hengelo", 3), ("Hof van Twente", 1), ("", 1)):
            CoordinatieUren.objects.create(
                organisatie=organisatie,
                coordinator=coordinator,
                week=d(1, 5) + datetime.timedelta(weeks=week),
                gemeente=gemeente,
                uren=uren,
            )
    return organisatie


def figures(organisatie, periode=Q1):
    rapport = gemeenterapportage(organisatie, "Hengelo", periode)
    return {(r.onderdeel, r.omschrijving): r.waarde for r in rapport.regels}, rapport


def test_every_figure(dataset):
    f, rapport = figures(dataset)
    # January has 11 registrations, February 2, March none: the quarter's 13
    # minus January would give February's 2 away, so the quarter hides it too.
    assert f[("Vraaggezinnen", "aangemeld")] == "×"
    assert f[("Steungezinnen", "aangemeld")] == "5"
    assert f[("Steungezinnen", "voor het eerst goedgekeurd")] == "×"
    assert f[("Steungezinnen", "voor het eerst in screening genomen")] == "0"
    # Three by their history (two more have no steps): rounded to 5, as 3 to 7 are.
    assert f[("Steungezinnen", "beschikbaar op de einddatum")] == "5"
    assert f[("Koppelingen", "gestart")] == "5"
    assert f[("Koppelingen", "lopend in de periode")] == "5"
    assert f[("Koppelingen", "beëindigd")] == "×"
    # Five started, two ended: too few for an average.
    assert f[("Wachttijd en duur", "wachttijd tot de start, gemiddeld (weken)")] == TE_WEINIG
    assert (
        f[("Wachttijd en duur", "duur van beëindigde koppelingen, gemiddeld (weken)")] == TE_WEINIG
    )
    assert f[("Bereik", "kinderen bereikt")] == "10"
    assert f[("Bereik", "contactmomenten")] == "5"
    assert f[("Evaluaties", "evaluaties gehouden")] == "5"
    assert f[("Tevredenheid (1–5)", "Het contact tussen de twee gezinnen (vraaggezinnen)")] == (
        TE_WEINIG
    )
    assert f[("Coördinatie", "uren voor deze gemeente")] == "30,0"
    # The 10 general hours split 30 : 10, as the gemeenten's own hours.
    assert f[("Coördinatie", "aandeel in de algemene uren")] == "7,5"
    assert f[("Coördinatie", "coördinatie-uren totaal")] == "37,5"
    assert f[("Coördinatie", "uren per lopende koppeling")] == "7,5"
    assert f[("Coördinatie", "kosten")] == "geen uurtarief vastgelegd"
    section = "Steungezinnen beschikbaar op de einddatum, per wijk"
    assert (f[(section, "Noord")], f[(section, "Zuid")]) == ("5", "0")
    # A quarter has no breakdowns: they are in the year report only.
    assert not rapport.met_verdelingen
    assert ("Aanmeldingen naar verwijzer", "wijkteam") not in f


def test_a_month_shows_its_own_counts(dataset):
    f, _ = figures(dataset, Periode.maand(2026, 1))
    assert f[("Vraaggezinnen", "aangemeld")] == "11"
    f, _ = figures(dataset, Periode.maand(2026, 2))
    assert f[("Vraaggezinnen", "aangemeld")] == "×"
    f, _ = figures(dataset, Periode.maand(2026, 3))
    assert f[("Vraaggezinnen", "aangemeld")] == "0"


def test_the_year_report_has_protected_breakdowns(dataset):
    f, rapport = figures(dataset, Periode.jaar(2026))
    assert rapport.met_verdelingen
    # The year hides its 14 registrations: February's 2 and April's 1 are
    # the only hidden months, and their sum is a small count.
    assert f[("Vraaggezinnen", "aangemeld")] == "×"
    # Hidden total: at least one cell is hidden too, so that the rows do not add up to it.
    verwijzers = [v for (o, _), v in f.items() if o == "Aanmeldingen naar verwijzer"]
    assert "×" in verwijzers
    assert f[("Aanmeldingen naar verwijzer", "wijkteam")] == "6"
    # Two ended for the same reason, the other reasons none: nothing protects them.
    assert f[("Beëindigd naar reden", "doel bereikt")] == "×"


def test_a_breakdown_hides_the_next_smallest_cell_when_one_is_hidden():
    verdeling = Verdeling.van(Cel(20), {"a": 3, "b": 9, "c": 8, "d": 0})
    assert [c.waarde for c in verdeling.cellen.values()] == ["×", "9", "×", "0"]


def test_a_breakdown_hides_more_until_the_hidden_cells_sum_to_five():
    verdeling = Verdeling.van(Cel(14), {"a": 1, "b": 1, "c": 6, "d": 6})
    assert [c.waarde for c in verdeling.cellen.values()] == ["×", "×", "×", "6"]
    # Hidden cells of 1 each would all be 1: not all of them may be.
    verdeling = Verdeling.van(Cel(6), {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1})
    assert all(c.verborgen for c in verdeling.cellen.values())
    assert not verdeling.totaal.verborgen
    assert _veilig([1, 1, 1, 1, 1, 1]) is False


def test_a_breakdown_that_cannot_protect_itself_hides_its_total_when_it_may():
    verdeling = Verdeling.van(Cel(5), dict.fromkeys("abcde", 1), totaal_vast=False)
    assert verdeling.totaal.verborgen
    verdeling = Verdeling.van(Cel(5), dict.fromkeys("abcde", 1))  # the total is known elsewhere
    assert not verdeling.totaal.verborgen


def test_a_hidden_total_hides_a_cell():
    verdeling = Verdeling.van(Cel(12, verborgen=True), {"a": 12, "b": 0})
    assert [c.waarde for c in verdeling.cellen.values()] == ["×", "0"]


def test_a_quarter_is_hidden_when_it_would_give_one_hidden_month_away():
    from collections import Counter

    from reports.figures import _in_de_tijd

    months = Counter({(2025, 1): 2, (2025, 2): 7, (2025, 3): 8})
    assert _in_de_tijd(months, Periode.kwartaal(2025, 1)).verborgen
    months[(2025, 3)] = 3  # two hidden months that sum to 5: each can be 1 to 4
    assert not _in_de_tijd(months, Periode.kwartaal(2025, 1)).verborgen
    # The year sees the first quarter's hidden months as covered.
    assert not _in_de_tijd(months, Periode.jaar(2025)).verborgen


def test_periods():
    assert (Q1.start, Q1.end) == (d(1, 1), d(3, 31))
    q4 = Periode.kwartaal(2026, 4)
    assert (q4.start, q4.end) == (d(10, 1), d(12, 31))
    assert Periode.jaar(2026).end == d(12, 31)
    assert Periode.maand(2024, 2).end == datetime.date(2024, 2, 29)
    assert [p.label for p in (Periode.maand(2026, 3), Periode.kwartaal(2026, 2))] == [
        "maart 2026",
        "2e kwartaal 2026",
    ]
    assert Periode.jaar(2026).label == "2026"
    with pytest.raises(ValueError, match="Geen hele maand"):
        Periode(d(1, 1), d(1, 30))


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


def test_page_pdf_csv_and_xlsx_carry_the_same_figures(
    client, dataset, coordinator, rendered_report
):
    import csv
    import html as html_module
    import io
    import re

    from openpyxl import load_workbook

    client.force_login(coordinator)
    url = reverse("reports:gemeente")
    params = {"gemeente": "Hengelo", "soort": "kwartaal", "jaar": 2026, "kwartaal": 1}
    _, rapport = figures(dataset)
    expected = [(r.omschrijving, r.waarde) for r in rapport.regels]

    def rows(page: str) -> list[tuple[str, str]]:
        cells = re.findall(
            r"<tr><td>(.*?)(?:<div[^>]*>.*?</div>)?</td><td[^>]*>(.*?)</td></tr>", page
        )
        return [(html_module.unescape(a), html_module.unescape(b)) for a, b in cells]

    assert rows(client.get(url, params).text) == expected
    assert rows(rendered_report(client, url, params)) == expected
    response = client.get(url, {**params, "formaat": "csv"})
    assert "rapportage-" in response["Content-Disposition"]
    assert "hengelo-20260101-20260331.csv" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    kop = dict(line for line in lines[: lines.index([])])
    assert kop["Organisatie"] == dataset.naam
    assert kop["Gemeente"] == "gemeente Hengelo"
    assert kop["Periode"].startswith("1e kwartaal 2026: van 1 januari 2026 tot en met 31 maart")
    table = lines[lines.index([]) + 1 :]
    assert table[0] == ["onderdeel", "omschrijving", "waarde", "toelichting"]
    assert [tuple(line[1:3]) for line in table[1:]] == expected
    assert all(line[3] for line in table[1:])  # every figure has its definition
    response = client.get(url, {**params, "formaat": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "Organisatie"
    assert sheet["B2"].value == dataset.naam
    header = next(
        i for i, r in enumerate(sheet.iter_rows(values_only=True), 1) if r[0] == "onderdeel"
    )
    cells = list(sheet.iter_rows(min_row=header + 1, values_only=True))
    assert [(r[1], r[2]) for r in cells] == [
        (r.omschrijving, r.waarde if r.getal is None else r.getal) for r in rapport.regels
    ]
    numbers = [r[2] for r in cells if not isinstance(r[2], str)]
    assert numbers
    assert all(isinstance(n, int | float) for n in numbers)
    assert (
        AuditEntry.objects.filter(action="export", detail__startswith="gemeenterapportage").count()
        == 3
    )


def test_a_bar_chart_draws_no_bar_for_a_hidden_count(dataset):
    from reports.templatetags.report_tags import bar_chart

    _, rapport = figures(dataset, Periode.jaar(2026))
    regels = {naam: regels for naam, _, regels in rapport.onderdelen()}[
        "Aanmeldingen naar verwijzer"
    ]
    hidden = [r for r in regels if r.waarde == "×"]
    assert hidden
    assert all(r.aantal is None for r in hidden)
    svg = bar_chart(regels)
    assert svg.count('width="0"') >= len(hidden)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"soort": "eigen", "van": "2026-01-01", "tot": "2026-03-31"},
            "Selecteer een geldige keuze",
        ),
        (
            {"soort": "kwartaal", "jaar": 2026, "kwartaal": 1, "van": "2026-01-02"},
            "niet over eigen data",
        ),
        ({"soort": "jaar", "jaar": "twintig"}, "Jaar: Voer een geheel getal in."),
        ({"soort": "jaar", "jaar": 99999999999999999999}, "Jaar:"),
        ({"soort": "jaar", "jaar": -4}, "Jaar:"),
        ({"soort": "maand", "jaar": 2026, "maand": 13}, "Maand:"),
        ({"soort": "maand", "jaar": 2026}, "Kies een maand."),
        ({"soort": "kwartaal", "jaar": 2026, "kwartaal": "x"}, "Kwartaal:"),
        ({"soort": "jaar", "jaar": 2100}, "Deze periode is nog niet voorbij."),
    ],
)
def test_a_wrong_period_gets_a_dutch_message(client, dataset, coordinator, params, message):
    client.force_login(coordinator)
    response = client.get(
        reverse("reports:gemeente"), {"gemeente": "Hengelo", **params, "formaat": "pdf"}
    )
    assert response.status_code == 200
    assert response.context["rapport"] is None
    assert message in response.text


def test_a_running_period_is_refused(client, dataset, coordinator, monkeypatch):
    from reports import views

    monkeypatch.setattr(views, "today", lambda: d(3, 31))
    client.force_login(coordinator)
    params = {"gemeente": "Hengelo", "soort": "kwartaal", "jaar": 2026, "kwartaal": 1}
    response = client.get(reverse("reports:gemeente"), params)
    assert response.context["rapport"] is None
    monkeypatch.setattr(views, "today", lambda: d(4, 1))
    assert client.get(reverse("reports:gemeente"), params).context["rapport"] is not None


def test_an_unknown_gemeente_gives_no_report(client, dataset, coordinator):
    client.force_login(coordinator)
    response = client.get(
        reverse("reports:gemeente"), {"gemeente": "Nergens", "soort": "jaar", "jaar": 2025}
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
        reverse("reports:gemeente"), {"gemeente": "Hengelo", "soort": "jaar", "jaar": 2025}
    )
    assert response.context["rapport"] is None


def test_availability_at_the_end_of_a_past_period_follows_the_history(dataset):
    section = "Steungezinnen beschikbaar op de einddatum, per wijk"
    february, _ = figures(dataset, Periode.maand(2026, 2))
    march, _ = figures(dataset, Periode.maand(2026, 3))
    assert february[(section, "Noord")] == "0"
    assert march[(section, "Noord")] == "5"  # three, approved on 1 March, rounded


def test_the_organisation_report_counts_every_gemeente_and_families_without_a_wijk(
    client, dataset, coordinator, monkeypatch
):
    from gezinnen.models import Vraaggezin
    from reports import views

    monkeypatch.setattr(views, "today", lambda: datetime.date(2027, 1, 5))
    Vraaggezin.objects.filter(organisatie=dataset, aangemeld_op=d(4, 2)).update(wijk=None)
    client.force_login(coordinator)
    params = {"gemeente": "*", "soort": "jaar", "jaar": 2026}
    response = client.get(reverse("reports:gemeente"), params)
    assert response.status_code == 200
    rapport = response.context["rapport"]
    assert rapport.gebied == "alle gemeenten"
    f = {(r.onderdeel, r.omschrijving): r.waarde for r in rapport.regels}
    # Hengelo's 13 and Hof van Twente's one, and the one without a wijk: 15 in
    # 2026, with a hidden 3 in February and 1 in April, so the year hides it.
    total = next(r for r in rapport.regels if r.omschrijving == "aangemeld")
    assert total.waarde == "×"
    assert [o for o, _ in f if o == "Aanmeldingen naar gemeente"] == [
        "Aanmeldingen naar gemeente"
    ] * 3
    assert {om for o, om in f if o == "Aanmeldingen naar gemeente"} == {
        "Hengelo",
        "Hof van Twente",
        "zonder wijk",
    }
    assert f[("Koppelingen", "gestart")] == "5"
    assert ("Uren per gemeente", "Hof van Twente") in f
    assert "alle gemeenten samen" in response.text
    csv = client.get(reverse("reports:gemeente"), {**params, "formaat": "csv"})
    assert "alle-gemeenten-20260101-20261231.csv" in csv["Content-Disposition"]


def test_the_report_takes_the_same_queries_for_more_wijken_and_families(
    dataset, django_assert_num_queries
):
    def queries(periode) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            gemeenterapportage(dataset, "Hengelo", periode)
        return len(captured.captured_queries)

    queries(Periode.jaar(2026))  # the first one stores the standard end reasons
    year, quarter = queries(Periode.jaar(2026)), queries(Q1)
    for index in range(6):
        wijk = WijkFactory(organisatie=dataset, naam=f"Extra{index}", gemeente="Hengelo")
        VraaggezinFactory.create_batch(3, organisatie=dataset, wijk=wijk, aangemeld_op=d(2, 3))
    assert (queries(Periode.jaar(2026)), queries(Q1)) == (year, quarter)
    with django_assert_num_queries(quarter):
        gemeenterapportage(dataset, "Hengelo", Q1)
    assert quarter <= 12


def test_the_organisation_report_gives_no_hidden_gemeente_away(dataset, monkeypatch):
    """Organisation minus the other gemeenten would be the hidden one: every
    figure the organisation shows is shown by each of its parts as well, and
    the shown counts add up."""
    from reports.figures import ALLE_GEMEENTEN, VERBORGEN, ZONDER_WIJK

    checked = 0
    for periode in [*(Periode.maand(2026, m) for m in (1, 2, 3, 4)), Q1, Periode.jaar(2026)]:
        organisation = gemeenterapportage(dataset, ALLE_GEMEENTEN, periode)
        parts = [
            {
                (r.onderdeel, r.omschrijving): r
                for r in gemeenterapportage(dataset, naam, periode).regels
            }
            for naam in ("Hengelo", "Hof van Twente", ZONDER_WIJK)
        ]
        for regel in organisation.regels:
            key = (regel.onderdeel, regel.omschrijving)
            of = [part[key] for part in parts if key in part]
            if regel.onderdeel == "Coördinatie" or len(of) < 3 or regel.waarde == VERBORGEN:
                continue
            assert all(p.waarde != VERBORGEN for p in of), (periode.label, key)
            if regel.aantal is not None and not key[1].startswith(
                ("kinderen", "lopend", "beschikbaar", "wachtend")
            ):
                assert regel.aantal == sum(p.aantal for p in of), (periode.label, key)
                checked += 1
    # February: Hof van Twente's one registration is hidden, so is the organisation's.
    february = gemeenterapportage(dataset, ALLE_GEMEENTEN, Periode.maand(2026, 2))
    assert next(r for r in february.regels if r.omschrijving == "aangemeld").waarde == VERBORGEN
    assert checked >= 20
