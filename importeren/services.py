"""Bringing an existing programme in: every row through the same forms and
services as the coordinator's pages, so no rule is passed by.

``import_controleren`` runs the whole file in a transaction that is rolled
back: the preview shows each row as it would be stored and what the rules
refuse, with the very messages the pages give. ``import_invoeren`` runs it
again for real (the database may have changed since), all or nothing unless
the coordinator chose the rows without errors. ``import_ongedaan_maken``
removes what an import made, within a day and only while nobody has changed
those families since.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation

from accounts import audit
from accounts.models import AuditEntry, User
from gezinnen.forms import (
    GezinslidForm,
    SteungezinForm,
    VraaggezinForm,
    huishouden_probleem,
    not_in_future,
    plausible_date,
)
from gezinnen.integrity import TransitionError
from gezinnen.models import Gezin, Gezinslid, Ondersteuning, Steungezin, Vraaggezin, Wijk
from gezinnen.services import LID_FIELDS, gezin_aanmelden, intake_vastleggen
from importeren.kolommen import GEZINSLEDEN, KOPPELINGEN, STEUNGEZINNEN, VRAAGGEZINNEN, Tabel
from importeren.models import Import, fouten_in
from matching.forms import StartForm
from matching.models import Koppeling
from matching.services import (
    kennismaking_plannen,
    kennismaking_uitkomst_vastleggen,
    koppeling_starten,
    koppeling_voorstellen,
)
from screening.models import VOG, ScreeningGesprek, Training
from screening.services import (
    deelname_vastleggen,
    gesprekken_vastleggen,
    steungezin_goedkeuren,
    training_aanmaken,
    vog_bijwerken,
)
from steungezinnen.datums import korte_datum

DATUMVELDEN = {"start_op", "proefperiode_tot", "gepland_einde"}
TRAINING_TITEL = "Training (uit een import)"
DATUMVORMEN = ("%d-%m-%Y", "%d-%m-%y", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%Y-%m-%d")
JA = {"ja", "j", "yes", "y", "x", "1", "waar", "true"}
NEE = {"nee", "n", "no", "0", "onwaar", "false", ""}
# What a coordinator types for a kind of support: the label's first words.
STEUN_WOORDEN = {
    "speelmiddag": Ondersteuning.SPEELMIDDAG,
    "halen en brengen": Ondersteuning.HALEN_BRENGEN,
    "halen/brengen": Ondersteuning.HALEN_BRENGEN,
    "opvang": Ondersteuning.OPVANG,
    "weekenddag": Ondersteuning.WEEKENDDAG,
    "praktisch": Ondersteuning.PRAKTISCH,
    "praktische hulp": Ondersteuning.PRAKTISCH,
    "anders": Ondersteuning.ANDERS,
}


class Fout(Exception):
    """A row that cannot be stored, with its messages (each "Kolom: tekst")."""

    def __init__(self, fouten: list[str]):
        self.fouten = fouten
        super().__init__("; ".join(fouten))


# Turning cells into what the forms read ---------------------------------------


def _datum(waarde: Any) -> str:
    """A cell as a date the forms read (ISO); text that is no date stays as
    it was, so that the form's own message names it."""
    tekst = str(waarde or "").strip()
    for vorm in DATUMVORMEN:
        try:
            return datetime.datetime.strptime(tekst, vorm).date().isoformat()
        except ValueError:
            continue
    return tekst


def _datum_of_fout(waarde: Any, kop: str, fouten: list[str]) -> datetime.date | None:
    """An optional date of the import's own columns (screening, VOG, training)."""
    tekst = _datum(waarde)
    if not tekst:
        return None
    try:
        dag = datetime.date.fromisoformat(tekst)
        plausible_date(dag)
        not_in_future(dag, "Deze datum")
    except ValueError:
        fouten.append(f"{kop}: geen datum ({tekst}); schrijf hem als 14-03-2024.")
        return None
    except ValidationError as error:
        fouten.append(f"{kop}: {' '.join(error.messages)}")
        return None
    return dag


