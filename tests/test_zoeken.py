"""Issue 16: the search box of the navigation. Carla (coordinator) finds her
organisation's families, members and koppelingen by name, postcode, phone,
e-mail and number; Vera (volunteer coordinator) only her own koppelingen;
Otto (elsewhere) never any of ours. Each search is logged without the term."""

import html

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import AuditEntry, AuditGezin
from gezinnen.models import Gezinslid, Vraaggezin
from matching.bewaren import gezin_anonimiseren
from matching.zoeken import TONEN, doorzoeken
from tests.factories import (
    GezinslidFactory,
    KoppelingFactory,
    SteungezinFactory,
    VraaggezinFactory,
)

pytestmark = pytest.mark.django_db

ZOEKEN = reverse("matching:zoeken")


@pytest.fixture
def zuiderveld(organisatie):
    """The family everything is looked up by, beside one that matches nothing."""
    VraaggezinFactory(
        organisatie=organisatie,
        naam="Bosman",
        postcode="7491 AA",
        telefoon="074 2500000",
        email="bosman@voorbeeld.nl",
        leden=[("volwassene", 40)],
    )
    gezin = VraaggezinFactory(
        organisatie=organisatie,
        naam="Zuiderveld",
        postcode="7522 KL",
        telefoon="06 12345678",
        email="fam.zuiderveld@voorbeeld.nl",
        leden=[],
    )
    GezinslidFactory(gezin=gezin, voornaam="Sanne", achternaam="de Wit", soort="volwassene")
    return gezin


def groep(resultaat, titel: str):
    (found,) = [g for g in resultaat.groepen if g.titel == titel]
    return found


def detail(gezin) -> str:
    kind = "vraaggezin" if isinstance(gezin, Vraaggezin) else "steungezin"
    return reverse(f"gezinnen:{kind}-detail", args=[gezin.pk])


def vraaggezinnen(user, tekst: str) -> list[str]:
    return [t.url for t in groep(doorzoeken(door=user, tekst=tekst), "Vraaggezinnen").treffers]


@pytest.mark.parametrize(
    "tekst",
    [
        "Zuiderveld",
        "uiderv",  # part of the name, any case
        "ZUIDERVELD",
        "7522 KL",
        "7522KL",  # postcode without its space
        "7522 kl",
        "7522",
        "06 12345678",  # phone as stored
        "0612345678",  # without separators
        "06-12345678",
        "+31 6 12345678",
        "fam.zuiderveld@voorbeeld.nl",
        "FAM.ZUIDERVELD@",
        "Sanne",  # a member's first name
        "de wit",  # and last name
        "Sanne de Wit",  # and both
    ],
)
def test_it_finds_the_family_by_each_field(coordinator, zuiderveld, tekst):
    assert vraaggezinnen(coordinator, tekst) == [detail(zuiderveld)]


@pytest.mark.parametrize("vorm", ["{}", "nr. {}", "nr {}", "#{}", "Nr.{}"])
def test_it_finds_a_family_by_its_number(coordinator, zuiderveld, vorm):
    assert detail(zuiderveld) in vraaggezinnen(coordinator, vorm.format(zuiderveld.pk))


def test_nr_finds_only_that_number(coordinator, zuiderveld):
    assert vraaggezinnen(coordinator, f"nr. {zuiderveld.pk}") == [detail(zuiderveld)]


def test_it_groups_steungezinnen_members_and_koppelingen(coordinator, organisatie):
    koppeling = KoppelingFactory(
        organisatie=organisatie, vraaggezin__naam="Kaya", steungezin__naam="Kaymak"
    )
    resultaat = doorzoeken(door=coordinator, tekst="kay")
    assert [g.titel for g in resultaat.groepen] == [
        "Vraaggezinnen",
        "Steungezinnen",
        "Gezinsleden",
        "Koppelingen",
    ]
    assert [t.url for t in groep(resultaat, "Steungezinnen").treffers] == [
        detail(koppeling.steungezin)
    ]
    # The factory's members carry the family name: two in each family.
    leden = groep(resultaat, "Gezinsleden").treffers
    assert {t.url for t in leden} == {
        detail(koppeling.vraaggezin) + "#huishouden",
        detail(koppeling.steungezin) + "#huishouden",
    }
    assert "Gezin Kaya (vraaggezin)" in leden[0].over + leden[1].over
    (treffer,) = groep(resultaat, "Koppelingen").treffers
    assert (treffer.label, treffer.url) == (
        "Kaya – Kaymak",
        reverse("matching:detail", args=[koppeling.pk]),
    )
    by_number = doorzoeken(door=coordinator, tekst=f"nr. {koppeling.pk}")
    assert treffer in groep(by_number, "Koppelingen").treffers


