"""A realistic import file, generated: an organisation's spreadsheet of a few
hundred families with members, screening and running koppelingen, and the
deliberate errors a coordinator's file has. Written with openpyxl, not with
the app's own template code, and with the expected outcome per row worked out
here, independently of the import."""

from __future__ import annotations

import datetime
import io
import random
from dataclasses import dataclass, field

from openpyxl import Workbook

KOPPEN = {
    "Vraaggezinnen": [
        "Code", "Naam", "Straat", "Huisnummer", "Postcode", "Plaats", "Telefoon", "E-mail",
        "Wijk", "Aangemeld op", "Verwijzer", "Verwijzer informeren", "Hulpvraag",
        "Gewenste steun", "Intake op", "Toestemming op",
    ],
    "Steungezinnen": [
        "Code", "Naam", "Straat", "Huisnummer", "Postcode", "Plaats", "Telefoon", "E-mail",
        "Wijk", "Aangemeld op", "Aanbod", "Capaciteit", "Intakegesprek op", "Huisbezoek op",
        "Goedgekeurd op", "Toestemming op",
    ],
    "Gezinsleden": [
        "Gezin", "Voornaam", "Achternaam", "Soort", "Geboortedatum", "Steun voor dit kind",
        "VOG afgegeven op", "Training gevolgd op",
    ],
    "Koppelingen": ["Vraaggezin", "Steungezin", "Start op", "Afspraken", "Hoe vaak"],
}  # fmt: skip

ACHTERNAMEN = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos"]
VOORNAMEN = ["Anna", "Sem", "Noah", "Emma", "Lucas", "Julia", "Daan", "Tess", "Finn", "Mila"]


@dataclass
class Bestand:
    inhoud: bytes
    # Per sheet the row numbers that must be refused, with a word of the message.
    fout: dict[str, dict[int, str]] = field(default_factory=dict)
    vraag: int = 0  # vraaggezinnen that must be stored
    steun: int = 0
    koppelingen: int = 0
    leden: int = 0  # members of the families that must be stored
    dubbel_van: tuple[str, str] = ("", "")  # (postcode, huisnummer) of an existing family