def _ja_nee(waarde: Any, kop: str, fouten: list[str]) -> bool:
    tekst = str(waarde or "").strip().lower()
    if tekst in JA:
        return True
    if tekst not in NEE:
        fouten.append(f"{kop}: vul ja of nee in, niet '{waarde}'.")
    return False


def _keuze(waarde: Any, keuzes: list[tuple[str, str]]) -> str:
    """The value of a choice written as its value or its label."""
    tekst = str(waarde or "").strip().lower()
    for value, label in keuzes:
        if tekst in (str(value).lower(), str(label).lower()) or str(label).lower().startswith(
            tekst + " "
        ):
            return value
    return tekst


def _steun(waarde: Any, kop: str, fouten: list[str]) -> list[str]:
    gekozen = []
    for deel in filter(None, (d.strip().lower() for d in re.split(r"[,;]", str(waarde or "")))):
        value = STEUN_WOORDEN.get(deel) or _keuze(deel, Ondersteuning.choices)
        if value not in Ondersteuning.values:
            fouten.append(
                f"{kop}: '{deel}' is geen soort steun; kies uit "
                f"{', '.join(w for w in STEUN_WOORDEN if '/' not in w)}."
            )
            continue
        gekozen.append(value)
    return list(dict.fromkeys(gekozen))


def _regels(fouten: dict[str, list[str]], tabel: Tabel, form: forms.BaseForm | None) -> list[str]:
    """Errors per field as "Kolom: tekst" lines, by the column's heading."""
    regels = []
    for naam, berichten in fouten.items():
        kop = tabel.kop_van(naam)
        if not kop and form is not None and naam in form.fields:
            kop = str(form.fields[naam].label or "")
        regels += [f"{kop}: {b}" if kop else str(b) for b in berichten]
    return regels


def _meldingen(error: Exception, tabel: Tabel, form: forms.BaseForm | None = None) -> list[str]:
    """A refusal from a service as the row's messages."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return _regels(error.message_dict, tabel, form)
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error)]


def _formfouten(form: forms.BaseForm, tabel: Tabel) -> list[str]:
    return _regels({naam: list(fouten) for naam, fouten in form.errors.items()}, tabel, form)


# The run -------------------------------------------------------------------


@dataclass
class Uitkomst:
    """One row's outcome, as the preview shows it."""

    rij: int
    code: str = ""
    titel: str = ""
    waarden: list[tuple[str, str]] = field(default_factory=list)
    leden: list[dict] = field(default_factory=list)
    fouten: list[str] = field(default_factory=list)

    def als_json(self) -> dict:
        return {
            "rij": self.rij,
            "code": self.code,
            "titel": self.titel,
            "waarden": [list(w) for w in self.waarden],
            "leden": self.leden,
            "fouten": self.fouten,
        }


@dataclass
class Run:
    door: User
    gezinnen: dict[str, Gezin] = field(default_factory=dict)  # code → stored family
    herkomst: dict[int, str] = field(default_factory=dict)  # family nr. → "rij 4 (V2)"
    trainingen: dict[datetime.date, Training] = field(default_factory=dict)
    gemaakt: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    tabellen: dict[str, list[Uitkomst]] = field(default_factory=dict)
    meldingen: list[str] = field(default_factory=list)
    lege_formulieren: dict = field(default_factory=dict)

    @property
    def organisatie(self):
        return self.door.organisatie

    @cached_property
    def wijken(self) -> dict[str, Wijk]:
        """The organisation's wijken by name, whatever the case: read once per run."""
        return {w.naam.lower(): w for w in Wijk.objects.filter(organisatie=self.organisatie)}

    def leeg(self, form_class) -> dict:
        """What a family form of this kind holds when nothing is typed: the
        defaults for what a file leaves out (made once per run and kind)."""
        if form_class not in self.lege_formulieren:
            leeg = form_class(organisatie=self.organisatie)
            self.lege_formulieren[form_class] = {
                naam: (leeg[naam].value(), veld)
                for naam, veld in leeg.fields.items()
                if naam not in ("versie", "snapshot", "inzending")
            }
        return self.lege_formulieren[form_class]

    def verslag(self) -> dict:
        return {
            "tabellen": [
                {"naam": naam, "rijen": [u.als_json() for u in rijen]}
                for naam, rijen in self.tabellen.items()
                if rijen
            ],
            "meldingen": self.meldingen,
        }


