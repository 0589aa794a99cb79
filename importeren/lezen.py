"""Reading an uploaded XLSX or CSV file into the rows of the import's tables.

A file that cannot be read, or whose headings are not those of the template,
is refused as a whole with a message in Dutch; what the cells say is checked
later, row by row, by the same forms and services as the pages."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable

from django.core.exceptions import ValidationError

from importeren.kolommen import TABELLEN, Tabel

MB = 1024 * 1024
MAX_BESTAND = 5 * MB  # bytes per file
# An XLSX is a zip: 5 MB of it can unpack to gigabytes (a zip bomb). The
# template with MAX_RIJEN rows per sheet stays well under this.
MAX_UITGEPAKT = 30 * MB
MAX_RIJEN = 5000  # per table
# Lines read per table, empty ones included: a sheet can claim a million
# (formatted) empty rows in a few kilobytes, and reading them takes minutes.
MAX_REGELS = MAX_RIJEN + 5000
MAX_KOLOMMEN = 100  # columns read per sheet; the template has fewer than 25
MAX_CEL = 10_000  # characters per cell
XLSX = b"PK\x03\x04"


def _kop(value) -> str:
    """A heading as compared: case, spaces and a trailing * do not matter."""
    return re.sub(r"\s+", " ", str(value or "")).strip().rstrip("*").strip().lower()


def _cel(value) -> str | datetime.date:
    """A cell as the import reads it: text, or a date from a date cell."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _getal(n: int) -> str:
    return f"{n:,}".replace(",", ".")  # 10.000, the Dutch way


def _tabel_voor(koppen: list[str], naam: str = "") -> Tabel | None:
    """The table a sheet or CSV file holds: by the sheet's name, else the one
    whose headings it has most of."""
    for tabel in TABELLEN:
        if _kop(naam) == _kop(tabel.naam):
            return tabel
    gezien = set(koppen)

    def past(tabel: Tabel) -> tuple[int, int]:
        # Most headings in common; of equals, the one that lacks fewest of its required.
        ontbreekt = {_kop(k.kop) for k in tabel.kolommen if k.verplicht} - gezien
        return len(gezien & {_kop(k) for k in tabel.koppen}), -len(ontbreekt)

    best = max(TABELLEN, key=past)
    # Two headings of the template make it that table: what it lacks is then named.
    return best if past(best)[0] >= 2 else None


def _rijen(
    tabel: Tabel, bron: str, regels: Iterable[list], koppen: list[str]
) -> list[dict[str, object]]:
    velden = {_kop(k.kop): k.veld for k in tabel.kolommen}
    ontbreekt = [k.kop for k in tabel.kolommen if k.verplicht and _kop(k.kop) not in koppen]
    if ontbreekt:
        raise ValidationError(
            f"{bron} ({tabel.naam}): de kolom{'men' if len(ontbreekt) > 1 else ''} "
            f"{', '.join(ontbreekt)} {'ontbreken' if len(ontbreekt) > 1 else 'ontbreekt'}. "
            "Gebruik de koppen van het sjabloon."
        )
    rijen = []
    koppen_van = {_kop(k.kop): k.kop for k in tabel.kolommen}
    for nummer, regel in enumerate(regels, start=2):
        if nummer > MAX_REGELS + 1:
            raise ValidationError(
                f"{bron}: meer dan {_getal(MAX_REGELS)} regels, lege regels meegeteld. "
                "Verwijder de lege regels onder de tabel, of kopieer de tabel naar een nieuw blad."
            )
        waarden = {}
        for kop, cel in zip(koppen, regel, strict=False):
            if kop not in velden:
                continue
            waarden[velden[kop]] = waarde = _cel(cel)
            if isinstance(waarde, str) and len(waarde) > MAX_CEL:
                raise ValidationError(
                    f"{bron}: rij {nummer}, kolom {koppen_van[kop]}: meer dan "
                    f"{_getal(MAX_CEL)} tekens."
                )
        if not any(waarden.values()):
            continue  # an empty line
        if len(rijen) >= MAX_RIJEN:
            raise ValidationError(
                f"{bron}: meer dan {MAX_RIJEN} rijen. Splits het bestand in delen."
            )
        rijen.append({"rij": nummer, **{k: _json(v) for k, v in waarden.items()}})
    return rijen


