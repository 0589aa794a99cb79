"""Notes in the file of a family and of a koppeling (issue 16.1): who may
write and read them, where nothing is added, the family's timeline they
appear in, and what happens to them on erasure."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import AuditEntry
from gezinnen.integrity import TransitionError
from gezinnen.models import Statuswijziging
from gezinnen.views import TIJDLIJN_TONEN
from matching import services
from matching.bewaren import gezin_anonimiseren
from matching.models import Contactmoment, Notitie, Signaal
from tests.factories import KoppelingFactory, UserFactory, VraaggezinFactory
from tests.test_gezinnen_pages import DETAIL_QUERIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def koppeling(organisatie, coordinator, vrijwilliger):
    return KoppelingFactory(
        organisatie=organisatie, coordinator=coordinator, vrijwilliger=vrijwilliger
    )


def detail_url(gezin) -> str:
    return reverse("gezinnen:vraaggezin-detail", args=[gezin.pk])


# The service


def test_it_adds_a_note_to_a_family_with_author_and_time(coordinator, koppeling):
    gezin = koppeling.vraaggezin
    notitie = services.notitie_toevoegen(
        door=coordinator, gezin=gezin, tekst="  Moeder belde: het gaat beter.  "
    )
    notitie.refresh_from_db()
    assert notitie.gezin_id == gezin.pk
    assert notitie.koppeling_id is None
    assert notitie.tekst == "Moeder belde: het gaat beter."
    assert notitie.door == coordinator
    assert timezone.now() - notitie.op < datetime.timedelta(minutes=1)
    assert notitie.organisatie_id == gezin.organisatie_id
    entry = AuditEntry.objects.get(object_type="matching.notitie", object_id=str(notitie.pk))
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.detail == f"notitie bij vraaggezin nr. {gezin.pk}"
    # The log names the record, never what the note says.
    assert "Moeder" not in entry.detail + entry.object_repr


def test_a_volunteer_adds_a_note_to_her_own_koppeling(vrijwilliger, koppeling):
    notitie = services.notitie_toevoegen(
        door=vrijwilliger, koppeling=koppeling, tekst="Fijn bezoek"
    )
    assert notitie.koppeling == koppeling
    assert not notitie.alleen_professionals
    entry = AuditEntry.objects.get(object_type="matching.notitie", object_id=str(notitie.pk))
    assert entry.detail == f"notitie bij koppeling nr. {koppeling.pk}"
    assert set(entry.gezinnen.values_list("gezin_id", flat=True)) == {
        koppeling.vraaggezin_id,
        koppeling.steungezin_id,
    }


def test_a_volunteer_cannot_mark_a_note_for_professionals_only(vrijwilliger, koppeling):
    with pytest.raises(TransitionError, match="professionele coördinator"):
        services.notitie_toevoegen(
            door=vrijwilliger, koppeling=koppeling, tekst="x", alleen_professionals=True
        )
    assert not Notitie.objects.exists()


def test_a_coordinator_marks_a_note_for_professionals_only(coordinator, koppeling):
    notitie = services.notitie_toevoegen(
        door=coordinator, koppeling=koppeling, tekst="Vermoeden", alleen_professionals=True
    )
    assert notitie.alleen_professionals
    entry = AuditEntry.objects.get(object_type="matching.notitie")
    assert entry.detail.endswith(", alleen voor professionals")


def test_a_volunteer_cannot_add_to_another_koppeling_or_to_a_family(
    organisatie, vrijwilliger, koppeling
):
    other = KoppelingFactory(organisatie=organisatie)  # not assigned to her
    with pytest.raises(TransitionError, match="niet van u"):
        services.notitie_toevoegen(door=vrijwilliger, koppeling=other, tekst="x")
    with pytest.raises(TransitionError, match="professionele coördinator"):
        services.notitie_toevoegen(door=vrijwilliger, gezin=koppeling.vraaggezin, tekst="x")
    assert not Notitie.objects.exists()


def test_nothing_is_added_to_a_closed_koppeling(coordinator, vrijwilliger, koppeling):
    koppeling.status = "afgesloten"
    koppeling.einde_op = datetime.date.today()
    koppeling.einde_reden = "doel_bereikt"
    koppeling.save()
    for door in (coordinator, vrijwilliger):
        with pytest.raises(
            TransitionError, match="Een notitie kan nu niet: de status is afgesloten"
        ):
            services.notitie_toevoegen(door=door, koppeling=koppeling, tekst="Nog iets")
    assert not Notitie.objects.exists()


def test_nothing_is_added_to_an_anonymised_family(organisatie, coordinator):
    gezin = VraaggezinFactory(organisatie=organisatie, status="afgesloten")
    gezin_anonimiseren(door=coordinator, gezin=gezin, wijze="verzoek", reden="verzoek_gezin")
    with pytest.raises(TransitionError, match="geanonimiseerd"):
        services.notitie_toevoegen(door=coordinator, gezin=gezin, tekst="x")


def test_an_outsider_adds_nothing_to_our_files(outsider, koppeling):
    with pytest.raises(TransitionError, match="niet van u"):
        services.notitie_toevoegen(door=outsider, koppeling=koppeling, tekst="x")
    with pytest.raises(TransitionError, match="niet van u"):
        services.notitie_toevoegen(door=outsider, gezin=koppeling.vraaggezin, tekst="x")
    assert not Notitie.objects.exists()


def test_a_note_is_checked_before_it_is_written(coordinator, koppeling):
    from django.core.exceptions import ValidationError

    for tekst in ("   ", "x" * 5001):
        with pytest.raises(ValidationError):
            services.notitie_toevoegen(door=coordinator, koppeling=koppeling, tekst=tekst)
    with pytest.raises(ValueError, match="gezin of bij een koppeling"):
        services.notitie_toevoegen(door=coordinator, tekst="x")
    assert not Notitie.objects.exists()


def test_the_database_keeps_a_note_on_exactly_one_record(organisatie, coordinator, koppeling):
    for bij in ({}, {"gezin": koppeling.vraaggezin, "koppeling": koppeling}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Notitie.objects.create(organisatie=organisatie, tekst="x", door=coordinator, **bij)


def test_a_volunteer_sees_only_the_shared_notes_of_her_own_koppelingen(
    organisatie, coordinator, vrijwilliger, koppeling, outsider
):
    gedeeld = services.notitie_toevoegen(door=coordinator, koppeling=koppeling, tekst="gedeeld")
    services.notitie_toevoegen(
        door=coordinator, koppeling=koppeling, tekst="geheim", alleen_professionals=True
    )
    services.notitie_toevoegen(door=coordinator, gezin=koppeling.vraaggezin, tekst="dossier")
    other = KoppelingFactory(organisatie=organisatie)
    services.notitie_toevoegen(door=coordinator, koppeling=other, tekst="elders")
    assert list(Notitie.objects.visible_to(vrijwilliger)) == [gedeeld]
    assert Notitie.objects.visible_to(coordinator).count() == 4
    assert not Notitie.objects.visible_to(outsider).exists()


def test_erasing_the_family_erases_the_text_of_its_notes(organisatie, coordinator, koppeling):
    eigen = services.notitie_toevoegen(door=coordinator, gezin=koppeling.vraaggezin, tekst="Anna")
    samen = services.notitie_toevoegen(door=coordinator, koppeling=koppeling, tekst="Bram")
    anders = services.notitie_toevoegen(
        door=coordinator, gezin=KoppelingFactory(organisatie=organisatie).vraaggezin, tekst="Cor"
    )
    services.koppeling_afsluiten(
        door=coordinator,
        koppeling=koppeling,
        einde_op=datetime.date.today(),
        reden="doel_bereikt",
        uitkomst="",
        vraaggezin_naar="afgesloten",
        steungezin_naar="gestopt",
        doel_bereikt="ja",
    )
    gezin_anonimiseren(
        door=coordinator, gezin=koppeling.vraaggezin, wijze="verzoek", reden="verzoek_gezin"
    )
    for notitie in (eigen, samen, anders):
        notitie.refresh_from_db()
    assert (eigen.tekst, samen.tekst, anders.tekst) == ("", "", "Cor")
    assert eigen.door == coordinator  # who wrote it and when stay


# The pages


@pytest.fixture
def logged_in(client, coordinator):
    client.force_login(coordinator)
    return client


def test_a_coordinator_adds_a_note_on_the_family_page_and_sees_it_in_the_timeline(
    logged_in, coordinator, koppeling
):
    gezin = koppeling.vraaggezin
    page = logged_in.get(detail_url(gezin))
    form = page.context["invoer"][0].form
    assert "alleen_professionals" not in form.fields
    url = reverse("matching:gezin-notitie", args=[gezin.pk])
    assert f'action="{url}"' in page.text
    data = {"tekst": "Moeder belde terug", "inzending": form.initial["inzending"]}
    response = logged_in.post(url, data)
    assert response.status_code == 302
    assert response.url == detail_url(gezin) + "#tijdlijn"
    # A double click sends the same form twice: one note.
    logged_in.post(url, data)
    assert Notitie.objects.filter(gezin=gezin).count() == 1
    page = logged_in.get(detail_url(gezin))
    assert "De notitie is opgeslagen." in page.text
    first = page.context["tijdlijn"][0]
    assert (first.soort, first.tekst, first.door) == ("Notitie", "Moeder belde terug", coordinator)
    assert escape(coordinator.get_full_name()) in page.text  # a name can hold an apostrophe


def test_an_empty_or_too_long_note_comes_back_with_the_reason(logged_in, koppeling):
    url = reverse("matching:gezin-notitie", args=[koppeling.vraaggezin.pk])
    response = logged_in.post(url, {"tekst": "  "})
    assert response.status_code == 200
    assert "Schrijf eerst de notitie." in response.text
    assert "Niet alles is goed ingevuld" in response.text
    response = logged_in.post(url, {"tekst": "lang " * 1001})
    assert "Een notitie is hoogstens 5000 tekens; u typte er 5004." in response.text
    assert "lang lang" in response.text  # what was typed stays
    assert not Notitie.objects.exists()


def test_the_timeline_merges_steps_notes_contacts_and_signals_newest_first(
    logged_in, coordinator, koppeling
):
    gezin = koppeling.vraaggezin
    now = timezone.now()
    Statuswijziging.objects.create(
        gezin=gezin,
        van="wachtend",
        naar="gekoppeld",
        door=coordinator,
        op=now - datetime.timedelta(days=10),
    )
    Contactmoment.objects.create(
        koppeling=koppeling,
        datum=datetime.date.today() - datetime.timedelta(days=5),
        met="beide",
        hoe="telefoon",
        verloop="goed",
        door=coordinator,
        notities="Gaat goed",
    )
    signaal = Signaal.objects.create(
        koppeling=koppeling, omschrijving="Zorg", gemeld_door=coordinator
    )
    Signaal.objects.filter(pk=signaal.pk).update(gemeld_op=now - datetime.timedelta(days=2))
    services.notitie_toevoegen(door=coordinator, koppeling=koppeling, tekst="Over de koppeling")
    Notitie.objects.create(
        organisatie=gezin.organisatie,
        gezin=gezin,
        tekst="Over het gezin",
        door=coordinator,
        op=now - datetime.timedelta(days=1),
    )
    # Not this family's: another koppeling's note and contact.
    other = KoppelingFactory(organisatie=gezin.organisatie)
    services.notitie_toevoegen(door=coordinator, koppeling=other, tekst="Elders")

    regels = logged_in.get(detail_url(gezin)).context["tijdlijn"]
    assert [(r.soort, r.tekst) for r in regels] == [
        ("Notitie", "Over de koppeling"),
        ("Notitie", "Over het gezin"),
        ("Signaal", "Zorg"),
        ("Contactmoment", "Gaat goed"),
        ("Status", ""),
    ]
    assert regels[0].url == reverse("matching:detail", args=[koppeling.pk])
    assert regels[2].url == reverse("matching:signaal", args=[signaal.pk])
    assert regels[4].titel == "wachtend → gekoppeld"


def test_the_family_page_shows_the_newest_lines_and_links_to_the_whole_timeline(
    logged_in, coordinator, koppeling
):
    gezin = koppeling.vraaggezin
    for n in range(TIJDLIJN_TONEN + 5):
        Notitie.objects.create(
            organisatie=gezin.organisatie,
            gezin=gezin,
            tekst=f"notitie {n}",
            door=coordinator,
            op=timezone.now() - datetime.timedelta(hours=n),
        )
    page = logged_in.get(detail_url(gezin))
    assert len(page.context["tijdlijn"]) == TIJDLIJN_TONEN
    full = reverse("gezinnen:vraaggezin-tijdlijn", args=[gezin.pk])
    assert f'href="{full}"' in page.text
    response = logged_in.get(full)
    assert response.status_code == 200
    assert [r.tekst for r in response.context["page"].object_list][:2] == ["notitie 0", "notitie 1"]
    assert response.context["page"].paginator.count == TIJDLIJN_TONEN + 5
    entry = AuditEntry.objects.filter(user=coordinator, action="view").latest("pk")
    assert (entry.object_id, entry.detail) == (str(gezin.pk), "tijdlijn")


def test_the_family_page_takes_the_same_queries_for_a_long_timeline(
    client, coordinator, organisatie, django_assert_num_queries
):
    """The page's pinned count (tests/test_gezinnen_pages.py), to which the
    timeline's notes, contactmomenten and signals add one query each."""
    client.force_login(coordinator)
    small = VraaggezinFactory(organisatie=organisatie)
    big = KoppelingFactory(organisatie=organisatie, coordinator=coordinator)
    for _ in range(30):
        services.notitie_toevoegen(door=coordinator, gezin=big.vraaggezin, tekst="n")
        services.notitie_toevoegen(door=coordinator, koppeling=big, tekst="k")
        Contactmoment.objects.create(
            koppeling=big, met="beide", hoe="telefoon", verloop="goed", door=coordinator
        )
        Signaal.objects.create(koppeling=big, omschrijving="s", gemeld_door=coordinator)
    for gezin in (small, big.vraaggezin):
        with django_assert_num_queries(DETAIL_QUERIES["vraaggezin"]):
            assert client.get(detail_url(gezin)).status_code == 200