def _gezin_data(form_class, run: Run, rij: dict, tabel: Tabel, fouten: list[str]) -> dict:
    """The family form's data from a row: the form's own defaults for what the
    file leaves out, every cell turned into what the form reads."""
    leeg = run.leeg(form_class)
    data = {naam: waarde for naam, (waarde, _) in leeg.items()}
    # Not today's date by default: the column is required, the day it says counts.
    data["aangemeld_op"] = ""
    for kolom in tabel.kolommen:
        if kolom.veld not in leeg:
            continue
        waarde, formveld = rij.get(kolom.veld, ""), leeg[kolom.veld][1]
        if kolom.veld == "wijk":
            data["wijk"] = _wijk(run, waarde, kolom.kop, fouten)
        elif kolom.veld in ("ondersteuning", "aanbod"):
            data[kolom.veld] = _steun(waarde, kolom.kop, fouten)
        elif isinstance(formveld, forms.BooleanField):
            data[kolom.veld] = _ja_nee(waarde, kolom.kop, fouten)
        elif isinstance(formveld, forms.DateField):
            data[kolom.veld] = _datum(waarde)
        elif isinstance(formveld, forms.ChoiceField):
            data[kolom.veld] = _keuze(waarde, list(formveld.choices))
        elif waarde != "" or kolom.verplicht:
            data[kolom.veld] = str(waarde)
    if (telefoon := str(rij.get("telefoon", ""))).isdigit() and len(telefoon) == 9:
        data["telefoon"] = "0" + telefoon  # a spreadsheet drops the leading zero of a number
    return data


def _wijk(run: Run, waarde: Any, kop: str, fouten: list[str]) -> str:
    naam = str(waarde or "").strip()
    if not naam:
        return ""
    if wijk := run.wijken.get(naam.lower()):
        return str(wijk.pk)
    bekend = ", ".join(sorted(w.naam for w in run.wijken.values())) or "nog geen"
    fouten.append(f"{kop}: onbekende wijk '{naam}'. Wijken in de app: {bekend}.")
    return ""


def _lijkt_op(run: Run, form: VraaggezinForm | SteungezinForm) -> list[str]:
    """A family that is already there, in the app or earlier in this file."""
    regels = []
    for gezin in form.resembling()[:3]:
        if herkomst := run.herkomst.get(gezin.pk):
            regels.append(f"Dubbel: lijkt op {herkomst} van dit bestand (zelfde adres of contact).")
        else:
            regels.append(
                f"Dubbel: lijkt op gezin nr. {gezin.pk} dat al in de app staat (zelfde adres, "
                "e-mailadres of telefoonnummer)."
            )
    return regels


def _leden(rijen: list[dict], vraag: bool) -> tuple[list[dict], list[dict], list[str]]:
    """The members of one family: their rows for the service, what the preview
    shows of each, and the errors of each as the family's errors."""
    waarden, getoond, fouten = [], [], []
    for rij in rijen:
        eigen: list[str] = []
        data = {
            "voornaam": rij.get("voornaam", ""),
            "achternaam": rij.get("achternaam", ""),
            "soort": _keuze(
                {"ouder": "volwassene", "volwassen": "volwassene"}.get(
                    str(rij.get("soort", "")).strip().lower(), rij.get("soort", "")
                ),
                Gezinslid.Soort.choices,
            ),
            "geboortedatum": _datum(rij.get("geboortedatum", "")),
            "krijgt_steun": _ja_nee(
                rij.get("krijgt_steun"), GEZINSLEDEN.kop_van("krijgt_steun"), eigen
            ),
        }
        if data["krijgt_steun"] and not vraag:
            eigen.append("Steun voor dit kind: alleen bij een kind van een vraaggezin.")
        form = GezinslidForm(data=data)
        if not form.is_valid():
            eigen += _formfouten(form, GEZINSLEDEN)
        extra = {
            veld: _datum_of_fout(rij.get(veld), GEZINSLEDEN.kop_van(veld), eigen)
            for veld in ("vog_afgegeven_op", "training_op")
        }
        if vraag and any(extra.values()):
            eigen.append("VOG en training horen alleen bij de leden van een steungezin.")
        tekst = " ".join(filter(None, [str(data["voornaam"]), str(data["achternaam"])]))
        if form.is_valid():
            lid = form.cleaned_data
            tekst += f" ({lid['soort']}, {korte_datum(lid['geboortedatum'])})"
            if lid["krijgt_steun"]:
                tekst += ", steun"
            waarden.append({**{k: lid[k] for k in data}, **extra})
        tekst += "".join(
            f"; {label} {korte_datum(extra[veld])}"
            for veld, label in (("vog_afgegeven_op", "VOG"), ("training_op", "training"))
            if extra[veld]
        )
        getoond.append({"rij": rij["rij"], "tekst": tekst, "fouten": eigen})
        fouten += [f"Gezinslid op rij {rij['rij']}: {f}" for f in eigen]
    if not fouten and (
        probleem := huishouden_probleem({w["soort"] for w in waarden}, needs_child=vraag)
    ):
        fouten.append(f"Gezinsleden: {probleem}")
    return waarden, getoond, fouten