def maak(
    dag: datetime.date,
    *,
    vraag: int = 200,
    steun: int = 100,
    koppelingen: int = 60,
    fouten: bool = True,
    wijken: tuple[str, ...] = ("Centrum", "Noord"),
    pc4: tuple[str, ...] = ("7551", "7552"),
    bestaand: tuple[str, str] | None = None,
    seed: int = 7,
) -> Bestand:
    """``bestaand``: postcode and huisnummer of a family already in the app,
    which one row repeats (a duplicate). Every other row is valid unless it
    is one of the deliberate errors, which are listed in ``Bestand.fout``."""
    rnd = random.Random(seed)
    boek = Workbook()
    boek.remove(boek.active)
    bladen = {naam: boek.create_sheet(naam) for naam in KOPPEN}
    for naam, blad in bladen.items():
        blad.append(KOPPEN[naam])
    bestand = Bestand(inhoud=b"", fout={naam: {} for naam in KOPPEN})
    rijnummer = dict.fromkeys(KOPPEN, 1)

    def schrijf(naam: str, waarden: list) -> int:
        bladen[naam].append(waarden)
        rijnummer[naam] += 1
        return rijnummer[naam]

    def jaren_terug(jaren: float) -> datetime.date:
        return dag - datetime.timedelta(days=int(jaren * 365.25))

    def adres(i: int) -> list:
        # Dutch postcodes never have SA, SD or SS: letters without an S.
        alfabet = "ABCDEFGHJKLMNPRTVWXZ"
        letters = alfabet[i % 20] + alfabet[(i // 20) % 20]
        return [f"Laan {i}", str(i % 90 + 1), f"{pc4[i % len(pc4)]} {letters}", "Hengelo"]

    fout_rijen_vraag = {5: "wijk", 17: "postcode", 29: "toekomst", 41: "dubbel", 53: "kind"}
    fout_rijen_steun = {7: "telefoon", 19: "goedgekeurd"}
    slecht_vraag, slecht_steun = set(), set()
    gekoppeld_vraag: list[str] = []
    for i in range(vraag):
        code, achternaam = f"V{i + 1}", rnd.choice(ACHTERNAMEN)
        soort_fout = fout_rijen_vraag.get(i) if fouten else None
        straat, huisnummer, postcode, plaats = adres(i)
        wijk = wijken[i % len(wijken)]
        aangemeld = jaren_terug(rnd.uniform(0.6, 2))
        if soort_fout == "wijk":
            wijk = "Atlantis"
        elif soort_fout == "postcode":
            postcode = "12345"
        elif soort_fout == "toekomst":
            aangemeld = dag + datetime.timedelta(days=30)
        elif soort_fout == "dubbel" and bestaand:
            postcode, huisnummer = bestaand
            bestand.dubbel_van = bestaand
        intake = aangemeld + datetime.timedelta(days=14) if i % 3 != 2 else None
        rij = schrijf(
            "Vraaggezinnen",
            [
                code, f"Gezin {achternaam}", straat, huisnummer, postcode, plaats,
                f"06{20000000 + i}", f"vraag{i}@example.nl", wijk,
                aangemeld.strftime("%d-%m-%Y") if i % 2 else aangemeld, "consultatiebureau",
                "ja" if i % 4 == 0 else "nee", "Even op adem komen.", "speelmiddag, opvang",
                intake, aangemeld,
            ],
        )  # fmt: skip
        schrijf(
            "Gezinsleden",
            [
                code,
                rnd.choice(VOORNAMEN),
                achternaam,
                "volwassene",
                jaren_terug(rnd.uniform(25, 45)),
            ],
        )
        if soort_fout == "kind":
            slecht_vraag.add(code)
            bestand.fout["Vraaggezinnen"][rij] = "kind"
            continue
        for _ in range(rnd.randint(1, 3)):
            schrijf(
                "Gezinsleden",
                [code, rnd.choice(VOORNAMEN), achternaam, "kind", jaren_terug(rnd.uniform(1, 12))],
            )
        if soort_fout and (soort_fout != "dubbel" or bestaand):
            slecht_vraag.add(code)
            bestand.fout["Vraaggezinnen"][rij] = soort_fout
            continue
        bestand.vraag += 1
        if intake:
            gekoppeld_vraag.append(code)

    goedgekeurd_steun: list[tuple[str, int]] = []
    for i in range(steun):
        code, achternaam = f"S{i + 1}", rnd.choice(ACHTERNAMEN)
        soort_fout = fout_rijen_steun.get(i) if fouten else None
        straat, huisnummer, postcode, plaats = adres(1000 + i)
        aangemeld = jaren_terug(rnd.uniform(1.2, 3))
        vog = jaren_terug(rnd.uniform(0.8, 1.0))
        goedgekeurd = vog + datetime.timedelta(days=20)
        gesprek = vog - datetime.timedelta(days=30)
        capaciteit = 2 if i % 5 == 0 else 1
        telefoon = "12345" if soort_fout == "telefoon" else f"06{30000000 + i}"
        rij = schrijf(
            "Steungezinnen",
            [
                code, f"Familie {achternaam}", straat, huisnummer, postcode, plaats, telefoon,
                f"steun{i}@example.nl", "", aangemeld, "speelmiddag", capaciteit, gesprek, gesprek,
                goedgekeurd, aangemeld,
            ],
        )  # fmt: skip
        leden = 2 if i % 2 else 1
        for lid in range(leden):
            # The deliberate error: one adult without a VOG, yet "goedgekeurd".
            zonder_vog = soort_fout == "goedgekeurd" and lid == 1
            schrijf(
                "Gezinsleden",
                [
                    code, rnd.choice(VOORNAMEN), achternaam, "volwassene",
                    jaren_terug(rnd.uniform(30, 60)), "", None if zonder_vog else vog,
                    gesprek if lid == 0 else None,
                ],
            )  # fmt: skip
        if soort_fout == "goedgekeurd" and leden == 1:
            raise AssertionError("the approval error needs a family of two adults")
        if soort_fout:
            slecht_steun.add(code)
            bestand.fout["Steungezinnen"][rij] = soort_fout
            continue
        bestand.steun += 1
        bestand.leden += leden
        goedgekeurd_steun.append((code, capaciteit))

    # Members of the stored vraaggezinnen, counted from the sheet itself.
    leden_per_code: dict[str, int] = {}
    for waarden in bladen["Gezinsleden"].iter_rows(min_row=2, values_only=True):
        leden_per_code[waarden[0]] = leden_per_code.get(waarden[0], 0) + 1
    bestand.leden += sum(
        n for c, n in leden_per_code.items() if c.startswith("V") and c not in slecht_vraag
    )
    if fouten:
        rij = schrijf("Gezinsleden", ["V999", "Nora", "Niemand", "kind", jaren_terug(4)])
        bestand.fout["Gezinsleden"][rij] = "V999"

    plekken = [code for code, capaciteit in goedgekeurd_steun for _ in range(capaciteit)]
    for n in range(min(koppelingen, len(gekoppeld_vraag), len(plekken))):
        vraag_code, steun_code = gekoppeld_vraag[n], plekken[n]
        start = dag - datetime.timedelta(days=rnd.randint(10, 60))
        schrijf("Koppelingen", [vraag_code, steun_code, start, "Speelmiddag", "wekelijks"])
        bestand.koppelingen += 1
    if fouten:
        # With a steungezin that is not in the file without errors.
        rij = schrijf("Koppelingen", [gekoppeld_vraag[-1], "S20", dag, "Speelmiddag", "wekelijks"])
        bestand.fout["Koppelingen"][rij] = "S20"

    buffer = io.BytesIO()
    boek.save(buffer)
    bestand.inhoud = buffer.getvalue()
    return bestand
