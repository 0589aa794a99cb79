"""Issue 17.5: an existing programme's spreadsheet comes in through the same
forms and services as the pages; a preview first, nothing stored until the
file is valid or the valid rows are chosen, undone as a whole within a day."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts.models import AuditEntry, AuditGezin
from gezinnen.models import Gezinslid, Steungezin, Vraaggezin, today
from importeren import lezen, services, tasks
from importeren.kolommen import TABELLEN
from importeren.models import Import
from matching.models import Bericht, Koppeling
from screening.models import VOG, ScreeningGesprek, Training
from tests import importbestand
from tests.factories import VraaggezinFactory

pytestmark = pytest.mark.django_db


def upload(door, bestand: bytes | importbestand.Bestand, naam="programma.xlsx") -> Import:
    inhoud = bestand.inhoud if isinstance(bestand, importbestand.Bestand) else bestand
    rijen = lezen.bestanden_lezen([(naam, inhoud)])
    return services.import_aanmaken(door=door, bestanden=[naam], rijen=rijen)


def gecontroleerd(door, bestand, **kwargs) -> Import:
    return services.import_controleren(import_=upload(door, bestand, **kwargs))


def ingevoerd(door, import_: Import, alleen_geldige: bool = False) -> Import:
    services.import_goedkeuren(door=door, import_=import_, alleen_geldige=alleen_geldige)
    return services.import_invoeren(import_=import_)


def rijen_met_fouten(import_: Import) -> dict[str, dict[int, list[str]]]:
    return {
        tabel["naam"]: {rij["rij"]: rij["fouten"] for rij in tabel["rijen"] if rij["fouten"]}
        for tabel in import_.verslag["tabellen"]
    }


def csv_bestand(koppen: list[str], rijen: list[list], scheiding=";", codering="utf-8") -> bytes:
    buffer = io.StringIO()
    schrijver = csv.writer(buffer, delimiter=scheiding)
    schrijver.writerow(koppen)
    schrijver.writerows(rijen)
    return buffer.getvalue().encode(codering)


# A realistic file ---------------------------------------------------------------


def test_it_previews_and_imports_a_programme_of_hundreds_of_families(
    coordinator, organisatie, wijken
):
    bestaand = VraaggezinFactory(organisatie=organisatie, postcode="7552 KL", huisnummer="3")
    dag = today()
    bestand = importbestand.maak(
        dag, vraag=200, steun=100, koppelingen=60, bestaand=("7552 KL", "3")
    )
    audit_voor = AuditEntry.objects.count()

    import_ = gecontroleerd(coordinator, bestand)

    # The preview: every deliberate error found at its row, nothing else.
    fouten = rijen_met_fouten(import_)
    for tabel, verwacht in bestand.fout.items():
        assert set(fouten.get(tabel, {})) == set(verwacht), tabel
    teksten = {
        soort: " ".join(fouten["Vraaggezinnen"][rij])
        for rij, soort in bestand.fout["Vraaggezinnen"].items()
    }
    assert "onbekende wijk 'Atlantis'" in teksten["wijk"]
    assert "Vul een Nederlandse postcode in" in teksten["postcode"]
    assert "kan niet in de toekomst liggen" in teksten["toekomst"]
    assert f"gezin nr. {bestaand.pk} dat al in de app staat" in teksten["dubbel"]
    assert "ten minste één kind" in teksten["kind"]
    (goedkeuring,) = [
        fouten["Steungezinnen"][rij]
        for rij, soort in bestand.fout["Steungezinnen"].items()
        if soort == "goedgekeurd"
    ]
    assert "nog geen VOG aangevraagd" in " ".join(goedkeuring)  # the approval rule's own words
    # Nothing is stored by the preview, not even an audit entry of what it tried.
    assert Vraaggezin.objects.count() == 1
    assert Steungezin.objects.count() == Koppeling.objects.count() == Training.objects.count() == 0
    assert AuditEntry.objects.count() == audit_voor + 1  # the upload itself
    # As it will be stored: the postcode written the Dutch way, the wijk derived.
    eerste = import_.verslag["tabellen"][0]["rijen"][0]
    assert dict(eerste["waarden"])["Status"] == "wachtend"

    # All or nothing refuses a file with errors.
    with pytest.raises(ValidationError, match="rijen met fouten"):
        services.import_goedkeuren(door=coordinator, import_=import_, alleen_geldige=False)
    assert Import.objects.get(pk=import_.pk).status == Import.Status.VOORBEELD

    import_ = ingevoerd(coordinator, import_, alleen_geldige=True)

    assert import_.status == Import.Status.INGEVOERD
    assert Vraaggezin.objects.count() == bestand.vraag + 1
    assert Steungezin.objects.count() == bestand.steun
    nieuw = Vraaggezin.objects.exclude(pk=bestaand.pk)
    assert Gezinslid.objects.exclude(gezin=bestaand).count() == bestand.leden
    assert Koppeling.objects.filter(status="actief").count() == bestand.koppelingen
    # Through the services: screened and approved, waiting, matched.
    assert set(Steungezin.objects.values_list("status", flat=True)) <= {"beschikbaar", "gekoppeld"}
    assert nieuw.filter(status="gekoppeld").count() == bestand.koppelingen
    assert (
        VOG.objects.filter(status="ontvangen").count()
        == Gezinslid.objects.filter(gezin__steungezin__isnull=False).count()
    )
    assert ScreeningGesprek.objects.filter(soort="huisbezoek").count() == bestand.steun
    assert not Koppeling.objects.filter(start_op__gt=dag).exists()
    # A match that ran before the app is no news for the referrer.
    assert Bericht.objects.count() == 0
    assert mail.outbox == []
    # Audited: every family by the services, and the import as a whole.
    (entry,) = AuditEntry.objects.filter(object_type="importeren.import", action="create").exclude(
        detail__startswith="geüpload"
    )
    assert f"{bestand.vraag + bestand.steun} gezinnen, {bestand.koppelingen} koppelingen" in (
        entry.detail
    )
    assert AuditGezin.objects.filter(entry=entry).count() == bestand.vraag + bestand.steun
    eerste_gezin = nieuw.order_by("pk").first()
    assert AuditEntry.objects.filter(
        object_id=str(eerste_gezin.pk), action="create", user=coordinator
    ).exists()

    # Undone as a whole: the families, their members, screening and matches go.
    services.import_ongedaan_maken(door=coordinator, import_=import_)
    assert list(Vraaggezin.objects.all()) == [bestaand]
    assert Steungezin.objects.count() == Koppeling.objects.count() == Training.objects.count() == 0
    assert Gezinslid.objects.exclude(gezin=bestaand).count() == 0
    assert Import.objects.get(pk=import_.pk).status == Import.Status.ONGEDAAN
    assert AuditEntry.objects.filter(object_type="importeren.import", action="delete").count() == 1


def test_a_valid_file_is_imported_as_a_whole(coordinator, organisatie, wijken):
    bestand = importbestand.maak(today(), vraag=12, steun=6, koppelingen=4, fouten=False)
    import_ = gecontroleerd(coordinator, bestand)
    assert rijen_met_fouten(import_) == {t: {} for t in ("Vraaggezinnen", "Steungezinnen")} | {
        "Koppelingen": {}
    } or not any(rijen_met_fouten(import_).values())
    import_ = ingevoerd(coordinator, import_)
    assert Vraaggezin.objects.count() == 12
    assert Steungezin.objects.count() == 6
    assert Koppeling.objects.filter(status="actief").count() == 4
    # The wijk derived from the postcode, as the form does it.
    assert set(Vraaggezin.objects.values_list("wijk__naam", flat=True)) == {"Centrum", "Noord"}


def test_a_family_registered_after_the_preview_stops_an_all_or_nothing_import(
    coordinator, organisatie, wijken
):
    bestand = importbestand.maak(today(), vraag=4, steun=2, koppelingen=1, fouten=False)
    import_ = gecontroleerd(coordinator, bestand)
    assert import_.fouten() == 0
    services.import_goedkeuren(door=coordinator, import_=import_, alleen_geldige=False)
    # Meanwhile somebody registers the first family of the file by hand.
    eerste = import_.rijen["Vraaggezinnen"][0]
    VraaggezinFactory(
        organisatie=organisatie, postcode=eerste["postcode"], huisnummer=eerste["huisnummer"]
    )

    import_ = services.import_invoeren(import_=import_)

    assert import_.status == Import.Status.VOORBEELD  # back to the preview, with the error
    assert "Dubbel" in " ".join(rijen_met_fouten(import_)["Vraaggezinnen"][eerste["rij"]])
    assert Vraaggezin.objects.count() == 1
    assert Steungezin.objects.count() == 0


def test_the_choice_is_made_once(coordinator, organisatie, wijken):
    import_ = gecontroleerd(
        coordinator, importbestand.maak(today(), vraag=3, steun=1, fouten=False)
    )
    services.import_goedkeuren(door=coordinator, import_=import_, alleen_geldige=False)
    with pytest.raises(services.TransitionError, match="wordt ingevoerd"):
        services.import_goedkeuren(door=coordinator, import_=import_, alleen_geldige=False)
    services.import_invoeren(import_=import_)
    with pytest.raises(services.TransitionError):
        services.import_invoeren(import_=import_)  # a task run twice
    assert Vraaggezin.objects.count() == 3


# The rules of the services hold for every row ----------------------------------


def test_the_rules_of_the_services_refuse_rows_with_their_own_words(
    coordinator, organisatie, wijken
):
    # V1, V2, V4 and V5 had their intake, V3 did not; S1 takes two, S2 one.
    bestand = importbestand.maak(today(), vraag=5, steun=2, koppelingen=0, fouten=False)
    boek = load_workbook(io.BytesIO(bestand.inhoud))
    onlangs = today() - datetime.timedelta(days=5)
    for rij in (
        ["V1", "S1", onlangs, "Spelen", "wekelijks"],
        ["V2", "S1", onlangs, "Spelen", "wekelijks"],
        ["V4", "S1", onlangs, "Spelen", "wekelijks"],  # row 4: S1 is full
        ["V3", "S2", onlangs, "Spelen", "wekelijks"],  # row 5: no intake
        ["V5", "S2", datetime.date(2001, 1, 1), "Spelen", "wekelijks"],  # row 6: before referral
        ["V5", "S2", onlangs, "", ""],  # row 7: no agreements
    ):
        boek["Koppelingen"].append(rij)
    buffer = io.BytesIO()
    boek.save(buffer)

    fouten = rijen_met_fouten(gecontroleerd(coordinator, buffer.getvalue()))["Koppelingen"]

    assert set(fouten) == {4, 5, 6, 7}
    assert "geen plek: 2 van 2 koppelingen lopen al" in " ".join(fouten[4])
    assert "voorstellen kan alleen bij een wachtend gezin" in " ".join(fouten[5])
    assert "De start kan niet vóór de aanmelding van het vraaggezin liggen" in " ".join(fouten[6])
    assert "Afspraken: Dit veld is verplicht." in fouten[7]
    assert "Hoe vaak: Dit veld is verplicht." in fouten[7]


def test_a_member_row_of_an_unknown_family_and_odd_cells_are_errors(
    coordinator, organisatie, wijken
):
    vraag = csv_bestand(
        ["Code", "Naam", "Straat", "Huisnummer", "Postcode", "Plaats", "Aangemeld op",
         "Verwijzer", "Verwijzer informeren", "Gewenste steun", "Intake op"],
        [
            ["V1", "Gezin Pater", "Laan", "1", "7551ab", "Hengelo", "31-02-2024", "school",
             "misschien", "zwemles", ""],
            ["V1", "Gezin Dubbel", "Laan", "2", "7551 AC", "Hengelo", "01-02-2024", "school", "",
             "", ""],
            ["V3", "Gezin Later", "Laan", "3", "7551 AD", "Hengelo", "01-02-2024", "school", "",
             "", "01-01-2024"],
        ],
    )  # fmt: skip
    leden = csv_bestand(
        ["Gezin", "Voornaam", "Achternaam", "Soort", "Geboortedatum", "VOG afgegeven op"],
        [
            ["V1", "Piet", "Pater", "ouder", "1980-05-01", ""],
            ["V1", "Kees", "Pater", "kind", "2099-01-01", "01-01-2024"],
            ["V3", "Ria", "Later", "volwassene", "01-01-1985", ""],
            ["V3", "Rik", "Later", "kind", "01-01-2019", ""],
            ["X9", "Nora", "Niemand", "kind", "01-01-2019", ""],
        ],
    )  # fmt: skip
    rijen = lezen.bestanden_lezen([("vraag.csv", vraag), ("leden.csv", leden)])
    import_ = services.import_controleren(
        import_=services.import_aanmaken(door=coordinator, bestanden=["a", "b"], rijen=rijen)
    )
    fouten = rijen_met_fouten(import_)
    eerste = " ".join(fouten["Vraaggezinnen"][2])
    assert "Aangemeld op: Voer een geldige datum in." in eerste  # 31 February
    assert "Verwijzer informeren: vul ja of nee in, niet 'misschien'." in eerste
    assert "'zwemles' is geen soort steun" in eerste
    assert "Gezinslid op rij 3: Geboortedatum: Een geboortedatum kan niet in de toekomst" in eerste
    assert "VOG en training horen alleen bij de leden van een steungezin." in eerste
    assert "Code: V1 staat al eerder in het bestand." in fouten["Vraaggezinnen"][3]
    assert "Intake op: De intake kan niet vóór de aanmelding liggen." in fouten["Vraaggezinnen"][4]
    assert list(fouten["Gezinsleden"]) == [6]
    assert Vraaggezin.objects.count() == 0


# Reading files ----------------------------------------------------------------------


def test_it_reads_csv_files_per_sheet_in_the_encodings_spreadsheets_write(
    coordinator, organisatie, wijken
):
    vraag = csv_bestand(
        [
            "Code",
            "Naam",
            "Straat",
            "Huisnummer",
            "Postcode",
            "Plaats",
            "Aangemeld op",
            "Wijk",
            "Verwijzer",
        ],
        [
            [
                "V1",
                "Gezin Çelik",
                "Brink",
                "4",
                "7551 AB",
                "Hengelo",
                "03-02-2025",
                "noord",
                "Huisarts of POH",
            ]
        ],
        scheiding=",",
        codering="cp1252",
    )
    leden = csv_bestand(
        ["Gezin", "Voornaam", "Achternaam", "Soort", "Geboortedatum"],
        [["V1", "Ayşe", "Çelik", "volwassene", "01-01-1990"],
         ["V1", "Can", "Çelik", "kind", "1-3-2020"]],
        codering="utf-8-sig",
    )  # fmt: skip
    rijen = lezen.bestanden_lezen([("vraag.csv", vraag), ("leden.csv", leden)])
    assert set(rijen) == {"Vraaggezinnen", "Gezinsleden"}
    import_ = ingevoerd(
        coordinator,
        services.import_controleren(
            import_=services.import_aanmaken(door=coordinator, bestanden=["x"], rijen=rijen)
        ),
    )
    assert import_.status == Import.Status.INGEVOERD
    gezin = Vraaggezin.objects.get()
    assert (gezin.naam, gezin.wijk.naam, gezin.aangemeld_op) == (
        "Gezin Çelik",
        "Noord",  # the file's wijk, whatever its case, over the postcode's
        datetime.date(2025, 2, 3),
    )
    assert gezin.status == "aangemeld"  # no intake in the file
    assert sorted(gezin.leden.values_list("voornaam", flat=True)) == ["Ayşe", "Can"]


@pytest.mark.parametrize(
    ("inhoud", "melding"),
    [
        (b"", "is leeg"),
        (b"PK\x03\x04kapot", "kan niet worden gelezen als Excel-bestand"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "geen"),
        (b"Naam;Adres\nJansen;Laan 1\n", "de koppen zijn niet die van het sjabloon"),
        (b"Code;Naam;Straat\nV1;Gezin A;Laan\n", "de kolommen Huisnummer, .* ontbreken"),
        (
            b"Gezin;Voornaam;Achternaam;Soort\nV1;A;B;kind\n",
            r"\(Gezinsleden\): de kolom Geboortedatum ontbreekt",
        ),
        (b"Gezin;Voornaam;Achternaam;Soort;Geboortedatum\n", "geen rijen"),
    ],
)
def test_a_file_that_is_not_the_template_is_refused_as_a_whole(inhoud, melding):
    with pytest.raises(ValidationError, match=melding):
        lezen.bestanden_lezen([("bestand.csv", inhoud)])


def test_the_template_explains_every_column_and_comes_back_in(client, coordinator, wijken):
    client.force_login(coordinator)
    response = client.get(reverse("importeren:sjabloon"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    boek = load_workbook(io.BytesIO(response.content))
    assert boek.sheetnames == [*(t.naam for t in TABELLEN), "Toelichting"]
    toelichting = " ".join(
        str(c) for rij in boek["Toelichting"].iter_rows(values_only=True) for c in rij if c
    )
    for tabel in TABELLEN:
        koppen = [c.value for c in boek[tabel.naam][1]]
        assert koppen == [k.kop + (" *" if k.verplicht else "") for k in tabel.kolommen]
        for kolom in tabel.kolommen:
            assert kolom.kop in toelichting
            if kolom.uitleg:
                assert kolom.uitleg in toelichting
    # Filled in under its own headings (with their asterisks), it is read.
    koppen = [c.value for c in boek["Vraaggezinnen"][1]]
    waarden = {"Code *": "V1", "Naam *": "Gezin Brink", "Straat *": "Brink", "Huisnummer *": 1,
               "Postcode *": "7551 AB", "Plaats *": "Hengelo", "Aangemeld op *": "02-01-2025",
               "Verwijzer *": "wijkteam"}  # fmt: skip
    boek["Vraaggezinnen"].append([waarden.get(kop, "") for kop in koppen])
    boek["Gezinsleden"].append(["V1", "Els", "Brink", "volwassene", "01-01-1980"])
    boek["Gezinsleden"].append(["V1", "Bo", "Brink", "kind", "01-01-2020"])
    buffer = io.BytesIO()
    boek.save(buffer)
    import_ = ingevoerd(coordinator, gecontroleerd(coordinator, buffer.getvalue()))
    assert Vraaggezin.objects.get().naam == "Gezin Brink"
    assert import_.fouten() == 0


# Undo -----------------------------------------------------------------------------


@pytest.fixture
def klein(coordinator, organisatie, wijken):
    bestand = importbestand.maak(today(), vraag=3, steun=2, koppelingen=1, fouten=False)
    return ingevoerd(coordinator, gecontroleerd(coordinator, bestand))


def test_it_cannot_be_undone_once_somebody_recorded_something(klein, coordinator):
    from gezinnen.services import gezin_wijzigen

    gezin = Vraaggezin.objects.order_by("pk").first()
    gezin_wijzigen(
        door=coordinator, gezin=gezin, versie=gezin.versie, gegevens={"plaats": "Delden"}
    )
    with pytest.raises(services.TransitionError, match="iets vastgelegd of gewijzigd"):
        services.import_ongedaan_maken(door=coordinator, import_=klein)
    assert Vraaggezin.objects.count() == 3


def test_looking_at_the_families_does_not_stop_the_undo(klein, client, coordinator):
    client.force_login(coordinator)
    gezin = Vraaggezin.objects.first()
    assert client.get(reverse("gezinnen:vraaggezin-detail", args=[gezin.pk])).status_code == 200
    services.import_ongedaan_maken(door=coordinator, import_=klein)
    assert Vraaggezin.objects.count() == 0


def test_it_cannot_be_undone_after_a_day(klein, coordinator):
    Import.objects.filter(pk=klein.pk).update(
        ingevoerd_op=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    with pytest.raises(services.TransitionError, match="binnen een dag"):
        services.import_ongedaan_maken(door=coordinator, import_=klein)
    assert Vraaggezin.objects.count() == 3


def test_a_training_the_app_already_had_stays(coordinator, organisatie, wijken):
    bestand = importbestand.maak(today(), vraag=1, steun=2, koppelingen=0, fouten=False)
    blad = load_workbook(io.BytesIO(bestand.inhoud))["Gezinsleden"]
    datum = next(c.value for c in blad["H"][1:] if c.value).date()
    eigen = Training.objects.create(
        organisatie=organisatie, datum=datum, titel="Basis", trainer="Ans", plaats="Hengelo"
    )
    import_ = ingevoerd(coordinator, gecontroleerd(coordinator, bestand))
    assert eigen.deelnames.exists()
    services.import_ongedaan_maken(door=coordinator, import_=import_)
    assert list(Training.objects.all()) == [eigen]
    assert not eigen.deelnames.exists()


# Tasks and housekeeping -------------------------------------------------------------


def test_a_check_that_fails_unexpectedly_says_so_and_stores_nothing(
    coordinator, wijken, monkeypatch
):
    import_ = upload(coordinator, importbestand.maak(today(), vraag=2, steun=1, fouten=False))

    def stuk(*args, **kwargs):
        raise RuntimeError("database weg")

    monkeypatch.setattr(services, "_run", stuk)
    assert tasks.import_controleren.call(import_.pk) == Import.Status.MISLUKT
    import_.refresh_from_db()
    assert import_.status == Import.Status.MISLUKT
    assert f"import nr. {import_.pk}" in import_.fout
    assert Vraaggezin.objects.count() == 0


def test_the_rows_of_a_file_never_imported_are_forgotten_after_a_day(coordinator, wijken):
    oud = upload(coordinator, importbestand.maak(today(), vraag=2, steun=1, fouten=False))
    nieuw = upload(coordinator, importbestand.maak(today(), vraag=2, steun=1, fouten=False))
    Import.objects.filter(pk=oud.pk).update(
        aangemaakt_op=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    assert tasks.imports_vergeten.call() == 1
    oud.refresh_from_db()
    nieuw.refresh_from_db()
    assert (oud.rijen, oud.status) == ({}, Import.Status.MISLUKT)
    assert nieuw.rijen


def test_the_preview_of_an_imported_file_is_forgotten_after_a_day(client, klein, coordinator):
    overgeslagen = klein.fouten()
    Import.objects.filter(pk=klein.pk).update(
        ingevoerd_op=timezone.now() - datetime.timedelta(days=1, minutes=1),
        aangemaakt_op=timezone.now() - datetime.timedelta(days=1, minutes=2),
    )
    assert tasks.imports_vergeten.call() == 1
    klein.refresh_from_db()
    assert klein.verslag == {"overgeslagen": overgeslagen}
    assert klein.status == Import.Status.INGEVOERD
    gezin = Vraaggezin.objects.first()
    client.force_login(coordinator)
    page = client.get(reverse("importeren:detail", args=[klein.pk]))
    assert "na een dag gewist" in page.text
    assert gezin.straat not in page.text  # only the families' names, as links
    assert tasks.imports_vergeten.call() == 0


def test_the_daily_command_enqueues_the_forgetting(capsys):
    from django.core.management import call_command

    call_command("dagelijks")
    assert "imports_vergeten: in de wachtrij" in capsys.readouterr().out


# The pages ----------------------------------------------------------------------------


def test_a_coordinator_uploads_previews_imports_and_undoes(
    client, coordinator, wijken, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    assert client.get(reverse("importeren:start")).status_code == 200
    bestand = importbestand.maak(today(), vraag=6, steun=3, koppelingen=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("importeren:start"),
            {"bestanden": SimpleUploadedFile("programma.xlsx", bestand.inhoud)},
        )
    import_ = Import.objects.get()
    assert response.url == reverse("importeren:detail", args=[import_.pk])
    page = client.get(response.url)
    assert "Voorbeeld: nog niets opgeslagen" in page.text
    assert "onbekende wijk" in page.text
    assert "Alles invoeren" not in page.text  # there are errors
    only = client.get(response.url, {"fouten": "1"})
    assert only.text.count('class="table-danger"') == import_.__class__.objects.get().fouten() - (
        len(import_.verslag.get("meldingen", []))
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("importeren:invoeren", args=[import_.pk]), {"alleen_geldige": "1"})
    import_.refresh_from_db()
    assert import_.status == Import.Status.INGEVOERD
    page = client.get(reverse("importeren:detail", args=[import_.pk]))
    assert "Hele import ongedaan maken" in page.text
    viewed = AuditEntry.objects.filter(action="view", object_type="importeren.import").latest("pk")
    assert viewed.detail.startswith(f"import nr. {import_.pk}: ")

    response = client.post(reverse("importeren:ongedaan-maken", args=[import_.pk]), follow=True)
    assert "De import is ongedaan gemaakt" in response.text
    assert Vraaggezin.objects.count() == 0


def test_a_refused_file_keeps_the_page_and_says_why(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("importeren:start"),
        {"bestanden": SimpleUploadedFile("lijst.csv", b"Naam;Adres\nJansen;Laan 1\n")},
    )
    assert response.status_code == 400
    assert "de koppen zijn niet die van het sjabloon" in response.text
    assert Import.objects.count() == 0
    empty = client.post(reverse("importeren:start"), {})
    assert "Kies het ingevulde sjabloon" in empty.text


def test_a_double_click_on_upload_makes_one_import(
    client, coordinator, wijken, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    inhoud = importbestand.maak(today(), vraag=2, steun=1, fouten=False).inhoud
    token = "dubbelklik-token"
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("importeren:start"),
                {"bestanden": SimpleUploadedFile("p.xlsx", inhoud), "inzending": token},
            )
    assert Import.objects.count() == 1


def test_a_choice_refused_by_the_service_is_shown(client, coordinator, wijken):
    client.force_login(coordinator)
    import_ = gecontroleerd(coordinator, importbestand.maak(today(), vraag=3, steun=1))
    response = client.post(reverse("importeren:invoeren", args=[import_.pk]), follow=True)
    assert "rijen met fouten in het bestand" in response.text
    assert Vraaggezin.objects.count() == 0


def test_another_organisation_finds_no_import_of_ours(client, coordinator, outsider, wijken):
    import_ = gecontroleerd(coordinator, importbestand.maak(today(), vraag=2, steun=1))
    client.force_login(outsider)
    for name in ("importeren:detail",):
        assert client.get(reverse(name, args=[import_.pk])).status_code == 404
    for name in ("importeren:invoeren", "importeren:ongedaan-maken"):
        assert client.post(reverse(name, args=[import_.pk])).status_code == 404
    assert f"Import nr. {import_.pk}" not in client.get(reverse("importeren:start")).text
    with pytest.raises(services.TransitionError):
        services.import_goedkeuren(door=outsider, import_=import_, alleen_geldige=True)
    assert Import.objects.get(pk=import_.pk).status == Import.Status.VOORBEELD


def test_the_preview_page_takes_the_same_queries_for_a_bigger_file(
    client, coordinator, wijken, django_assert_num_queries
):
    client.force_login(coordinator)
    klein = gecontroleerd(coordinator, importbestand.maak(today(), vraag=2, steun=1))
    groot = gecontroleerd(coordinator, importbestand.maak(today(), vraag=30, steun=10))
    for import_ in (klein, groot):
        with django_assert_num_queries(4):
            client.get(reverse("importeren:detail", args=[import_.pk]))


def test_an_excel_without_any_of_the_sheets_is_refused():
    boek = Workbook()
    boek.active.append(["Iets", "Anders"])
    buffer = io.BytesIO()
    boek.save(buffer)
    with pytest.raises(ValidationError, match="geen rijen"):
        lezen.bestanden_lezen([("eigen.xlsx", buffer.getvalue())])


def test_a_csv_of_steungezinnen_with_only_the_shared_headings_is_taken_for_steungezinnen():
    koppen = "Code;Naam;Straat;Huisnummer;Postcode;Plaats;Aangemeld op\n"
    rijen = lezen.bestanden_lezen(
        [("steun.csv", (koppen + "S1;Familie A;Laan;1;7551 AB;Hengelo;01-01-2025\n").encode())]
    )
    assert list(rijen) == ["Steungezinnen"]