def _getoond(gezin: Gezin) -> list[tuple[str, str]]:
    """The family as stored."""
    return [
        ("Adres", f"{gezin.straat} {gezin.huisnummer}, {gezin.postcode} {gezin.plaats}"),
        ("Contact", " · ".join(filter(None, [gezin.telefoon, gezin.email])) or "geen"),
        ("Wijk", str(gezin.wijk) if gezin.wijk_id else "geen wijk"),
        ("Aangemeld op", korte_datum(gezin.aangemeld_op)),
        ("Status", gezin.get_status_display()),
    ]


def _gezin(run: Run, tabel: Tabel, rij: dict, leden: list[dict], dubbel: bool) -> Uitkomst:
    vraag = tabel is VRAAGGEZINNEN
    code = str(rij.get("code", "")).strip()
    uitkomst = Uitkomst(rij=rij["rij"], code=code, titel=str(rij.get("naam", "")))
    fouten = uitkomst.fouten
    if not code:
        fouten.append("Code: vul de code van het gezin in, zoals V1.")
    elif dubbel:
        fouten.append(f"Code: {code} staat al eerder in het bestand.")
    form_class = VraaggezinForm if vraag else SteungezinForm
    data = _gezin_data(form_class, run, rij, tabel, fouten)
    form = form_class(data=data, organisatie=run.organisatie)
    waarden, uitkomst.leden, lidfouten = _leden(leden, vraag)
    fouten += lidfouten
    if not form.is_valid():
        fouten += _formfouten(form, tabel)
    else:
        fouten += _lijkt_op(run, form)
    eigen = {
        veld: _datum_of_fout(rij.get(veld), tabel.kop_van(veld), fouten)
        for veld in ("intake_op", "huisbezoek_op", "goedgekeurd_op")
        if tabel.kop_van(veld)
    }
    if not leden and not dubbel:
        fouten.append("Gezinsleden: bij deze code staan geen leden op het blad Gezinsleden.")
    if fouten:
        return uitkomst
    trainingen, gemaakt = dict(run.trainingen), list(run.gemaakt["trainingen"])
    try:
        with transaction.atomic():
            gezin = gezin_aanmelden(
                door=run.door,
                model=form_class._meta.model,
                organisatie=run.organisatie,
                gegevens=form.gegevens(),
                leden=[{k: w[k] for k in LID_FIELDS} for w in waarden],
            )
            if vraag:
                _intake(run, gezin, eigen["intake_op"])
            else:
                _screening(run, gezin, waarden, eigen)
    except (ValidationError, TransitionError) as error:
        # A training this row made went with it.
        run.trainingen, run.gemaakt["trainingen"] = trainingen, gemaakt
        fouten += _meldingen(error, tabel, form)
        return uitkomst
    gezin.refresh_from_db()
    run.gezinnen[code.lower()] = gezin
    run.herkomst[gezin.pk] = f"rij {uitkomst.rij} ({code})"
    run.gemaakt["gezinnen"].append(gezin.pk)
    uitkomst.titel = gezin.naam
    uitkomst.waarden = _getoond(gezin)
    return uitkomst


