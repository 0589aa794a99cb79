"""The columns of an import: one list that the template file, the reading of
an uploaded file, the explanation sheet and the preview all follow."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kolom:
    kop: str  # the column's heading in the file
    veld: str  # the field of the form or service it fills
    uitleg: str
    voorbeeld: str = ""
    verplicht: bool = False


@dataclass(frozen=True)
class Tabel:
    naam: str  # the sheet's name; a CSV file is recognised by its headings
    veld: str  # what the rows are, as the import's results name them
    uitleg: str
    kolommen: tuple[Kolom, ...]

    def kop_van(self, veld: str) -> str:
        return next((k.kop for k in self.kolommen if k.veld == veld), "")

    @property
    def koppen(self) -> list[str]:
        return [k.kop for k in self.kolommen]


JA_NEE = "ja of nee; leeg is nee"
DATUM = "datum als 14-03-2024 (of een datumcel)"

ADRES = (
    Kolom("Naam", "naam", "De naam waaronder het gezin bekend is.", "Jansen", True),
    Kolom("Straat", "straat", "", "Dorpsstraat", True),
    Kolom("Huisnummer", "huisnummer", "Met toevoeging, zoals 12a.", "12", True),
    Kolom("Postcode", "postcode", "Vier cijfers en twee letters.", "7551 AB", True),
    Kolom("Plaats", "plaats", "", "Hengelo", True),
    Kolom("Telefoon", "telefoon", "Tien cijfers.", "06 12345678"),
    Kolom("E-mail", "email", "", "gezin@example.nl"),
    Kolom(
        "Wijk",
        "wijk",
        "De naam van een wijk zoals die in de app staat; leeg: afgeleid uit de postcode.",
        "",
    ),
    Kolom("Aangemeld op", "aangemeld_op", f"Wanneer het gezin zich meldde; {DATUM}.", "", True),
)
TOESTEMMING = (
    Kolom("Toestemming op", "toestemming_op", f"Wanneer het gezin toestemming gaf; {DATUM}."),
    Kolom("Toestemming omvat", "toestemming_omvat", "Waarvoor de toestemming geldt."),
    Kolom("Opmerkingen", "opmerkingen", ""),
)

VRAAGGEZINNEN = Tabel(
    "Vraaggezinnen",
    "vraaggezin",
    "Eén rij per gezin dat steun vraagt. De gezinsleden staan op het blad Gezinsleden.",
    (
        Kolom(
            "Code",
            "code",
            "Uw eigen nummer van het gezin in dit bestand, zoals V1; de gezinsleden en "
            "koppelingen verwijzen ernaar.",
            "V1",
            True,
        ),
        *ADRES,
        Kolom(
            "Verwijzer",
            "verwijzer_soort",
            "consultatiebureau, huisarts, wijkteam, school, zelfmelding of anders.",
            "consultatiebureau",
            True,
        ),
        Kolom("Organisatie verwijzer", "verwijzer_organisatie", ""),
        Kolom("Contactpersoon verwijzer", "verwijzer_contactpersoon", ""),
        Kolom("Telefoon verwijzer", "verwijzer_telefoon", ""),
        Kolom("E-mail verwijzer", "verwijzer_email", ""),
        Kolom(
            "Verwijzer informeren",
            "verwijzer_informeren",
            f"Heeft het gezin toegestemd dat de verwijzer hoort wanneer de steun begint en "
            f"eindigt? {JA_NEE}.",
            "nee",
        ),
        Kolom("Hulpvraag", "hulpvraag", ""),
        Kolom(
            "Gewenste steun",
            "ondersteuning",
            "Eén of meer van: speelmiddag, halen en brengen, opvang, weekenddag, praktisch, "
            "anders; gescheiden door komma's.",
            "speelmiddag, opvang",
        ),
        Kolom(
            "Intake op",
            "intake_op",
            f"Wanneer de intake was; {DATUM}. Met een intake wacht het gezin op een koppeling.",
        ),
        *TOESTEMMING,
    ),
)

STEUNGEZINNEN = Tabel(
    "Steungezinnen",
    "steungezin",
    "Eén rij per steungezin. De gezinsleden, met hun VOG en training, staan op het blad "
    "Gezinsleden.",
    (
        Kolom(
            "Code", "code", "Uw eigen nummer van het gezin in dit bestand, zoals S1.", "S1", True
        ),
        *ADRES,
        Kolom("Motivatie", "motivatie", ""),
        Kolom(
            "Aanbod",
            "aanbod",
            "Wat zij bieden, zoals bij Gewenste steun; gescheiden door komma's.",
            "speelmiddag",
        ),
        Kolom("Capaciteit", "capaciteit", "Hoeveel gezinnen tegelijk; leeg is 1.", "1"),
        Kolom("Max kinderen", "max_kinderen", "Hoeveel kinderen tegelijk; leeg is 2.", "2"),
        Kolom("Leeftijd van", "leeftijd_van", "Jongste leeftijd die zij opvangen.", "0"),
        Kolom("Leeftijd tot", "leeftijd_tot", "Oudste leeftijd die zij opvangen.", "12"),
        Kolom("Intakegesprek op", "intake_op", f"Het kennismakingsgesprek; {DATUM}."),
        Kolom("Huisbezoek op", "huisbezoek_op", f"{DATUM}; mag dezelfde dag zijn als de intake."),
        Kolom(
            "Goedgekeurd op",
            "goedgekeurd_op",
            f"Wanneer de screening werd afgerond; {DATUM}. Dan moeten intake, huisbezoek, een "
            "VOG van elke volwassene en de training van ten minste één volwassene in het "
            "bestand staan, zoals de regels van de app vragen.",
        ),
        *TOESTEMMING,
    ),
)

GEZINSLEDEN = Tabel(
    "Gezinsleden",
    "gezinslid",
    "Eén rij per gezinslid, van vraag- en steungezinnen. Elk gezin heeft ten minste één "
    "volwassene, een vraaggezin ook een kind.",
    (
        Kolom("Gezin", "gezin", "De code van het gezin, zoals V1 of S1.", "V1", True),
        Kolom("Voornaam", "voornaam", "", "Anna", True),
        Kolom("Achternaam", "achternaam", "", "Jansen", True),
        Kolom("Soort", "soort", "volwassene of kind.", "volwassene", True),
        Kolom("Geboortedatum", "geboortedatum", DATUM, "", True),
        Kolom(
            "Steun voor dit kind",
            "krijgt_steun",
            f"Alleen bij een kind van een vraaggezin; {JA_NEE}. Leeg bij alle kinderen: de "
            "steun is voor alle kinderen.",
        ),
        Kolom(
            "VOG afgegeven op",
            "vog_afgegeven_op",
            f"Alleen bij een steungezin: de datum van afgifte van een ontvangen VOG; {DATUM}.",
        ),
        Kolom(
            "Training gevolgd op",
            "training_op",
            f"Alleen bij een steungezin: wanneer dit lid de training volgde; {DATUM}.",
        ),
    ),
)

KOPPELINGEN = Tabel(
    "Koppelingen",
    "koppeling",
    "Eén rij per lopende koppeling tussen een vraaggezin (met intake) en een goedgekeurd "
    "steungezin uit dit bestand.",
    (
        Kolom("Vraaggezin", "vraaggezin", "De code van het vraaggezin.", "V1", True),
        Kolom("Steungezin", "steungezin", "De code van het steungezin.", "S1", True),
        Kolom("Start op", "start_op", f"Wanneer de koppeling begon; {DATUM}.", "", True),
        Kolom("Afspraken", "afspraken", "Wat de gezinnen samen doen.", "Speelmiddag bij S1", True),
        Kolom("Hoe vaak", "frequentie", "", "elke woensdagmiddag", True),
        Kolom("Einde proefperiode", "proefperiode_tot", DATUM),
        Kolom("Gepland einde", "gepland_einde", DATUM),
    ),
)

TABELLEN = (VRAAGGEZINNEN, STEUNGEZINNEN, GEZINSLEDEN, KOPPELINGEN)
