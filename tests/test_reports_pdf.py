import datetime

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from gezinnen.models import today
from matching.models import Contactmoment, Evaluatie, Signaal
from reports.pdf import render_to_pdf
from tests.factories import KoppelingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def koppeling(organisatie, coordinator, vrijwilliger):
    koppeling = KoppelingFactory(
        organisatie=organisatie, coordinator=coordinator, vrijwilliger=vrijwilliger
    )
    Contactmoment.objects.create(
        koppeling=koppeling,
        datum=today(),
        met="beide",
        hoe="bezoek",
        verloop="goed",
        door=coordinator,
        notities="Kinderen blij",
    )
    Evaluatie.objects.create(
        koppeling=koppeling,
        soort="jaarlijks",
        door=coordinator,
        conclusie="Doorgaan",
        vraag_scores={"contact": 5},
        steun_scores={"contact": 4},
        vraag_goed="Rust",
    )
    return koppeling


def test_render_to_pdf_gives_the_html_and_a_pdf(organisatie):
    rendered = render_to_pdf("reports/base.html", {"organisatie": organisatie})
    assert rendered.pdf.startswith(b"%PDF")
    assert organisatie.naam in rendered.html
    assert "http" not in rendered.html  # nothing to fetch


def test_the_evaluation_report(client, koppeling, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("reports:evaluatieverslag", args=[koppeling.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.get(action="export")
    assert (entry.user, entry.object_id) == (coordinator, str(koppeling.pk))


@pytest.fixture
def rendered(monkeypatch):
    """The report the last request rendered, HTML included."""
    from reports import views

    seen = {}
    real = views.render_to_pdf

    def keep(template, context):
        seen["last"] = real(template, context)
        return seen["last"]

    monkeypatch.setattr(views, "render_to_pdf", keep)
    return seen


def test_the_evaluation_report_shows_both_sides(client, koppeling, rendered):
    client.force_login(koppeling.coordinator)
    client.get(reverse("reports:evaluatieverslag", args=[koppeling.pk]))
    html = rendered["last"].html
    assert koppeling.vraaggezin.naam in html
    assert koppeling.steungezin.naam in html
    assert "1 contactmoment:" in html
    assert "1 × gaat goed" in html
    assert "Het contact tussen de twee gezinnen" in html
    assert "Doorgaan" in html
    assert "Rust" in html
    assert html.count("datum:") == 3  # signature lines


def test_the_avg_inzage_contains_everything_and_who_looked(
    client, koppeling, coordinator, rendered
):
    client.force_login(coordinator)
    client.get(reverse("gezinnen:vraaggezin-detail", args=[koppeling.vraaggezin.pk]))
    response = client.get(reverse("reports:inzage", args=[koppeling.vraaggezin.pk]))
    assert response.status_code == 200
    html = rendered["last"].html
    members = [str(lid) for lid in koppeling.vraaggezin.leden.all()]
    for text in (koppeling.vraaggezin.hulpvraag, "Kinderen blij", "Doorgaan", "bekeken", *members):
        assert text in html
    assert coordinator.get_full_name() in html
    assert AuditEntry.objects.filter(
        action="export", object_id=str(koppeling.vraaggezin.pk)
    ).exists()


@pytest.mark.parametrize("person", ["vrijwilliger", "beheerder", "outsider"])
def test_reports_are_for_the_own_coordinators_only(client, all_roles, koppeling, person):
    client.force_login(all_roles[person])
    assert client.get(reverse("reports:evaluatieverslag", args=[koppeling.pk])).status_code == 404
    assert client.get(reverse("reports:inzage", args=[koppeling.vraaggezin.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_evaluation_report_is_complete(client, koppeling, rendered, coordinator):
    """Every contact with its type and whole notes, every date of the
    koppeling, the kennismaking notes; of signals only when and whether
    handled (both families sign the report)."""
    long_note = "Lang verhaal. " * 40
    for day in range(12):
        Contactmoment.objects.create(
            koppeling=koppeling,
            datum=today() - datetime.timedelta(days=day + 1),
            met="vraaggezin",
            hoe="video",
            verloop="aandacht",
            door=coordinator,
            notities=f"notitie {day} {long_note}",
        )
    koppeling.kennismaking_notities = "Klikte meteen"
    koppeling.proefperiode_tot = today() + datetime.timedelta(days=30)
    koppeling.save()
    Signaal.objects.create(
        koppeling=koppeling, omschrijving="GEHEIM gezien", gemeld_door=coordinator
    )
    client.force_login(coordinator)
    client.get(reverse("reports:evaluatieverslag", args=[koppeling.pk]))
    html = rendered["last"].html
    for day in range(12):
        assert f"notitie {day} {long_note.strip()}" in html
    assert "videobellen" in html
    assert "Klikte meteen" in html
    assert f"{koppeling.proefperiode_tot:%-d}" in html
    assert "Einde proefperiode" in html
    assert "Voorgesteld" in html
    assert "Signalen" in html
    assert "GEHEIM" not in html


@pytest.fixture
def laid_out(monkeypatch):
    """How often WeasyPrint laid a PDF out."""
    from weasyprint import HTML

    real, count = HTML.write_pdf, []

    def counted(self, *args, **kwargs):
        count.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", counted)
    return count


def _rapport(client, gemeente: str) -> bytes:
    params = {"gemeente": gemeente, "soort": "jaar", "jaar": today().year - 1, "formaat": "pdf"}
    response = client.get(reverse("reports:gemeente"), params)
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_the_same_municipality_report_is_laid_out_once(client, koppeling, coordinator, laid_out):
    from django.core.cache import cache

    from tests.factories import WijkFactory

    cache.clear()
    WijkFactory(organisatie=koppeling.organisatie, naam="Noord", gemeente="Hengelo")
    WijkFactory(organisatie=koppeling.organisatie, naam="Goor", gemeente="Hof van Twente")
    client.force_login(coordinator)
    first = _rapport(client, "Hengelo")
    assert _rapport(client, "Hengelo") == first
    assert len(laid_out) == 1
    # Another report (other HTML) is laid out for itself.
    assert _rapport(client, "Hof van Twente") != first
    assert len(laid_out) == 2
    # Reports with personal data never come from the cache.
    for _ in range(2):
        client.get(reverse("reports:inzage", args=[koppeling.vraaggezin.pk]))
        client.get(reverse("reports:evaluatieverslag", args=[koppeling.pk]))
    assert len(laid_out) == 6


def test_a_cache_that_is_down_costs_the_report_nothing(
    client, koppeling, coordinator, laid_out, monkeypatch, caplog
):
    from reports import pdf
    from tests.factories import WijkFactory

    def down(*args, **kwargs):
        raise ConnectionError("cache weg")

    monkeypatch.setattr(pdf.cache, "get", down)
    monkeypatch.setattr(pdf.cache, "set", down)
    WijkFactory(organisatie=koppeling.organisatie, naam="Noord", gemeente="Hengelo")
    client.force_login(coordinator)
    assert _rapport(client, "Hengelo").startswith(b"%PDF")
    assert _rapport(client, "Hengelo").startswith(b"%PDF")
    assert len(laid_out) == 2
    assert "niet bereikbaar" in caplog.text