def _intake(run: Run, gezin: Vraaggezin, intake_op: datetime.date | None) -> None:
    if intake_op is None:
        return
    if intake_op < gezin.aangemeld_op:
        raise ValidationError({"intake_op": "De intake kan niet vóór de aanmelding liggen."})
    kinderen = list(gezin.leden.filter(soort=Gezinslid.Soort.KIND))
    intake_vastleggen(
        door=run.door,
        vraaggezin=gezin,
        versie=None,
        intake_op=intake_op,
        hulpvraag=gezin.hulpvraag,
        ondersteuning=gezin.ondersteuning,
        dagdelen=gezin.dagdelen,
        # The children the file marks, or all of them when it marks none.
        kinderen=[k.pk for k in kinderen if k.krijgt_steun] or [k.pk for k in kinderen],
    )


def _training(run: Run, datum: datetime.date) -> Training:
    """The organisation's training of that day: one already in the app, or a
    new one that the import made (and removes when undone)."""
    if datum not in run.trainingen:
        training = Training.objects.filter(organisatie=run.organisatie, datum=datum).first()
        if training is None:
            training = training_aanmaken(
                door=run.door,
                organisatie=run.organisatie,
                datum=datum,
                titel=TRAINING_TITEL,
                trainer="onbekend",
                plaats="onbekend",
            )
            run.gemaakt["trainingen"].append(training.pk)
        run.trainingen[datum] = training
    return run.trainingen[datum]


def _screening(run: Run, gezin: Steungezin, waarden: list[dict], eigen: dict) -> None:
    """What the file knows of the screening, recorded as the screening page
    would, and the approval on its day when the file says it was given."""
    gesprekken = defaultdict(list)
    for veld, soort in (
        ("intake_op", ScreeningGesprek.Soort.KENNISMAKING),
        ("huisbezoek_op", ScreeningGesprek.Soort.HUISBEZOEK),
    ):
        if eigen.get(veld):
            gesprekken[eigen[veld]].append(soort)
    for datum, soorten in sorted(gesprekken.items()):
        gesprekken_vastleggen(
            door=run.door, steungezin=gezin, soorten=soorten, datum=datum, gevoerd_door=run.door
        )
    leden = list(gezin.leden.order_by("pk"))
    trainingen = defaultdict(list)
    for lid, waarde in zip(leden, waarden, strict=True):
        if waarde["vog_afgegeven_op"]:
            dag = waarde["vog_afgegeven_op"]
            vog_bijwerken(
                door=run.door,
                lid=lid,
                vog_id=None,
                gegevens={"status": VOG.Status.ONTVANGEN, "afgegeven_op": dag, "ontvangen_op": dag},
            )
        if waarde["training_op"]:
            trainingen[waarde["training_op"]].append(lid)
    for datum, deelnemers in sorted(trainingen.items()):
        deelname_vastleggen(
            door=run.door, steungezin=gezin, training=_training(run, datum), leden=deelnemers
        )
    if eigen.get("goedgekeurd_op"):
        steungezin_goedkeuren(door=run.door, steungezin=gezin, op=eigen["goedgekeurd_op"])


def _koppeling(run: Run, rij: dict) -> Uitkomst:
    uitkomst = Uitkomst(rij=rij["rij"])
    fouten = uitkomst.fouten
    gezinnen = {}
    for veld, model in (("vraaggezin", Vraaggezin), ("steungezin", Steungezin)):
        code = str(rij.get(veld, "")).strip()
        gezin = run.gezinnen.get(code.lower())
        if not isinstance(gezin, model):
            fouten.append(
                f"{KOPPELINGEN.kop_van(veld)}: geen {model._meta.verbose_name} met code "
                f"'{code}' dat zonder fouten in het bestand staat."
            )
        gezinnen[veld] = gezin
    uitkomst.code = " – ".join(str(rij.get(v, "")) for v in ("vraaggezin", "steungezin"))
    if fouten:
        return uitkomst
    vraag, steun = gezinnen["vraaggezin"], gezinnen["steungezin"]
    uitkomst.titel = f"{vraag.naam} met {steun.naam}"
    data = {
        veld: _datum(rij.get(veld, "")) if veld in DATUMVELDEN else str(rij.get(veld, ""))
        for veld in ("start_op", "afspraken", "frequentie", "proefperiode_tot", "gepland_einde")
    }
    try:
        with transaction.atomic():
            koppeling = _koppeling_starten(run, vraag, steun, data)
    except Fout as error:
        fouten += error.fouten
        return uitkomst
    except (ValidationError, TransitionError) as error:
        fouten += _meldingen(error, KOPPELINGEN)
        return uitkomst
    run.gemaakt["koppelingen"].append(koppeling.pk)
    uitkomst.waarden = [
        ("Start", korte_datum(koppeling.start_op)),
        ("Hoe vaak", koppeling.frequentie),
        ("Kinderen", ", ".join(k.voornaam for k in koppeling.kinderen.all())),
        ("Status", koppeling.get_status_display()),
    ]
    return uitkomst