def _json(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _toevoegen(tabellen: dict[str, list], tabel: str, rijen: list) -> None:
    """A table read from a sheet or file. Twice with rows is refused: which
    one is meant? An empty one (the template's own sheet, left empty beside
    one's own list) gives way to one with rows."""
    if tabellen.get(tabel) and rijen:
        raise ValidationError(f"Het blad {tabel} staat twee keer in de bestanden.")
    if rijen or tabel not in tabellen:
        tabellen[tabel] = rijen


def _uitgepakt(naam: str, inhoud: bytes) -> None:
    """Refuse a zip bomb by the sizes its members declare; zipfile never
    unpacks more than a member declares."""
    try:
        with zipfile.ZipFile(io.BytesIO(inhoud)) as archief:
            totaal = sum(info.file_size for info in archief.infolist())
    except zipfile.BadZipFile as error:
        raise ValidationError(f"{naam} kan niet worden gelezen als Excel-bestand.") from error
    if totaal > MAX_UITGEPAKT:
        raise ValidationError(
            f"{naam} is uitgepakt groter dan {MAX_UITGEPAKT // MB} MB: dat is geen ingevuld "
            "sjabloon. Sla het op als een nieuw Excel-bestand met alleen de bladen van het "
            "sjabloon."
        )


def _xlsx(naam: str, inhoud: bytes) -> dict[str, list]:
    from openpyxl import load_workbook

    _uitgepakt(naam, inhoud)
    gevonden: dict[str, list] = {}
    boek = None
    try:
        boek = load_workbook(io.BytesIO(inhoud), read_only=True, data_only=True)
        for blad in boek.worksheets:
            regels = blad.iter_rows(max_col=MAX_KOLOMMEN, values_only=True)
            eerste = next(regels, None)
            koppen = [_kop(c) for c in eerste or ()]
            tabel = _tabel_voor(koppen, blad.title)
            if tabel is None or not eerste:
                continue  # the explanation sheet, or a sheet of one's own
            rijen = _rijen(tabel, f"{naam}, blad {blad.title}", regels, koppen)
            _toevoegen(gevonden, tabel.naam, rijen)
    except ValidationError:
        raise
    except Exception as error:
        # The sheets are read as they are iterated, and a damaged or hand-made
        # file makes openpyxl raise whatever its XML, number or date parsing
        # meets (ParseError, ValueError, KeyError, TypeError, ...): the file
        # is refused as a whole, never a server error.
        raise ValidationError(f"{naam} kan niet worden gelezen als Excel-bestand.") from error
    finally:
        if boek is not None:
            boek.close()
    return gevonden


def _tekst(naam: str, inhoud: bytes) -> str:
    # Excel's "Unicode-tekst" is UTF-16 with a byte order mark.
    utf16 = inhoud.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for codering in ("utf-16",) if utf16 else ("utf-8-sig", "cp1252"):
        try:
            return inhoud.decode(codering)
        except UnicodeDecodeError:
            continue
    raise ValidationError(f"{naam} is geen tekstbestand (CSV).")


def _csv(naam: str, inhoud: bytes) -> dict[str, list]:
    tekst = _tekst(naam, inhoud)
    if "\x00" in tekst:
        raise ValidationError(f"{naam} is geen CSV-bestand.")
    eerste = tekst.splitlines()[0] if tekst else ""
    scheiding = max(";,\t", key=eerste.count)
    # newline="": lines end in \n, \r\n or (Excel for Mac) \r, as the csv module reads them.
    regels = csv.reader(io.StringIO(tekst, newline=""), delimiter=scheiding)
    try:
        koppen = [_kop(c) for c in next(regels, [])]
        tabel = _tabel_voor(koppen)
        if tabel is None:
            raise ValidationError(
                f"{naam}: de koppen zijn niet die van het sjabloon (Vraaggezinnen, "
                "Steungezinnen, Gezinsleden of Koppelingen). Download het sjabloon en gebruik "
                "zijn koppen."
            )
        return {tabel.naam: _rijen(tabel, naam, regels, koppen)}
    except csv.Error as error:
        raise ValidationError(f"{naam} kan niet worden gelezen: {error}.") from error


def grootte_controleren(naam: str, grootte: int) -> None:
    """Refuse a file over the limit, before it is read into memory."""
    if grootte > MAX_BESTAND:
        raise ValidationError(f"{naam} is groter dan {MAX_BESTAND // MB} MB.")


def bestanden_lezen(bestanden: list[tuple[str, bytes]]) -> dict[str, list]:
    """The rows per table of one or more files (an XLSX with a sheet per
    table, or a CSV per table). ValidationError when a file cannot be read
    or a table comes twice."""
    if not bestanden:
        raise ValidationError("Kies een XLSX- of CSV-bestand.")
    tabellen: dict[str, list] = {}
    for naam, inhoud in bestanden:
        grootte_controleren(naam, len(inhoud))
        if not inhoud.strip():
            raise ValidationError(f"{naam} is leeg.")
        gelezen = _xlsx(naam, inhoud) if inhoud.startswith(XLSX) else _csv(naam, inhoud)
        for tabel, rijen in gelezen.items():
            _toevoegen(tabellen, tabel, rijen)
    if not any(tabellen.values()):
        raise ValidationError(
            "Er staan geen rijen in het bestand. Vul de bladen van het sjabloon in."
        )
    return tabellen
