"""The AVG inzage: everything recorded about one family and its members, and
nothing that identifies another family.

Each record is shown with all its fields, read from the model, so that a
field added later is in the inzage without anyone remembering to add it; the
fields left out are listed here with the reason. The other side of a
koppeling is "het steungezin" or "het vraaggezin"; its members' names are
taken out of the texts both families share (the agreements, the notes of a
kennismaking or of a contact with both); what concerns only the other family
(a contact with it alone, a signal about its children, its evaluation
answers) is left out.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts import audit
from accounts.models import User
from gezinnen.models import Gezin, Statuswijziging, Steungezin, Vraaggezin
from matching.correcties import geschiedenis, soort_van
from matching.models import (
    EVALUATIEVRAGEN,
    Bericht,
    Contactmoment,
    Correctie,
    Document,
    Evaluatie,
    Koppeling,
    Notitie,
    Signaal,
)
from screening.models import VOG, TrainingDeelname
from steungezinnen.datums import korte_datum

# Fields that are not about the family: keys, versions, the organisation,
# and the record the section is already under.
TECHNICAL = {"id", "gezin_ptr", "organisatie", "versie", "gezin", "koppeling", "signaal"}
# Lists of codes shown by their labels, through the model's own method.
LABELS = {
    "ondersteuning": "ondersteuning_labels",
    "dagdelen": "dagdeel_labels",
    "aanbod": "aanbod_labels",
    "beschikbaarheid": "dagdeel_labels",
}
VRAGEN = dict(EVALUATIEVRAGEN)
# Fields whose own name says too little out of context.
TITELS = {"vraag_scores": "Scores (vraaggezin)", "steun_scores": "Scores (steungezin)"}
REDACTED = "[naam van het andere gezin]"
# A document is listed, not its content: the name it is stored under and its
# checksum are the store's, not the family's.
DOCUMENT_SKIP = {"bestand", "sha256"}


@dataclass
class Gegeven:
    """One record: a title and its fields as (label, value)."""

    titel: str
    velden: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Onderdeel:
    titel: str
    gegevens: list[Gegeven] = field(default_factory=list)


@dataclass
class Inzage:
    gezin: Gezin
    soort: str
    onderdelen: list[Onderdeel]
    log: list[tuple[datetime.datetime, str, str]]


def inzage(gezin: Gezin) -> Inzage:
    """The family's whole file, in sections; ``gezin`` is a Vraaggezin or a
    Steungezin (the concrete one)."""
    vraag = isinstance(gezin, Vraaggezin)
    onderdelen = [
        Onderdeel("Gezin", [Gegeven(str(gezin._meta.verbose_name).capitalize(), velden(gezin))]),
        Onderdeel(
            "Huishouden",
            [Gegeven(str(lid), velden(lid)) for lid in gezin.leden.all()],
        ),
        Onderdeel(
            "Statussen",
            [
                # A reason written before steps named koppelingen by number
                # may name the other family ("koppeling met Gezin X").
                Gegeven(f"{korte_datum(s.op)}", velden(s, hide=_names(*_partners(gezin, vraag))))
                for s in Statuswijziging.objects.filter(gezin=gezin).select_related("door")
            ],
        ),
        Onderdeel(
            "Wijk door de tijd",
            [
                Gegeven(f"vanaf {korte_datum(p.vanaf)}", velden(p))
                for p in gezin.wijkperiodes.select_related("wijk").order_by("vanaf")
            ],
        ),
    ]
    onderdelen.append(
        Onderdeel(
            "Notities",
            [
                Gegeven(f"Notitie {korte_datum(n.op)}", velden(n))
                for n in Notitie.objects.filter(gezin=gezin).select_related("door")
            ],
        )
    )
    onderdelen.append(
        Onderdeel(
            "Documenten",
            [
                _document(d)
                for d in Document.objects.filter(Q(gezin=gezin) | Q(gezinslid__gezin=gezin))
                .select_related("door", "gezinslid")
                .order_by("op", "pk")
            ],
        )
    )
    onderdelen.append(
        Onderdeel(
            "Verstuurde mail",
            [
                Gegeven(f"Mail {korte_datum(b.op)}", velden(b))
                for b in Bericht.objects.filter(gezin=gezin).select_related("door")
            ],
        )
    )
    if not vraag:
        onderdelen += _screening(gezin)
    onderdelen += _koppelingen(gezin, vraag)
    return Inzage(
        gezin=gezin,
        soort=str(gezin._meta.verbose_name),
        onderdelen=[o for o in onderdelen if o.gegevens],
        log=_log(gezin),
    )


def _screening(gezin: Steungezin) -> list[Onderdeel]:
    leden = list(gezin.leden.all())
    vogs = VOG.objects.filter(gezinslid__in=leden).select_related("gezinslid", "bijgewerkt_door")
    deelnames = TrainingDeelname.objects.filter(gezinslid__in=leden).select_related(
        "training", "gezinslid"
    )
    return [
        *_screening_items(gezin, vogs, deelnames),
        Onderdeel("Correcties in de screening", _screening_correcties(gezin, vogs, deelnames)),
    ]


def _screening_correcties(gezin: Steungezin, vogs, deelnames) -> list[Gegeven]:
    """The corrections of the screening items, and those withdrawn, by item."""
    items = [
        *vogs,
        *deelnames,
        *gezin.screeningsgesprekken.select_related("door"),
        *gezin.referenties.all(),
    ]
    weg = geschiedenis(items, Correctie.objects.filter(gezin=gezin).select_related("door"))
    gegevens = []
    for item in items:
        gegevens += _correcties(item.geschiedenis, soort_van(item).naam_van(item), None)
    for item in weg:
        gegevens += _correcties(item.geschiedenis, item.titel, None)
    return gegevens


def _screening_items(gezin: Steungezin, vogs, deelnames) -> list[Onderdeel]:
    return [
        Onderdeel(
            "VOG",
            [Gegeven(f"VOG van {vog.gezinslid}", velden(vog)) for vog in vogs.order_by("pk")],
        ),
        Onderdeel(
            "Screening",
            [
                *(
                    Gegeven(g.get_soort_display().capitalize(), velden(g))
                    for g in gezin.screeningsgesprekken.select_related("door")
                ),
                *(
                    Gegeven("Referentie", velden(r))
                    for r in gezin.referenties.select_related("door")
                ),
                *(
                    Gegeven(f"Criterium: {b.criterium}", velden(b, skip={"criterium"}))
                    for b in gezin.criteriumbeoordelingen.select_related("criterium", "door")
                ),
            ],
        ),
        Onderdeel(
            "Trainingen",
            [
                Gegeven(
                    f"{d.training.titel} ({d.gezinslid})",
                    velden(d.training, skip={"deelnemers"}),
                )
                for d in deelnames.order_by("training__datum")
            ],
        ),
    ]


def _koppelingen(gezin: Gezin, vraag: bool) -> list[Onderdeel]:
    koppelingen = (
        Koppeling.objects.filter(**{"vraaggezin" if vraag else "steungezin": gezin})
        .select_related("coordinator", "vrijwilliger", "vraaggezin", "steungezin")
        .prefetch_related(
            "steungezin__leden" if vraag else "vraaggezin__leden",
            "kinderen",
            Prefetch("contactmomenten", queryset=Contactmoment.objects.select_related("door")),
            Prefetch(
                "signalen",
                queryset=Signaal.objects.select_related("gemeld_door").prefetch_related(
                    "stappen__door"
                ),
            ),
            "evaluaties__door",
            Prefetch("notities", queryset=Notitie.objects.select_related("door")),
            Prefetch("documenten", queryset=Document.objects.select_related("door")),
            Prefetch("correcties", queryset=Correctie.objects.select_related("door")),
        )
        .order_by("voorgesteld_op", "pk")
    )
    other = "het steungezin" if vraag else "het vraaggezin"
    own_side = Contactmoment.Met.VRAAGGEZIN if vraag else Contactmoment.Met.STEUNGEZIN
    niet_eigen = antwoorden_van_de_ander(vraag)
    onderdelen = []
    for koppeling in koppelingen:
        andere = koppeling.steungezin if vraag else koppeling.vraaggezin
        hide = _names(andere)
        # The vraaggezin's children, in its file only: as agreed, and as corrected.
        skip = frozenset({"vraaggezin", "steungezin", *(() if vraag else ("kinderen",))})
        gegevens = [
            Gegeven(
                f"Koppeling nr. {koppeling.pk} met {other}", velden(koppeling, skip=skip, hide=hide)
            )
        ]
        contacten = list(koppeling.contactmomenten.all())
        # The koppeling's own history (an end undone), then its contacts'.
        stappen = [stap for signaal in koppeling.signalen.all() for stap in signaal.stappen.all()]
        evaluaties = list(koppeling.evaluaties.all())
        ingetrokken = geschiedenis(
            [koppeling, *contacten, *stappen, *evaluaties], koppeling.correcties.all()
        )
        gegevens += _correcties(
            koppeling.geschiedenis, f"Koppeling nr. {koppeling.pk}", hide, skip=skip
        )
        for contact in contacten:
            if contact.met in (own_side, Contactmoment.Met.BEIDE):
                gegevens.append(
                    Gegeven(
                        f"Contactmoment {korte_datum(contact.datum)}", velden(contact, hide=hide)
                    )
                )
                gegevens += _correcties(
                    contact.geschiedenis, f"Contactmoment {korte_datum(contact.datum)}", hide
                )
        # A withdrawn contact by what it was: with the family, or with both;
        # a withdrawn evaluation with the family's own answers only.
        eigen = {str(Contactmoment.Met(m).label) for m in (own_side, Contactmoment.Met.BEIDE)}
        for weg in ingetrokken:
            if weg.soort == "evaluatie":
                gegevens += _correcties(weg.geschiedenis, weg.titel, hide, skip=niet_eigen)
            elif weg.intrekking.oud.get("met") in eigen:
                gegevens += _correcties(weg.geschiedenis, weg.titel, hide)
        if vraag:
            # Signals concern the vraaggezin's children: in its file only.
            for signaal in koppeling.signalen.all():
                gegevens.append(
                    Gegeven(
                        f"Signaal {korte_datum(signaal.gemeld_op)}",
                        velden(signaal, skip={"contactmoment"}, hide=hide),
                    )
                )
                for stap in signaal.stappen.all():
                    titel = f"Meldcode: {stap.get_stap_display()}"
                    gegevens.append(Gegeven(titel, velden(stap, hide=hide)))
                    gegevens += _correcties(stap.geschiedenis, titel, hide)
        # A note on the koppeling is about both families, like its agreements;
        # one for professionals only may hold a concern about the vraaggezin's
        # children, as a signal does: in its file only.
        gegevens += [
            Gegeven(f"Notitie {korte_datum(n.op)}", velden(n, hide=hide))
            for n in koppeling.notities.all()
            if vraag or not n.alleen_professionals
        ]
        gegevens += [_document(d, hide) for d in koppeling.documenten.all()]
        for evaluatie in evaluaties:
            titel = f"{evaluatie.get_soort_display().capitalize()} {korte_datum(evaluatie.datum)}"
            gegevens.append(Gegeven(titel, _evaluatie(evaluatie, vraag, hide)))
            gegevens += _correcties(evaluatie.geschiedenis, titel, hide, skip=niet_eigen)
        onderdelen.append(Onderdeel(f"Koppeling nr. {koppeling.pk}", gegevens))
    return onderdelen


def _document(document: Document, hide: re.Pattern | None = None) -> Gegeven:
    return Gegeven(
        f"Document {korte_datum(document.op)}", velden(document, skip=DOCUMENT_SKIP, hide=hide)
    )


def _correcties(
    history: list[Correctie],
    titel: str,
    hide: re.Pattern | None,
    skip: frozenset[str] = frozenset(),
) -> list[Gegeven]:
    """An item's corrections and withdrawal: who, when, why, old and new,
    without the fields in ``skip``. A correction of those fields only is
    left out: it concerns what the family does not see."""
    gegevens = []
    for correctie in history:
        if skip and not correctie.alleen_oud and set(correctie.oud) <= skip:
            continue
        rows = [
            ("Door", _shown(correctie.door)),
            ("Op", _shown(correctie.op)),
            ("Reden", correctie.reden),
        ]
        for label, oud, nieuw in correctie.wijzigingen(zonder=skip):
            rows.append((label[:1].upper() + label[1:], oud if not nieuw else f"{oud} → {nieuw}"))
        if hide is not None:
            rows = [(label, hide.sub(REDACTED, value)) for label, value in rows]
        gegevens.append(Gegeven(f"{titel}: {correctie.get_soort_display()}", rows))
    return gegevens


def antwoorden_van_de_ander(vraag: bool) -> frozenset[str]:
    """The fields of an evaluation with the other family's answers (``vraag_``
    or ``steun_``): its own business, left out of this family's inzage, as
    the evaluation and as the old and new values of its corrections."""
    other = "steun_" if vraag else "vraag_"
    return frozenset(f.name for f in Evaluatie._meta.concrete_fields if f.name.startswith(other))


def _evaluatie(evaluatie, vraag: bool, hide: re.Pattern | None) -> list[tuple[str, str]]:
    """The family's own answers and scores, and the coordinator's conclusion."""
    own = "vraag" if vraag else "steun"
    shown = velden(evaluatie, skip=antwoorden_van_de_ander(vraag), hide=hide)
    scores = getattr(evaluatie, f"{own}_scores") or {}
    label = _label(evaluatie._meta.get_field(f"{own}_scores"))
    return [(name, value) if name != label else (name, _scores(scores)) for name, value in shown]


def _scores(scores: dict) -> str:
    return "; ".join(f"{VRAGEN.get(key, key)}: {value}" for key, value in scores.items()) or "—"


def _log(gezin: Gezin) -> list[tuple[datetime.datetime, str, str]]:
    """Who looked at the file or changed it. A list the family was on shows
    as the list, not as the other families on it."""
    rows = []
    for entry in audit.over_gezin(gezin).order_by("timestamp", "id"):
        who = entry.user.get_full_name() if entry.user else "via een formulier of automatisch"
        detail = entry.detail
        if not entry.object_id:
            detail = detail.split(":", 1)[0]
        what = entry.get_action_display()
        if entry.object_id == str(gezin.pk) and entry.object_type.startswith("gezinnen."):
            what += f" ({entry.object_type.partition('.')[2]})"  # this family itself
        elif entry.object_repr:
            what += f" ({entry.object_repr})"
        rows.append((entry.timestamp, who, f"{what}{': ' + detail if detail else ''}"))
    return rows


# Fields of one record


def velden(
    obj: models.Model, *, skip: set[str] = frozenset(), hide: re.Pattern | None = None
) -> list[tuple[str, str]]:
    """Every field of ``obj`` as (label, value), except the technical ones and
    ``skip``; names matched by ``hide`` are taken out of the texts."""
    shown = []
    for f in shown_fields(type(obj), skip):
        value = _value(obj, f)
        if hide is not None and isinstance(f, models.CharField | models.TextField):
            value = hide.sub(REDACTED, value)
        shown.append((_label(f), value))
    return shown


def shown_fields(model: type[models.Model], skip: set[str] = frozenset()) -> list[models.Field]:
    """The fields of ``model`` an inzage shows: all but the technical ones."""
    return [
        f
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if f.name not in TECHNICAL and f.name not in skip and not f.name.endswith("_ptr")
    ]


def _label(f: models.Field) -> str:
    label = TITELS.get(f.name, str(f.verbose_name))
    return label[:1].upper() + label[1:]


def _value(obj: models.Model, f: models.Field) -> str:
    if f.many_to_many:
        return ", ".join(str(item) for item in getattr(obj, f.name).all()) or "—"
    if f.name in LABELS and hasattr(obj, LABELS[f.name]):
        return ", ".join(getattr(obj, LABELS[f.name])()) or "—"
    value = getattr(obj, f.name)
    if f.choices:
        return str(getattr(obj, f"get_{f.name}_display")()) or "—"
    return _shown(value)


def _shown(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{korte_datum(value)} {value:%H:%M}"
    if isinstance(value, datetime.date):
        return korte_datum(value)
    if isinstance(value, User):
        return value.get_full_name()
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _partners(gezin: Gezin, vraag: bool) -> list[Gezin]:
    """The families on the other side of the family's koppelingen."""
    model = Steungezin if vraag else Vraaggezin
    side = "koppelingen__vraaggezin" if vraag else "koppelingen__steungezin"
    return list(model.objects.filter(**{side: gezin}).distinct().prefetch_related("leden"))


def _names(*gezinnen: Gezin) -> re.Pattern | None:
    """The other families' names and their members' names, as whole words."""
    names = {
        n
        for gezin in gezinnen
        for n in (
            gezin.naam,
            *(n for lid in gezin.leden.all() for n in (lid.voornaam, lid.achternaam)),
        )
    }
    names = sorted((n for n in names if n and len(n) > 1), key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b", re.IGNORECASE)