def _koppeling_starten(run: Run, vraag: Vraaggezin, steun: Steungezin, data: dict) -> Koppeling:
    """Proposed, introduced and started on the day the file gives, each step
    through its service and the koppeling's transition table."""
    # The start's own checks (dates, agreements) before the first step.
    form = StartForm(data=data, koppeling=Koppeling(vraaggezin=vraag))
    form.fields.pop("kinderen")
    if not form.is_valid():
        raise Fout(_formfouten(form, KOPPELINGEN))
    start = form.cleaned_data["start_op"]
    koppeling = koppeling_voorstellen(door=run.door, vraaggezin=vraag, steungezin=steun, op=start)
    kennismaking_plannen(door=run.door, koppeling=koppeling, datum=start)
    kennismaking_uitkomst_vastleggen(
        door=run.door, koppeling=koppeling, uitkomst=Koppeling.Uitkomst.GO, notities=""
    )
    kinderen = vraag.leden.filter(soort=Gezinslid.Soort.KIND, krijgt_steun=True)
    return koppeling_starten(
        door=run.door,
        koppeling=koppeling,
        start_op=start,
        afspraken=form.cleaned_data["afspraken"],
        frequentie=form.cleaned_data["frequentie"],
        kinderen=list(kinderen.values_list("pk", flat=True)),
        gepland_einde=form.cleaned_data["gepland_einde"],
        proefperiode_tot=form.cleaned_data["proefperiode_tot"],
        verwijzer_bericht=False,
    )


def _run(door: User, rijen: dict[str, list[dict]]) -> Run:
    """Every row of the file, in the order the rows lean on each other:
    families with their members, then the koppelingen between them."""
    run = Run(door=door)
    per_gezin = defaultdict(list)
    for rij in rijen.get(GEZINSLEDEN.naam, []):
        per_gezin[str(rij.get("gezin", "")).strip().lower()].append(rij)
    codes = set()
    with translation.override("nl"):
        for tabel in (VRAAGGEZINNEN, STEUNGEZINNEN):
            run.tabellen[tabel.naam] = []
            for rij in rijen.get(tabel.naam, []):
                code = str(rij.get("code", "")).strip().lower()
                dubbel = code in codes
                leden = [] if dubbel else per_gezin.get(code, [])
                codes.add(code)
                run.tabellen[tabel.naam].append(_gezin(run, tabel, rij, leden, dubbel))
        zonder_gezin = [
            Uitkomst(
                rij=rij["rij"],
                code=str(rij.get("gezin", "")),
                titel=f"{rij.get('voornaam', '')} {rij.get('achternaam', '')}".strip(),
                fouten=[
                    f"Gezin: geen vraag- of steungezin met code '{rij.get('gezin', '')}' "
                    "in het bestand."
                ],
            )
            for code, leden in per_gezin.items()
            if code not in codes
            for rij in leden
        ]
        run.tabellen[GEZINSLEDEN.naam] = zonder_gezin
        run.tabellen[KOPPELINGEN.naam] = [
            _koppeling(run, rij) for rij in rijen.get(KOPPELINGEN.naam, [])
        ]
    return run


# The import's life ---------------------------------------------------------


