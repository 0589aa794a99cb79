"""The template file: a sheet per table with its headings, and a sheet that
explains every column, from the one list in ``importeren.kolommen``."""

from __future__ import annotations

import io

from importeren.kolommen import TABELLEN

TOELICHTING = (
    "Vul per blad één rij per gezin, gezinslid of koppeling in; de eerste rij houdt de koppen. "
    "Kolommen met een * zijn verplicht. De codes (zoals V1 en S1) zijn uw eigen nummers in dit "
    "bestand: de gezinsleden en koppelingen verwijzen ermee naar hun gezin. Een CSV-bestand "
    "kan ook: één bestand per blad, met dezelfde koppen, gescheiden door ; of ,. Niets wordt "
    "opgeslagen voordat u het voorbeeld hebt gezien."
)


def maken() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    boek = xlsxwriter.Workbook(buffer, {"in_memory": True})
    kop = boek.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1, "text_wrap": True})
    tekst = boek.add_format({"text_wrap": True, "valign": "top"})
    datum = boek.add_format({"num_format": "dd-mm-yyyy"})
    for tabel in TABELLEN:
        blad = boek.add_worksheet(tabel.naam)
        for kolom_nr, kolom in enumerate(tabel.kolommen):
            blad.write(0, kolom_nr, kolom.kop + (" *" if kolom.verplicht else ""), kop)
            if kolom.kop.endswith(" op") or kolom.veld in ("geboortedatum",):
                blad.set_column(kolom_nr, kolom_nr, 14, datum)
            else:
                blad.set_column(kolom_nr, kolom_nr, max(12, len(kolom.kop) + 4))
            if kolom.uitleg:
                blad.write_comment(0, kolom_nr, kolom.uitleg)
        blad.freeze_panes(1, 0)
    uitleg = boek.add_worksheet("Toelichting")
    uitleg.set_column(0, 0, 22)
    uitleg.set_column(1, 1, 24)
    uitleg.set_column(2, 2, 70, tekst)
    uitleg.set_column(3, 3, 22)
    uitleg.write(0, 0, "Toelichting", kop)
    uitleg.merge_range(1, 0, 1, 3, TOELICHTING, tekst)
    uitleg.set_row(1, 75)
    rij = 3
    for tabel in TABELLEN:
        uitleg.write(rij, 0, tabel.naam, kop)
        uitleg.merge_range(rij, 1, rij, 3, tabel.uitleg, tekst)
        rij += 1
        for titel_nr, titel in enumerate(("", "Kolom", "Uitleg", "Voorbeeld")):
            if titel:
                uitleg.write(rij, titel_nr, titel, kop)
        rij += 1
        for kolom in tabel.kolommen:
            uitleg.write(rij, 1, kolom.kop + (" *" if kolom.verplicht else ""))
            uitleg.write(rij, 2, kolom.uitleg or "—", tekst)
            uitleg.write(rij, 3, kolom.voorbeeld)
            rij += 1
        rij += 1
    boek.close()
    return buffer.getvalue()