def test_wildcards_are_plain_characters(coordinator, organisatie):
    VraaggezinFactory(organisatie=organisatie, naam="Jansen")
    odd = VraaggezinFactory(organisatie=organisatie, naam="Jan_sen 100%")
    assert vraaggezinnen(coordinator, "n_s") == [detail(odd)]
    assert vraaggezinnen(coordinator, "0%") == [detail(odd)]
    assert vraaggezinnen(coordinator, "%%") == []
    assert vraaggezinnen(coordinator, "__") == []


# Who finds what ------------------------------------------------------------


def test_another_organisation_never_finds_our_families(
    client, coordinator, outsider, other_organisatie, zuiderveld
):
    theirs = VraaggezinFactory(organisatie=other_organisatie, naam="Zuiderveld")
    ours = KoppelingFactory(organisatie=zuiderveld.organisatie, vraaggezin__naam="Zuiderveld")
    assert vraaggezinnen(outsider, "Zuiderveld") == [detail(theirs)]
    assert vraaggezinnen(coordinator, "Zuiderveld") == [detail(zuiderveld), detail(ours.vraaggezin)]
    for tekst in ("Zuiderveld", f"nr. {zuiderveld.pk}", f"nr. {ours.pk}", "7522 KL", "Sanne"):
        resultaat = doorzoeken(door=outsider, tekst=tekst)
        urls = [t.url for g in resultaat.groepen for t in g.treffers]
        assert detail(zuiderveld) not in urls
        assert reverse("matching:detail", args=[ours.pk]) not in urls
        assert not any(u.startswith(detail(zuiderveld)) for u in urls)
    # And the page shows none of it either.
    client.force_login(outsider)
    response = client.get(ZOEKEN, {"q": "Zuiderveld"})
    assert response.status_code == 200
    assert f"/vraaggezinnen/{zuiderveld.pk}/" not in response.text
    assert f"/vraaggezinnen/{theirs.pk}/" in response.text


def test_a_volunteer_coordinator_finds_only_her_own_koppelingen(
    client, vrijwilliger, organisatie, zuiderveld
):
    mine = KoppelingFactory(
        organisatie=organisatie, vrijwilliger=vrijwilliger, vraaggezin=zuiderveld
    )
    # Same name, not assigned to her; and one that needs a professional.
    KoppelingFactory(organisatie=organisatie, vraaggezin__naam="Zuiderveld")
    KoppelingFactory(
        organisatie=organisatie, vraaggezin__naam="Zuiderveld", professional_nodig=True
    )
    for tekst in ("Zuiderveld", "7522kl", "0612345678", "Sanne", f"nr. {mine.pk}"):
        resultaat = doorzoeken(door=vrijwilliger, tekst=tekst)
        # No family pages for her: her koppelingen, found by their families.
        assert [g.titel for g in resultaat.groepen] == ["Koppelingen"]
        assert [t.url for t in resultaat.groepen[0].treffers] == [
            reverse("matching:detail", args=[mine.pk])
        ], tekst
    client.force_login(vrijwilliger)
    response = client.get(ZOEKEN, {"q": "Zuiderveld"})
    # Names and the koppeling's state; no address, phone or hulpvraag.
    for sensitive in ("06 12345678", "7522 KL", zuiderveld.hulpvraag, "/vraaggezinnen/"):
        assert sensitive not in response.text


def test_the_search_is_not_for_someone_without_a_role(client, beheerder, zuiderveld):
    client.force_login(beheerder)
    assert client.get(ZOEKEN, {"q": "Zuiderveld"}).status_code == 404
    assert 'role="search"' not in client.get(reverse("home")).text