def _claim(import_: Import, *statussen: str) -> Import:
    current = Import.objects.select_for_update().get(pk=import_.pk)
    if current.status not in statussen:
        raise TransitionError(f"Deze import is {current.get_status_display()}.")
    return current


@transaction.atomic
def import_aanmaken(*, door: User, bestanden: list[str], rijen: dict[str, list[dict]]) -> Import:
    """An uploaded file, read (importeren.lezen), waiting for its check."""
    if not door.is_coordinator:
        raise TransitionError("Alleen een professionele coördinator kan importeren.")
    import_ = Import(
        organisatie_id=door.organisatie_id,
        door=door,
        bestanden=", ".join(bestanden)[:500],
        rijen=rijen,
    )
    import_.full_clean()
    import_.save()
    audit.aangemaakt(
        door=door,
        obj=import_,
        toelichting="geüpload: "
        + ", ".join(f"{len(r)} {naam.lower()}" for naam, r in rijen.items() if r),
    )
    return import_


def import_controleren(*, import_: Import) -> Import:
    """The preview: the whole file through the services, then rolled back."""
    with transaction.atomic():
        current = _claim(import_, Import.Status.CONTROLEREN)
        run = _run(current.door, current.rijen)
        verslag = run.verslag()
        transaction.set_rollback(True)
    with transaction.atomic():
        current = _claim(import_, Import.Status.CONTROLEREN)
        current.verslag = verslag
        current.status = Import.Status.VOORBEELD
        current.save(update_fields=["verslag", "status"])
    return current


@transaction.atomic
def import_goedkeuren(*, door: User, import_: Import, alleen_geldige: bool) -> Import:
    """The coordinator's choice after the preview: the whole file, which must
    be free of errors, or the rows without errors only. A second click finds
    the import on its way and changes nothing."""
    current = _claim(import_, Import.Status.VOORBEELD)
    if current.door.organisatie_id != door.organisatie_id or not door.is_coordinator:
        raise TransitionError("Deze import is niet van uw organisatie.")
    if not alleen_geldige and current.fouten():
        raise ValidationError(
            f"Er staan nog {current.fouten()} rijen met fouten in het bestand: verbeter ze, "
            "of kies voor alleen de rijen zonder fouten."
        )
    if alleen_geldige and not current.geldig():
        raise ValidationError("Geen enkele rij is zonder fouten: er valt niets in te voeren.")
    current.status = Import.Status.INVOEREN
    current.alleen_geldige = alleen_geldige
    current.door = door
    current.save(update_fields=["status", "alleen_geldige", "door"])
    return current


def import_invoeren(*, import_: Import) -> Import:
    """Store the rows for real. All or nothing, unless the rows without errors
    were chosen: then the rest is left out. A row that the database refuses
    now but did not at the preview (a family registered meanwhile) is an
    error like any other: with all-or-nothing, nothing is stored and the
    preview shows it."""
    with transaction.atomic():
        current = _claim(import_, Import.Status.INVOEREN)
        run = _run(current.door, current.rijen)
        verslag = run.verslag()
        fouten = fouten_in(verslag)
        opgeslagen = current.alleen_geldige or not fouten
        if not opgeslagen:
            transaction.set_rollback(True)
        else:
            gezinnen = run.gemaakt["gezinnen"]
            telling = (
                f"{len(gezinnen)} gezinnen, {len(run.gemaakt['koppelingen'])} koppelingen"
                f"{f', {fouten} rijen met fouten overgeslagen' if fouten else ''}"
            )
            entry = audit.ingevoerd(
                door=current.door,
                obj=current,
                wat=f"ingevoerd: {telling}",
                records=list(Gezin.objects.filter(pk__in=gezinnen)),
            )
            current.status = Import.Status.INGEVOERD
            current.ingevoerd_op = timezone.now()
            current.gemaakt = dict(run.gemaakt)
            current.laatste_audit_id = entry.pk
            current.verslag = verslag
            current.rijen = {}
            current.save()
    if not opgeslagen:
        with transaction.atomic():
            current = _claim(import_, Import.Status.INVOEREN)
            current.status = Import.Status.VOORBEELD
            current.verslag = verslag
            current.save(update_fields=["status", "verslag"])
    return current