def test_a_volunteer_writes_on_her_koppeling_page_and_never_sees_a_professional_note(
    client, coordinator, vrijwilliger, koppeling
):
    services.notitie_toevoegen(
        door=coordinator, koppeling=koppeling, tekst="Alleen voor ons", alleen_professionals=True
    )
    services.notitie_toevoegen(door=coordinator, koppeling=koppeling, tekst="Voor iedereen")
    client.force_login(vrijwilliger)
    detail = reverse("matching:detail", args=[koppeling.pk])
    page = client.get(detail)
    assert "Voor iedereen" in page.text
    assert "Alleen voor ons" not in page.text
    assert "alleen_professionals" not in page.context["notitie_invoer"].form.fields
    url = reverse("matching:notities", args=[koppeling.pk])
    assert "Alleen voor ons" not in client.get(url).text
    # A crafted request cannot mark hers as professional: the form has no such field.
    response = client.post(url, {"tekst": "Leuk uitje", "alleen_professionals": "on"})
    assert response.status_code == 302
    assert response.url == f"{detail}#notities"
    mine = Notitie.objects.get(door=vrijwilliger)
    assert (mine.tekst, mine.alleen_professionals) == ("Leuk uitje", False)
    # The family's file stays closed to her.
    gezin_url = reverse("matching:gezin-notitie", args=[koppeling.vraaggezin.pk])
    assert client.get(gezin_url).status_code == 404
    assert client.post(gezin_url, {"tekst": "x"}).status_code == 404