def test_an_anonymised_family_is_not_found_by_what_it_was(coordinator, organisatie):
    gezin = VraaggezinFactory(
        organisatie=organisatie,
        naam="Zuiderveld",
        postcode="7522 KL",
        telefoon="06 12345678",
        email="zuid@voorbeeld.nl",
        status="afgesloten",
    )
    gezin_anonimiseren(door=coordinator, gezin=gezin, wijze="verzoek", reden="verzoek_gezin")
    for tekst in ("Zuiderveld", "7522 KL", "0612345678", "zuid@voorbeeld.nl", "Lid0"):
        resultaat = doorzoeken(door=coordinator, tekst=tekst)
        assert resultaat.aantal == 0, tekst
    # Its number is what is left of it.
    (treffer,) = groep(
        doorzoeken(door=coordinator, tekst=f"nr. {gezin.pk}"), "Vraaggezinnen"
    ).treffers
    assert treffer.label == f"Geanonimiseerd gezin nr. {gezin.pk}"


# The audit log ---------------------------------------------------------------


def test_it_logs_each_search_by_the_records_shown_not_the_term(
    client, coordinator, organisatie, zuiderveld
):
    koppeling = KoppelingFactory(organisatie=organisatie, vraaggezin=zuiderveld)
    lid = GezinslidFactory(gezin=zuiderveld, voornaam="Tim", achternaam="Zuiderveld")
    client.force_login(coordinator)
    client.get(ZOEKEN, {"q": "Zuiderveld"})
    entry = AuditEntry.objects.get(user=coordinator, detail__startswith="zoeken")
    assert entry.action == AuditEntry.Action.VIEW
    assert entry.detail == (
        f"zoeken: vraaggezin nr. {zuiderveld.pk}; gezinslid nr. {lid.pk}; "
        f"koppeling nr. {koppeling.pk}"
    )
    assert "uiderveld" not in entry.detail + entry.object_repr
    families = set(AuditGezin.objects.filter(entry=entry).values_list("gezin_id", flat=True))
    assert families == {zuiderveld.pk, koppeling.steungezin_id}


def test_a_search_that_finds_nothing_is_logged_and_a_refused_one_not(client, coordinator):
    client.force_login(coordinator)
    client.get(ZOEKEN, {"q": "Niemand"})
    client.get(ZOEKEN, {"q": "N"})
    client.get(ZOEKEN)
    entries = AuditEntry.objects.filter(user=coordinator, action=AuditEntry.Action.VIEW)
    assert list(entries.values_list("detail", flat=True)) == ["zoeken: geen"]


# Bounded groups ----------------------------------------------------------------


def test_each_group_shows_its_first_few_and_counts_the_rest(client, coordinator, organisatie):
    for index in range(TONEN + 3):
        VraaggezinFactory(organisatie=organisatie, naam=f"Bakker {index}", status="afgesloten")
    SteungezinFactory(organisatie=organisatie, naam="Bakkers")
    VraaggezinFactory(organisatie=organisatie, naam="Smit")
    # Counted apart from the search: families whose name has it, and members
    # (the factory names them after their family).
    vraag = Vraaggezin.objects.filter(organisatie=organisatie, naam__contains="Bakker").count()
    leden = Gezinslid.objects.filter(achternaam__contains="Bakker").count()
    assert (vraag, leden) == (TONEN + 3, 2 * (TONEN + 3) + 2)

    resultaat = doorzoeken(door=coordinator, tekst="bakker")
    vraaggroep = groep(resultaat, "Vraaggezinnen")
    assert (vraaggroep.aantal, len(vraaggroep.treffers), vraaggroep.meer) == (vraag, TONEN, 3)
    assert groep(resultaat, "Steungezinnen").aantal == 1
    assert groep(resultaat, "Steungezinnen").meer == 0
    ledengroep = groep(resultaat, "Gezinsleden")
    assert (ledengroep.aantal, len(ledengroep.treffers)) == (leden, TONEN)
    assert resultaat.aantal == vraag + 1 + leden

    # The full list, with the same term, holds them all (the closed ones too).
    client.force_login(coordinator)
    response = client.get(ZOEKEN, {"q": "bakker"})
    assert f"Alle {vraag} vraaggezinnen in de lijst" in response.text
    full = client.get(vraaggroep.lijst_url)
    assert full.context["page"].paginator.count == vraag


# Bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tekst", "melding"),
    [
        ("", "Vul in wat u zoekt"),
        ("   ", "Vul in wat u zoekt"),
        ("a", "Typ minstens 2 tekens"),
        ("%", "Typ minstens 2 tekens"),
        ("\x00", "Vul in wat u zoekt"),  # the NUL is dropped (NulBytesMiddleware)
        ("x" * 10_000, "u typte er 10000"),
    ],
)
def test_bad_input_gets_a_dutch_message_and_stays_in_the_box(client, coordinator, tekst, melding):
    client.force_login(coordinator)
    response = client.get(ZOEKEN, {"q": tekst})
    assert response.status_code == 200
    assert melding in response.text
    assert response.context["resultaat"] is None
    assert f'value="{html.escape(tekst.replace(chr(0), ""))}"' in response.text


@pytest.mark.parametrize(
    "tekst",
    ["%%", "__", "50%_", "' OR 1=1 --", "Jan\x00sen", "Ærø 😀", "Straße", "\\\\", "[a-z]*", "²²"],
)
def test_odd_input_is_searched_for_as_it_is(client, coordinator, organisatie, tekst):
    VraaggezinFactory(organisatie=organisatie, naam="Jansen")
    client.force_login(coordinator)
    response = client.get(ZOEKEN, {"q": tekst})
    assert response.status_code == 200
    resultaat = response.context["resultaat"]
    typed = tekst.replace("\x00", "")
    assert resultaat.tekst == typed
    assert f'value="{html.escape(typed)}"' in response.text
    # Only the NUL-split "Jansen" names a family.
    assert resultaat.aantal == (3 if typed == "Jansen" else 0)


def test_the_empty_page_explains_the_box(client, vrijwilliger):
    client.force_login(vrijwilliger)
    response = client.get(ZOEKEN)
    assert response.status_code == 200
    assert "Typ in het zoekvak bovenaan" in response.text


def test_every_page_of_the_team_has_the_search_box(client, coordinator, vrijwilliger):
    for person in (coordinator, vrijwilliger):
        client.force_login(person)
        text = client.get(reverse("home")).text
        assert f'action="{ZOEKEN}" role="search"' in text
        assert '<label class="visually-hidden" for="zoeken-q">Zoeken</label>' in text
        assert 'type="search" name="q" id="zoeken-q" value=""' in text


# Queries ----------------------------------------------------------------------------

# Session and user (that no code is needed is known from the login); two per
# group (the first few, and the count); the audit entry and its families.
QUERIES = 2 + 2 * 4 + 2


def test_the_queries_stay_the_same_however_much_is_found(
    client, coordinator, organisatie, django_assert_num_queries
):
    client.force_login(coordinator)

    def more() -> None:
        for _ in range(TONEN):
            KoppelingFactory(
                organisatie=organisatie, vraaggezin__naam="Mulder", steungezin__naam="Mulders"
            )

    more()
    with django_assert_num_queries(QUERIES):
        assert client.get(ZOEKEN, {"q": "mulder"}).context["resultaat"].aantal == 7 * TONEN
    more()
    with django_assert_num_queries(QUERIES):
        assert client.get(ZOEKEN, {"q": "mulder"}).context["resultaat"].aantal == 14 * TONEN


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL only")
def test_on_postgresql_each_searched_column_has_its_trigram_index(coordinator, organisatie):
    """The indexes match the SQL Django writes for the search, so the
    planner can take them (here made to, the tables being tiny)."""
    queryset = Vraaggezin.objects.visible_to(coordinator).search("zuiderveld")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    for index in (
        "gezin_naam_trgm",
        "gezin_postcode_trgm",
        "gezin_telefoon_trgm",
        "gezin_email_trgm",
        "gezinslid_voornaam_trgm",
        "gezinslid_achternaam_trgm",
    ):
        assert index in plan
    assert "Seq Scan" not in plan