def ongedaan_maken_kan_niet(import_: Import) -> str | None:
    """Why the import cannot be undone now (None: it can)."""
    if import_.status != Import.Status.INGEVOERD:
        return f"Deze import is {import_.get_status_display()}."
    if timezone.now() > import_.ongedaan_tot():
        return "Een import kan alleen binnen een dag ongedaan worden gemaakt."
    gezinnen = import_.gemaakt.get("gezinnen", [])
    later = (
        AuditEntry.objects.filter(
            gezinnen__gezin_id__in=gezinnen, pk__gt=import_.laatste_audit_id or 0
        )
        .exclude(action__in=[AuditEntry.Action.VIEW, AuditEntry.Action.EXPORT])
        .aggregate(eerste=Max("pk"))["eerste"]
    )
    if later:
        return (
            "Sinds de import is er aan deze gezinnen iets vastgelegd of gewijzigd; dat zou "
            "verloren gaan. Maak het daar ongedaan, of verwijder de gezinnen niet."
        )
    return None


@transaction.atomic
def import_ongedaan_maken(*, door: User, import_: Import) -> Import:
    """Remove everything the import made: its koppelingen, families (with
    their members, screening and timeline) and trainings nobody else uses."""
    current = _claim(import_, Import.Status.INGEVOERD)
    if not door.is_coordinator or door.organisatie_id != current.organisatie_id:
        raise TransitionError("Deze import is niet van uw organisatie.")
    gezinnen = current.gemaakt.get("gezinnen", [])
    # Locked before the check, so that nothing is recorded meanwhile: the
    # koppelingen too, since a check-in, signal or evaluation locks only its
    # koppeling; and in the services' order (koppeling, then family), so that
    # an undo and the end of a koppeling never wait on each other.
    list(
        Koppeling.objects.select_for_update()
        .filter(Q(vraaggezin__in=gezinnen) | Q(steungezin__in=gezinnen))
        .order_by("pk")
        .values_list("pk")
    )
    list(Gezin.objects.select_for_update().filter(pk__in=gezinnen).values_list("pk"))
    if probleem := ongedaan_maken_kan_niet(current):
        raise TransitionError(probleem)
    records = list(Gezin.objects.filter(pk__in=gezinnen))
    koppelingen = Koppeling.objects.filter(pk__in=current.gemaakt.get("koppelingen", []))
    aantal_koppelingen = koppelingen.count()
    koppelingen.delete()
    for model in (Vraaggezin, Steungezin):
        model.objects.filter(pk__in=gezinnen).delete()
    Training.objects.filter(
        pk__in=current.gemaakt.get("trainingen", []), deelnames__isnull=True
    ).delete()
    audit.ongedaan_gemaakt(
        door=door,
        obj=current,
        wat=f"ongedaan gemaakt: {len(records)} gezinnen en {aantal_koppelingen} koppelingen "
        "verwijderd",
        records=records,
    )
    current.status = Import.Status.ONGEDAAN
    current.ongedaan_op = timezone.now()
    # What remains is counts: the families are gone, so are their names.
    current.verslag = {}
    current.save(update_fields=["status", "ongedaan_op", "verslag"])
    return current


def verlopen_vergeten(nu: datetime.datetime | None = None) -> int:
    """After a day, what an import holds of the people in its file: the rows
    of a file that was never imported (nobody brought them into the
    programme), and the preview of one that was (its families are in the
    app, where retention and erasure apply; the copy must not outlive them).
    What remains is the counts."""
    grens = (nu or timezone.now()) - datetime.timedelta(days=1)
    verlopen = Import.objects.filter(
        aangemaakt_op__lt=grens,
        status__in=[Import.Status.VOORBEELD, Import.Status.MISLUKT, Import.Status.CONTROLEREN],
    ).update(rijen={}, verslag={}, status=Import.Status.MISLUKT, fout="Verlopen: niet ingevoerd.")
    for import_ in Import.objects.filter(
        status=Import.Status.INGEVOERD, ingevoerd_op__lt=grens, verslag__has_key="tabellen"
    ).only("verslag"):
        import_.verslag = {"overgeslagen": import_.fouten()}
        import_.save(update_fields=["verslag"])
        verlopen += 1
    return verlopen