def test_a_coordinator_sees_which_notes_are_for_professionals_only(client, coordinator, koppeling):
    client.force_login(coordinator)
    url = reverse("matching:notities", args=[koppeling.pk])
    response = client.post(url, {"tekst": "Vermoeden", "alleen_professionals": "on"})
    assert response.status_code == 302
    assert Notitie.objects.get().alleen_professionals
    page = client.get(reverse("matching:detail", args=[koppeling.pk]))
    assert "Vermoeden" in page.text
    assert "alleen professionals" in page.text


def test_a_closed_koppeling_shows_its_notes_without_a_form_and_refuses_one(
    client, coordinator, koppeling
):
    services.notitie_toevoegen(door=coordinator, koppeling=koppeling, tekst="Van toen")
    type(koppeling).objects.filter(pk=koppeling.pk).update(
        status="afgesloten", einde_op=datetime.date.today(), einde_reden="doel_bereikt"
    )
    client.force_login(coordinator)
    page = client.get(reverse("matching:detail", args=[koppeling.pk]))
    assert page.context["notitie_invoer"] is None
    assert "Van toen" in page.text
    url = reverse("matching:notities", args=[koppeling.pk])
    page = client.get(url)
    assert "Van toen" in page.text
    assert page.context["invoer"] is None
    assert "Een notitie kan nu niet" in page.text
    response = client.post(url, {"tekst": "Nog eentje"})
    assert response.status_code == 200
    assert "Een notitie kan nu niet: de status is afgesloten." in response.text
    assert "Nog eentje" in response.text
    assert Notitie.objects.count() == 1


@pytest.mark.parametrize("person", ["vrijwilliger", "beheerder", "outsider"])
def test_nobody_else_finds_the_family_pages(client, all_roles, koppeling, person):
    client.force_login(all_roles[person])
    gezin = koppeling.vraaggezin
    for url in (
        reverse("matching:gezin-notitie", args=[gezin.pk]),
        reverse("gezinnen:vraaggezin-tijdlijn", args=[gezin.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"tekst": "x"}).status_code == 404
    assert not Notitie.objects.exists()


@pytest.mark.parametrize("person", ["beheerder", "outsider", "other_volunteer"])
def test_nobody_else_finds_the_koppeling_notes(client, all_roles, organisatie, koppeling, person):
    user = (
        UserFactory(organisatie=organisatie, rol="vrijwillig_coordinator")
        if person == "other_volunteer"
        else all_roles[person]
    )
    client.force_login(user)
    url = reverse("matching:notities", args=[koppeling.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"tekst": "x"}).status_code == 404
    assert not Notitie.objects.exists()
