"""No export carries a formula (OWASP "CSV injection"); figures and dates in
an XLSX are numbers and dates a spreadsheet can work with."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from matching.models import EindReden
from reports.exports import cell_value, csv_response, xlsx_response
from tests.factories import KoppelingFactory, VraaggezinFactory, WijkFactory
from tests.test_gezinnen_public import signup_data, signup_url

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def read_csv(response) -> list[list[str]]:
    return list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";")
    )


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.content)).active


def no_formulas(sheet) -> bool:
    return all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def column(sheet, name: str) -> list:
    header = [cell.value for cell in sheet[1]]
    index = header.index(name)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


@pytest.mark.parametrize("text", FORMULAS)
def test_it_neutralises_text_that_starts_a_formula(text):
    assert cell_value(text) == f"'{text}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jansen", "Jansen"),
        ("< 5", "< 5"),
        ("0612345678", "0612345678"),  # a telephone number stays text
        ("7551 AB", "7551 AB"),
        ("12", 12),
        ("-3", -3),  # a negative number is a number, no formula
        ("4.5", Decimal("4.5")),
        ("2026-01-31", datetime.date(2026, 1, 31)),
        ("2026-13-01", "2026-13-01"),
        (-2, -2),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_it_keeps_numbers_and_dates_and_plain_text(value, expected):
    assert cell_value(value) == expected


def test_the_xlsx_writer_types_every_cell():
    row = [-2, 1.25, Decimal("3.5"), "-7", datetime.date(2026, 1, 31), "\x01=1+1", "=1+1"]
    sheet = read_xlsx(xlsx_response(["a", "b", "c", "d", "e", "f", "g"], [row], "x", "X"))
    cells = list(sheet[2])
    assert [c.data_type for c in cells] == ["n", "n", "n", "n", "d", "s", "s"]
    assert [c.value for c in cells[:4]] == [-2, 1.25, 3.5, -7]
    assert cells[4].value == datetime.datetime(2026, 1, 31)
    assert cells[4].number_format == "dd-mm-yyyy"
    assert [c.value for c in cells[5:]] == ["'=1+1", "'=1+1"]


def test_the_csv_writer_keeps_numbers_plain():
    response = csv_response(["a", "b", "c"], [[-2, "4.5", "-2+3"]], "x")
    assert read_csv(response)[1] == ["-2", "4.5", "'-2+3"]


def test_a_family_list_exports_formulas_as_text(client, organisatie, coordinator):
    for naam in FORMULAS:
        VraaggezinFactory(
            organisatie=organisatie,
            naam=naam,
            status="wachtend",
            aangemeld_op=datetime.date(2026, 1, 5),
            wacht_sinds=datetime.date(2026, 2, 1),
            leden=[("volwassene", 30), ("kind", 4)],
        )
    client.force_login(coordinator)
    url = "reports:export-vraaggezinnen"

    rows = read_csv(client.get(reverse(url, args=["csv"])))
    assert sorted(row[0] for row in rows[1:]) == sorted(f"'{naam}" for naam in FORMULAS)
    assert {(row[9], row[10]) for row in rows[1:]} == {("1", "1")}

    sheet = read_xlsx(client.get(reverse(url, args=["xlsx"])))
    names = column(sheet, "naam")
    assert {cell.data_type for cell in names} == {"s"}
    assert no_formulas(sheet)
    # A carriage return comes back from the XML as a newline.
    expected = {f"'{naam}".replace("\r", "\n") for naam in FORMULAS}
    assert {cell.value for cell in names} == expected
    for name in ("volwassenen", "kinderen"):
        assert {(c.data_type, c.value) for c in column(sheet, name)} == {("n", 1)}
    for name, day in (("aangemeld op", 5), ("wacht sinds", 1)):
        cells = column(sheet, name)
        assert {c.value.date() for c in cells} == {datetime.date(2026, 1 + (day == 1), day)}
        assert {c.number_format for c in cells} == {"dd-mm-yyyy"}


def test_a_public_sign_up_with_a_formula_exports_as_text(client, organisatie, coordinator):
    cache.clear()  # the public form's limit per IP address
    naam = '=HYPERLINK("http://x","y")'
    response = client.post(signup_url(organisatie), signup_data(naam=naam))
    assert response.status_code == 302
    client.force_login(coordinator)
    url = "reports:export-steungezinnen"

    assert read_csv(client.get(reverse(url, args=["csv"])))[1][0] == f"'{naam}"
    sheet = read_xlsx(client.get(reverse(url, args=["xlsx"])))
    (cell,) = column(sheet, "naam")
    assert (cell.data_type, cell.value) == ("s", f"'{naam}")
    (capaciteit,) = column(sheet, "gezinnen tegelijk")
    assert capaciteit.data_type == "n"


def test_the_koppeling_list_exports_formulas_as_text(client, organisatie, coordinator):
    KoppelingFactory(
        organisatie=organisatie,
        coordinator=coordinator,
        vraaggezin__naam="@SUM(A1)",
        vraaggezin__organisatie=organisatie,
    )
    client.force_login(coordinator)
    url = "reports:export-koppelingen"

    assert read_csv(client.get(reverse(url, args=["csv"])))[1][0] == "'@SUM(A1)"
    sheet = read_xlsx(client.get(reverse(url, args=["xlsx"])))
    (cell,) = column(sheet, "vraaggezin")
    assert (cell.data_type, cell.value) == ("s", "'@SUM(A1)")
    (voorgesteld,) = column(sheet, "voorgesteld")
    assert voorgesteld.is_date


def test_the_municipality_report_has_numbers_and_no_formulas(client, organisatie, coordinator):
    wijk = WijkFactory(organisatie=organisatie, gemeente="Hengelo")
    VraaggezinFactory.create_batch(
        6, organisatie=organisatie, wijk=wijk, aangemeld_op=datetime.date(2025, 2, 1)
    )
    EindReden.objects.voor(organisatie)
    EindReden.objects.create(organisatie=organisatie, code="eigen", tekst="=1+1")
    client.force_login(coordinator)
    params = {"gemeente": "Hengelo", "soort": "jaar", "jaar": 2025}

    rows = read_csv(client.get(reverse("reports:gemeente"), {**params, "formaat": "csv"}))
    table = [row[:3] for row in rows]
    assert ["Vraaggezinnen", "aangemeld", "6"] in table
    assert ["Beëindigd naar reden", "'=1+1", "0"] in table

    sheet = read_xlsx(client.get(reverse("reports:gemeente"), {**params, "formaat": "xlsx"}))
    cells = {(r[0].value, r[1].value): r[2] for r in sheet.iter_rows(min_row=2) if len(r) > 2}
    shown = cells[("Vraaggezinnen", "aangemeld")]
    assert (shown.data_type, shown.value) == ("n", 6)
    small = cells[("Beëindigd naar reden", "'=1+1")]
    assert (small.data_type, small.value) == ("n", 0)
    withheld = cells[("Wachttijd en duur", "wachttijd tot de start, gemiddeld (weken)")]
    assert (withheld.data_type, withheld.value) == ("s", "te weinig gegevens")
    assert no_formulas(sheet)


def test_a_long_xlsx_streams_with_typed_cells_and_sized_columns():
    header = ["naam", "aangemeld op", "kinderen", "uren", "start"]
    first = datetime.date(2026, 1, 1)
    rows = [
        [f"=gezin {n}", first + datetime.timedelta(days=n % 365), n, "1.5", "2025-12-31"]
        for n in range(5_000)
    ]
    kop = [("Organisatie", "=Humanitas")]
    response = xlsx_response(header, iter(rows), "lang", "Lang", kop=kop)
    sheet = load_workbook(io.BytesIO(response.content)).active

    assert (sheet["A1"].value, sheet["A1"].font.b, sheet["B1"].value) == (
        "Organisatie",
        True,
        "'=Humanitas",
    )
    assert [c.value for c in sheet[3]] == header
    assert all(c.font.b for c in sheet[3])
    table = list(sheet.iter_rows(min_row=4))
    assert len(table) == 5_000
    for n, (naam, aangemeld, kinderen, uren, start) in enumerate(table):
        assert (naam.data_type, naam.value) == ("s", f"'=gezin {n}")
        assert aangemeld.value == datetime.datetime(2026, 1, 1) + datetime.timedelta(days=n % 365)
        assert aangemeld.number_format == "dd-mm-yyyy"
        assert (kinderen.data_type, kinderen.value) == ("n", n)
        assert (uren.data_type, uren.value, uren.number_format) == ("n", 1.5, "#,##0.0")
        assert start.value == datetime.datetime(2025, 12, 31)
        assert not naam.font.b
    # Widths from the header and the first rows: "'=gezin 199" is 11 characters.
    # The file holds Excel's width with its padding: 13 characters are 13.71.
    assert int(sheet.column_dimensions["A"].width) == 13
    assert int(sheet.column_dimensions["B"].width) == 14  # "aangemeld op"
