"""An attacker's, a careless coordinator's and a second coordinator's import
files and clicks: a file that is no honest spreadsheet is refused as a whole
with a message in Dutch, quickly and without a server error."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from gezinnen.models import today
from importeren import lezen, services
from importeren.kolommen import TABELLEN
from importeren.models import Import
from tests.importbestand import maak

KOPPEN = ["Gezin", "Voornaam", "Achternaam", "Soort", "Geboortedatum"]
LID = ["V1", "Anna", "Jansen", "kind", "01-01-2020"]
NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _tekstcel(kolom: int, rij: int, tekst: str) -> bytes:
    ref = f"{get_column_letter(kolom)}{rij}".encode()
    return b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, tekst.encode())


def _rij(nummer: int, waarden: list[str]) -> bytes:
    cellen = b"".join(_tekstcel(i, nummer, w) for i, w in enumerate(waarden, start=1))
    return b'<row r="%d">%s</row>' % (nummer, cellen)


def xlsx(blad: bytes | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A workbook of one sheet Gezinsleden, its sheet XML replaced by ``blad``
    (written by hand, as an attacker would), with ``extra`` members."""
    boek = Workbook()
    boek.active.title = "Gezinsleden"
    boek.active.append(KOPPEN)
    boek.active.append(LID)
    buffer = io.BytesIO()
    boek.save(buffer)
    bron = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    uit = io.BytesIO()
    with zipfile.ZipFile(uit, "w", zipfile.ZIP_DEFLATED) as archief:
        for info in bron.infolist():
            inhoud = bron.read(info.filename)
            if blad is not None and info.filename == "xl/worksheets/sheet1.xml":
                inhoud = blad
            archief.writestr(info.filename, inhoud)
        for naam, inhoud in (extra or {}).items():
            archief.writestr(naam, inhoud)
    return uit.getvalue()


def blad(rijen: bytes, dimensie: str = "") -> bytes:
    kop = b'<dimension ref="%s"/>' % dimensie.encode() if dimensie else b""
    return NS + kop + b"<sheetData>" + _rij(1, KOPPEN) + rijen + b"</sheetData></worksheet>"


def lezen_xlsx(inhoud: bytes) -> dict:
    return lezen.bestanden_lezen([("programma.xlsx", inhoud)])


def test_an_honest_sheet_written_by_hand_is_read():
    assert lezen_xlsx(xlsx(blad(_rij(2, LID))))["Gezinsleden"][0]["voornaam"] == "Anna"


@pytest.mark.parametrize(
    "rijen",
    [
        b'<row r="2"><c r="A2"',  # the XML breaks off
        b'<row r="2"><c r="A2" t="n"><v>abc</v></c></row></sheetData></worksheet>',  # no number
        b'<row r="2"><c r="A2" t="d"><v>gisteren</v></c></row></sheetData></worksheet>',  # no date
    ],
)
def test_a_sheet_that_is_no_valid_spreadsheet_is_refused_not_a_server_error(rijen):
    inhoud = xlsx(NS + b"<sheetData>" + _rij(1, KOPPEN) + rijen)
    with pytest.raises(ValidationError, match="kan niet worden gelezen als Excel-bestand"):
        lezen_xlsx(inhoud)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    # 200 MB of nothing packs into a few hundred kilobytes.
    inhoud = xlsx(extra={"xl/media/leeg.bin": b"\0" * (200 * 1024 * 1024)})
    assert len(inhoud) < lezen.MAX_BESTAND
    with pytest.raises(ValidationError, match="uitgepakt groter dan"):
        lezen_xlsx(inhoud)


@pytest.mark.parametrize(
    ("rijen", "dimensie"),
    [
        # A sheet that claims a million rows of 16,384 columns: a few kilobytes.
        (_rij(2, LID) + _rij(1048576, ["x"]), "A1:XFD1048576"),
        # A million rows that are empty but formatted.
        (_rij(2, LID) + b'<row r="1048576"><c r="A1048576" s="0"/></row>', ""),
    ],
)
def test_a_sheet_of_a_million_empty_rows_is_refused_without_reading_them_all(rijen, dimensie):
    with pytest.raises(ValidationError, match="lege regels meegeteld"):
        lezen_xlsx(xlsx(blad(rijen, dimensie)))


def test_a_cell_far_to_the_right_in_every_row_is_not_read():
    verre = b"".join(
        b'<row r="%d">%s%s</row>'
        % (n, b"".join(_tekstcel(i, n, w) for i, w in enumerate(LID, 1)), _tekstcel(16384, n, "x"))
        for n in range(2, 1002)
    )
    rijen = lezen_xlsx(xlsx(blad(verre)))["Gezinsleden"]
    assert len(rijen) == 1000
    assert set(rijen[0]) == {"rij", *("gezin", "voornaam", "achternaam", "soort", "geboortedatum")}


def test_a_huge_cell_is_refused_with_its_place():
    reus = _rij(2, ["V1", "A" * (lezen.MAX_CEL + 1), "Jansen", "kind", "01-01-2020"])
    with pytest.raises(ValidationError, match=r"rij 2, kolom Voornaam: meer dan 10\.000 tekens"):
        lezen_xlsx(xlsx(blad(reus)))


def test_two_sheets_of_one_table_are_refused_unless_one_is_empty():
    boek = Workbook()
    boek.active.title = "Gezinsleden"
    eigen = boek.create_sheet("Mijn leden ")
    for sheet in (boek.active, eigen):
        sheet.append(KOPPEN)
    eigen.append(LID)
    buffer = io.BytesIO()
    boek.save(buffer)
    # The template's empty sheet beside one's own: the rows are read.
    assert len(lezen_xlsx(buffer.getvalue())["Gezinsleden"]) == 1
    boek.active.append(["V2", "Bo", "Bakker", "kind", "01-01-2021"])
    buffer = io.BytesIO()
    boek.save(buffer)
    # Rows in both: which one is meant? Not the last one silently.
    with pytest.raises(ValidationError, match="Gezinsleden staat twee keer"):
        lezen_xlsx(buffer.getvalue())


def csv_lezen(inhoud: bytes) -> dict:
    return lezen.bestanden_lezen([("leden.csv", inhoud)])


def test_a_csv_with_a_huge_heading_is_refused_not_a_server_error():
    inhoud = ";".join([*KOPPEN, "x" * 200_000]).encode() + b"\n" + ";".join(LID).encode()
    with pytest.raises(ValidationError, match="kan niet worden gelezen"):
        csv_lezen(inhoud)


@pytest.mark.parametrize(
    ("codering", "regeleinde", "scheiding"),
    [
        ("utf-8", "\r", ";"),  # Excel for Mac, "CSV (Macintosh)"
        ("utf-16", "\r\n", "\t"),  # Excel's "Unicode-tekst"
    ],
)
def test_csv_as_spreadsheets_also_write_it_is_read(codering, regeleinde, scheiding):
    tekst = regeleinde.join(scheiding.join(r) for r in (KOPPEN, LID)) + regeleinde
    (rij,) = csv_lezen(tekst.encode(codering))["Gezinsleden"]
    assert (rij["voornaam"], rij["geboortedatum"]) == ("Anna", "01-01-2020")


# The pages, for each role -------------------------------------------------------------


@pytest.fixture
def voorbeeld(coordinator, wijken):
    import_ = services.import_aanmaken(
        door=coordinator,
        bestanden=["programma.xlsx"],
        rijen=lezen.bestanden_lezen([("programma.xlsx", maak(today(), vraag=2, steun=1).inhoud)]),
    )
    return services.import_controleren(import_=import_)


def _urls(import_) -> list[str]:
    return [reverse("importeren:start"), reverse("importeren:sjabloon")] + [
        reverse(naam, args=[import_.pk])
        for naam in ("importeren:detail", "importeren:invoeren", "importeren:ongedaan-maken")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("wie", ["vrijwilliger", "beheerder", "outsider"])
def test_nobody_but_the_organisations_coordinators_finds_an_import_page(
    client, voorbeeld, wie, request
):
    client.force_login(request.getfixturevalue(wie))
    for url in _urls(voorbeeld):
        if wie == "outsider" and url in _urls(voorbeeld)[:2]:
            continue  # a coordinator elsewhere imports for their own organisation
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"alleen_geldige": "1"}).status_code == 404, url
    assert Import.objects.get(pk=voorbeeld.pk).status == Import.Status.VOORBEELD


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login(client, voorbeeld):
    for url in _urls(voorbeeld):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("accounts:login")), url


@pytest.mark.django_db
@pytest.mark.parametrize("waarde", ["garbage", "0", "", "1" * 5000, "nee"])
def test_a_tampered_choice_is_never_a_server_error(client, coordinator, voorbeeld, waarde):
    client.force_login(coordinator)
    response = client.post(
        reverse("importeren:invoeren", args=[voorbeeld.pk]), {"alleen_geldige": waarde}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_more_files_than_tables_are_refused_before_they_are_read(client, coordinator):
    client.force_login(coordinator)
    regel = ";".join(KOPPEN).encode() + b"\n" + ";".join(LID).encode()
    bestanden = [SimpleUploadedFile(f"leden{i}.csv", regel) for i in range(len(TABELLEN) + 1)]
    response = client.post(reverse("importeren:start"), {"bestanden": bestanden})
    assert response.status_code == 400
    assert "Kies ten hoogste 4 bestanden" in response.text
    assert Import.objects.count() == 0


@pytest.mark.django_db
def test_the_preview_shows_what_the_cells_say_escaped(
    client, coordinator, wijken, django_capture_on_commit_callbacks
):
    bestand = maak(today(), vraag=1, steun=1, fouten=False)
    boek = load_workbook(io.BytesIO(bestand.inhoud))
    boek["Vraaggezinnen"]["B2"] = '<script>alert("x")</script>'
    boek["Gezinsleden"]["B2"] = "<img src=x onerror=alert(1)>"
    buffer = io.BytesIO()
    boek.save(buffer)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("importeren:start"),
            {"bestanden": SimpleUploadedFile('<b>"x".xlsx', buffer.getvalue())},
        )
    page = client.get(response.url).text
    for rauw in ("<script>alert", "<img src=x", '<b>"x"'):
        assert rauw not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.django_db
def test_an_undo_leaves_nothing_of_the_families_behind(coordinator, wijken):
    from django.apps import apps

    from gezinnen.models import Gezin

    import_ = services.import_aanmaken(
        door=coordinator,
        bestanden=["p.xlsx"],
        rijen=lezen.bestanden_lezen(
            [("p.xlsx", maak(today(), vraag=3, steun=2, koppelingen=1, fouten=False).inhoud)]
        ),
    )
    services.import_goedkeuren(
        door=coordinator, import_=services.import_controleren(import_=import_), alleen_geldige=False
    )
    import_ = services.import_invoeren(import_=import_)
    services.import_ongedaan_maken(door=coordinator, import_=import_)
    with pytest.raises(services.TransitionError, match="ongedaan gemaakt"):
        services.import_ongedaan_maken(door=coordinator, import_=import_)
    # Every table but the append-only audit log, empty of them.
    over = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("gezinnen", "screening", "matching")
        and model._meta.model_name not in ("wijk", "inzending", "organisatie")
        and model.objects.exists()
    }
    assert over == {}
    assert not Gezin.objects.exists()
