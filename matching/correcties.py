"""Corrections with history: a coordinator corrects or withdraws a recorded
item with a reason, through one mechanism for every kind of item.

Each kind is a ``Soort`` in ``SOORTEN``: which fields can be corrected, which
items a user may correct (the gate), the row locked first, the checks beyond
the model's own, why a withdrawal is refused, and what follows a change (the
next check-in). ``corrigeren`` and ``intrekken`` are the same for all kinds;
a ``Correctie`` keeps the values as shown before and after, the audit log
only the names of the fields.

A withdrawn item is deleted and its values stay in its Correctie: whatever
reads items (the koppeling page, the next check-in, the municipal figures,
exports, the agenda, the inzage) then finds it never recorded, without a
filter in each of those places that a new one could forget.

Corrections are a correction, not an addition: they are allowed on a closed
koppeling too (the transition table's "contactmoment" step is for adding),
but not once a family of it is anonymised, since the texts are gone then.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse

from accounts import audit
from accounts.models import User
from gezinnen.integrity import TransitionError, claim, field_labels, same
from gezinnen.models import Gezin, Gezinslid, Steungezin, today
from matching.models import (
    Contactmoment,
    CoordinatieUren,
    Correctie,
    Evaluatie,
    Koppeling,
    MeldcodeStap,
    Signaal,
)
from matching.services import MAX_UREN_PER_WEEK, uren_problemen
from screening import stand
from screening.models import VOG, Referentie, ScreeningGesprek, TrainingDeelname
from screening.services import VOG_VELDEN
from steungezinnen.datums import korte_datum

NIETS_GEWIJZIGD = "Er is niets gewijzigd: pas minstens één gegeven aan, of annuleer de correctie."
REDEN_NODIG = "Geef de reden van de correctie."


@dataclass(frozen=True)
class Soort:
    """One kind of correctable item."""

    naam: str  # in the URL names: "contactmoment", "uren"
    model: type[models.Model]
    velden: tuple[str, ...]
    # The items ``door`` may correct: the gate, as visible_to is for pages.
    items: Callable[[User], models.QuerySet]
    # The row locked first: what additions of this kind lock too (the
    # koppeling; the coordinator, for hours; the steungezin, for screening),
    # so that a correction waits for them and they for it. A foreign key of
    # the item, or a lookup through one ("gezinslid__gezin") with the model
    # to lock it as in ``ouder_model``.
    ouder: str
    # The item's name from its shown values (``getoond``), for a page and
    # for a withdrawn item, which only its Correctie still describes.
    titel: Callable[[dict[str, str]], str]
    # Fields that say which item it was, kept with the values of a
    # withdrawn one (the week of hours).
    kenmerken: tuple[str, ...] = ()
    # Checks of the corrected values that the model's full_clean lacks.
    controle: Callable[[models.Model], None] = lambda item: None
    # Why this item cannot be corrected or withdrawn now, or None.
    weigering: Callable[[models.Model], str | None] = lambda item: None
    weigering_intrekken: Callable[[models.Model], str | None] = lambda item: None
    # After a correction or withdrawal, with the locked row of ``ouder``.
    nawerking: Callable[[models.Model], None] = lambda ouder: None
    # Page views of items about a family are audited; hours are about none.
    over_gezin: bool = True
    ouder_model: type[models.Model] | None = None
    # Fields given to ``corrigeren`` under another name, since theirs is one
    # of its own keywords: (field, keyword), as who held a conversation
    # (``door``) is ``gevoerd_door`` in screening.services.gesprek_vastleggen.
    trefwoorden: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def trefwoord(self, veld: str) -> str:
        return dict(self.trefwoorden).get(veld, veld)

    def argumenten(self, waarden: dict[str, object]) -> dict[str, object]:
        """{field: value} as ``corrigeren`` takes them: by keyword."""
        return {self.trefwoord(naam): value for naam, value in waarden.items()}

    def waarden(self, item: models.Model) -> dict[str, str]:
        """The item's identifying and correctable fields, as shown."""
        return {naam: getoond(item, naam) for naam in (*self.kenmerken, *self.velden)}

    def naam_van(self, item: models.Model) -> str:
        return self.titel(self.waarden(item))


# Contactmomenten -------------------------------------------------------------


def _contact_controle(contact: Contactmoment) -> None:
    koppeling = contact.koppeling
    if contact.datum > today():
        raise ValidationError({"datum": "Een contactmoment kan niet in de toekomst liggen."})
    if koppeling.start_op and contact.datum < koppeling.start_op:
        raise ValidationError({"datum": "Een contactmoment kan niet vóór de start liggen."})
    if koppeling.einde_op and contact.datum > koppeling.einde_op:
        raise ValidationError({"datum": "Een contactmoment kan niet na het einde liggen."})


def _contact_weigering(contact: Contactmoment) -> str | None:
    koppeling = contact.koppeling
    if koppeling.vraaggezin.geanonimiseerd_op or koppeling.steungezin.geanonimiseerd_op:
        return "De gegevens van deze koppeling zijn gewist; er valt niets meer te corrigeren."
    return None


def _contact_weigering_intrekken(contact: Contactmoment) -> str | None:
    # A signal points at the check-in it was raised in: withdrawing that
    # would leave the Meldcode file without its context.
    if contact.signalen.exists():
        return (
            "Bij dit contactmoment is een signaal gemeld; een contactmoment met een signaal "
            "kan niet worden ingetrokken. Corrigeer het zo nodig."
        )
    return None


CONTACTMOMENT = Soort(
    naam="contactmoment",
    model=Contactmoment,
    velden=("datum", "met", "hoe", "verloop", "notities", "volgende_op"),
    items=lambda door: Contactmoment.objects.filter(
        koppeling__in=Koppeling.objects.visible_to(door)
    ),
    ouder="koppeling",
    titel=lambda waarden: f"Contactmoment {waarden['datum']} met {waarden['met']}",
    controle=_contact_controle,
    weigering=_contact_weigering,
    weigering_intrekken=_contact_weigering_intrekken,
    # The next check-in follows from the check-ins left, by the cadence.
    nawerking=lambda koppeling: koppeling.contact_plannen(),
)


# Evaluaties ------------------------------------------------------------------


def _evaluatie_controle(evaluatie: Evaluatie) -> None:
    koppeling = evaluatie.koppeling
    if evaluatie.datum > today():
        raise ValidationError({"datum": "Een evaluatie kan niet in de toekomst liggen."})
    if koppeling.start_op and evaluatie.datum < koppeling.start_op:
        raise ValidationError({"datum": "Een evaluatie kan niet vóór de start liggen."})
    for scores in (evaluatie.vraag_scores, evaluatie.steun_scores):
        if any(not 1 <= int(score) <= 5 for score in scores.values()):
            raise ValidationError("Een score is 1 tot en met 5.")


EVALUATIE = Soort(
    naam="evaluatie",
    model=Evaluatie,
    velden=(
        "soort",
        "datum",
        "vraag_scores",
        "vraag_goed",
        "vraag_beter",
        "vraag_doorgaan",
        "steun_scores",
        "steun_goed",
        "steun_beter",
        "steun_doorgaan",
        "conclusie",
    ),
    items=lambda door: Evaluatie.objects.filter(koppeling__in=Koppeling.objects.visible_to(door)),
    ouder="koppeling",
    titel=lambda waarden: f"{waarden['soort'].capitalize()} {waarden['datum']}",
    controle=_evaluatie_controle,
    weigering=_contact_weigering,
    # The next evaluation follows from those left (a year after the last).
    nawerking=lambda koppeling: koppeling.evaluatie_plannen(),
)


# Meldcode steps --------------------------------------------------------------
# A step of the Meldcode is part of the file a professional may have to
# account for (to Veilig Thuis, to the inspection): a wrong date or text is
# corrected, with a reason and its history, but a step is never withdrawn.


def _stap_controle(stap: MeldcodeStap) -> None:
    if stap.datum > today():
        raise ValidationError({"datum": "Een stap kan niet in de toekomst liggen."})
    if stap.datum < stap.signaal.gemeld_op.date():
        raise ValidationError(
            {"datum": "Een stap kan niet vóór de melding van het signaal liggen."}
        )


def _stap_weigering(stap: MeldcodeStap) -> str | None:
    koppeling = stap.signaal.koppeling
    if koppeling.vraaggezin.geanonimiseerd_op or koppeling.steungezin.geanonimiseerd_op:
        return "De gegevens van deze koppeling zijn gewist; er valt niets meer te corrigeren."
    return None


MELDCODESTAP = Soort(
    naam="meldcodestap",
    model=MeldcodeStap,
    # The step itself stays: step 5 closes the signal, and the database
    # allows the decision's flags only with it (its check constraint, which
    # full_clean runs since ``stap`` is among the fields it checks).
    velden=("datum", "notitie", "hulp_georganiseerd", "melding_veilig_thuis"),
    kenmerken=("stap",),
    items=lambda door: MeldcodeStap.objects.filter(
        signaal__in=Signaal.objects.filter(koppeling__in=Koppeling.objects.visible_to(door))
    ),
    ouder="signaal",
    titel=lambda waarden: f"Meldcodestap {waarden['stap']}",
    controle=_stap_controle,
    weigering=_stap_weigering,
    weigering_intrekken=lambda stap: (
        "Een stap van de meldcode wordt niet ingetrokken: het dossier van een signaal blijft "
        "volledig. Corrigeer de stap, met de reden."
    ),
    # The decision's day is the day the signal was closed.
    nawerking=lambda signaal: _besluit_volgen(signaal),
)


def _besluit_volgen(signaal: Signaal) -> None:
    besluit = signaal.stappen.filter(stap=MeldcodeStap.Stap.BESLUIT).first()
    if besluit and signaal.afgehandeld_op != besluit.datum:
        signaal.afgehandeld_op = besluit.datum
        signaal.save(update_fields=["afgehandeld_op"])


# Koppeling agreements --------------------------------------------------------
# Recorded at the start (koppeling_starten); corrected afterwards with a
# reason. Never withdrawn: a koppeling that should not run is closed.


def _afspraken_controle(koppeling: Koppeling) -> None:
    errors = {}
    for naam, wat in (
        ("proefperiode_tot", "Het einde van de proefperiode"),
        ("gepland_einde", "Het geplande einde"),
    ):
        dag = getattr(koppeling, naam)
        if dag and koppeling.start_op and dag <= koppeling.start_op:
            errors[naam] = f"{wat} ligt na de start ({korte_datum(koppeling.start_op)})."
    if not koppeling.afspraken.strip():
        errors["afspraken"] = "Beschrijf de afspraken."
    # As at the start (koppeling_starten): one or more of the vraaggezin's children.
    kinderen = koppeling.kinderen.all()
    if not kinderen.exists():
        errors["kinderen"] = "Kies een of meer kinderen van het vraaggezin."
    elif kinderen.exclude(gezin_id=koppeling.vraaggezin_id, soort=Gezinslid.Soort.KIND).exists():
        errors["kinderen"] = "Kies alleen kinderen van het vraaggezin."
    if errors:
        raise ValidationError(errors)


def _afspraken_weigering(koppeling: Koppeling) -> str | None:
    if koppeling.vraaggezin.geanonimiseerd_op or koppeling.steungezin.geanonimiseerd_op:
        return "De gegevens van deze koppeling zijn gewist; er valt niets meer te corrigeren."
    if not koppeling.start_op:
        return "Deze koppeling is nog niet gestart: de afspraken worden bij de start vastgelegd."
    return None


def _afspraken_nawerking(koppeling: Koppeling) -> None:
    # The row is locked; read it as corrected: the end of the trial period
    # decides the next evaluation.
    Koppeling.objects.get(pk=koppeling.pk).evaluatie_plannen()


AFSPRAKEN = Soort(
    naam="afspraken",
    model=Koppeling,
    velden=("afspraken", "frequentie", "kinderen", "proefperiode_tot", "gepland_einde"),
    # Checked with them, so that full_clean runs the database's checks of
    # the dates against the start.
    kenmerken=("start_op",),
    items=lambda door: Koppeling.objects.visible_to(door),
    # The koppeling itself: every step of it locks its row.
    ouder="pk",
    ouder_model=Koppeling,
    titel=lambda waarden: "Afspraken van de koppeling",
    controle=_afspraken_controle,
    weigering=_afspraken_weigering,
    weigering_intrekken=lambda koppeling: (
        "Afspraken worden niet ingetrokken; corrigeer ze, of sluit de koppeling af."
    ),
    nawerking=_afspraken_nawerking,
)


# Coördinatie-uren ------------------------------------------------------------


def _uren_controle(regel: CoordinatieUren) -> None:
    # The limits of uren_vastleggen: a gemeente of the organisation, a tenth
    # of an hour, a row per gemeente, at most 80 hours in the week.
    if problemen := uren_problemen(regel.organisatie, {regel.gemeente: regel.uren}):
        raise ValidationError(problemen)
    if not regel.uren:
        raise ValidationError(
            {"uren": "Vul meer dan 0 uren in; waren er geen uren, trek de regel dan in."}
        )
    week = CoordinatieUren.objects.filter(coordinator=regel.coordinator, week=regel.week).exclude(
        pk=regel.pk
    )
    if week.filter(gemeente=regel.gemeente).exists():
        raise ValidationError(
            {"gemeente": f"Voor {regel.gemeente_label} staan in deze week al uren."}
        )
    totaal = sum(week.values_list("uren", flat=True), Decimal(0)) + regel.uren
    if totaal > MAX_UREN_PER_WEEK:
        raise ValidationError(
            {"uren": f"Een week heeft hoogstens {MAX_UREN_PER_WEEK} uur coördinatie."}
        )


UREN = Soort(
    naam="uren",
    model=CoordinatieUren,
    velden=("gemeente", "uren"),
    # A coordinator's own hours, as the hours page lists them.
    items=lambda door: CoordinatieUren.objects.filter(coordinator=door),
    ouder="coordinator",
    kenmerken=("week",),
    titel=lambda waarden: f"Uren week van {waarden['week']}, {waarden['gemeente']}",
    controle=_uren_controle,
    over_gezin=False,
)


# Screening items ---------------------------------------------------------------
# They belong to a steungezin, not to a koppeling: each is locked through the
# steungezin's row, as every screening service locks it, and the stored
# verdict (screening.stand) follows in the same transaction.


def steungezin_van(item: models.Model) -> Gezin:
    """The family a screening item belongs to."""
    return item.gezinslid.gezin if hasattr(item, "gezinslid_id") else item.steungezin


def _screening_weigering(item: models.Model) -> str | None:
    if steungezin_van(item).geanonimiseerd_op:
        return "De gegevens van dit gezin zijn gewist; er valt niets meer te corrigeren."
    return None


def _niet_later_dan_vandaag(item: models.Model, *namen: str) -> None:
    if errors := {
        naam: "Deze datum ligt in de toekomst."
        for naam in namen
        if getattr(item, naam) and getattr(item, naam) > today()
    }:
        raise ValidationError(errors)


def _deelname_controle(deelname: TrainingDeelname) -> None:
    training = deelname.training
    if training.organisatie_id != deelname.gezinslid.gezin.organisatie_id:
        raise ValidationError({"training": "Deze training hoort niet bij de organisatie."})
    if training.datum > today():
        raise ValidationError(
            {"training": "Een training die nog moet komen kan nog niet gevolgd zijn."}
        )
    dubbel = TrainingDeelname.objects.filter(training=training, gezinslid=deelname.gezinslid)
    if dubbel.exclude(pk=deelname.pk).exists():
        raise ValidationError(
            {"training": f"{deelname.gezinslid} staat al bij deze training als deelnemer."}
        )


def _screening(naam: str, model: type[models.Model], ouder: str, **kwargs) -> Soort:
    return Soort(
        naam=naam,
        model=model,
        items=lambda door: model.objects.filter(
            **{f"{ouder}__in": Steungezin.objects.visible_to(door)}
        ),
        ouder=ouder,
        ouder_model=Steungezin,
        weigering=_screening_weigering,
        nawerking=lambda steungezin: stand.bijwerken([steungezin.pk], today()),
        **kwargs,
    )


def _gesprek_controle(gesprek: ScreeningGesprek) -> None:
    _niet_later_dan_vandaag(gesprek, "datum")
    # Who held it, when that is corrected: a coordinator of the family's own
    # organisation, as the page offers them. One recorded before, who has
    # left or changed role since, stays while other fields are corrected.
    if ScreeningGesprek.objects.filter(pk=gesprek.pk, door_id=gesprek.door_id).exists():
        return
    gevoerd_door = gesprek.door
    if (
        gevoerd_door.organisatie_id != gesprek.steungezin.organisatie_id
        or not gevoerd_door.is_coordinator
    ):
        raise ValidationError(
            {"door": "Kies een professionele coördinator van de eigen organisatie."}
        )


GESPREK = _screening(
    "gesprek",
    ScreeningGesprek,
    "steungezin",
    # ``door`` is who held it; who corrects is in the Correctie.
    velden=("soort", "datum", "door", "notities"),
    trefwoorden=(("door", "gevoerd_door"),),
    titel=lambda waarden: f"{waarden['soort'].capitalize()} {waarden['datum']}",
    controle=_gesprek_controle,
)

REFERENTIE = _screening(
    "referentie",
    Referentie,
    "steungezin",
    velden=("naam", "relatie", "benaderd_op", "uitkomst", "notitie"),
    titel=lambda waarden: f"Referentie {waarden['naam']} ({waarden['relatie']})",
    controle=lambda referentie: _niet_later_dan_vandaag(referentie, "benaderd_op"),
)

# A VOG's wrong date or status corrected with a reason, apart from its normal
# progress on the screening page (screening.services.vog_bijwerken); the
# model's clean keeps its dates in order and out of the future.
VOG_SOORT = _screening(
    "vog",
    VOG,
    "gezinslid__gezin",
    velden=tuple(VOG_VELDEN),
    kenmerken=("gezinslid",),
    titel=lambda waarden: f"VOG van {waarden['gezinslid']}",
)

# Withdrawn: the member was not there. Corrected: it was another session.
DEELNAME = _screening(
    "deelname",
    TrainingDeelname,
    "gezinslid__gezin",
    velden=("training",),
    kenmerken=("gezinslid",),
    titel=lambda waarden: f"Training van {waarden['gezinslid']}: {waarden['training']}",
    controle=_deelname_controle,
)


SOORTEN: dict[str, Soort] = {
    soort.naam: soort
    for soort in (
        CONTACTMOMENT,
        EVALUATIE,
        MELDCODESTAP,
        AFSPRAKEN,
        UREN,
        GESPREK,
        REFERENTIE,
        VOG_SOORT,
        DEELNAME,
    )
}
_PER_MODEL = {soort.model: soort for soort in SOORTEN.values()}
_PER_LABEL = {soort.label: soort for soort in SOORTEN.values()}


def soort_van(item: models.Model) -> Soort:
    return _PER_MODEL[type(item)]


# Shown values ----------------------------------------------------------------


def getoond(item: models.Model, naam: str) -> str:
    """A field's value as the page shows it: a choice by its label, a date
    as Dutch writes it, a decimal with a comma; a model can show a field its
    own way with a ``<field>_label`` property (hours: "algemeen")."""
    if hasattr(type(item), f"{naam}_label"):
        return str(getattr(item, f"{naam}_label"))
    veld = item._meta.get_field(naam)
    value = getattr(item, naam)
    if value is None or value == "":
        return "—"
    if veld.choices:
        return str(dict(veld.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime.date):
        return korte_datum(value)
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    return str(value)


# The services ----------------------------------------------------------------


def _begin(door: User, soort: Soort, item: models.Model, reden: str, versie, snapshot_token):
    """Who and why; then the parent row locked, the item locked and its
    version checked and bumped (``claim``). Returns (parent, item now)."""
    if not door.is_coordinator:
        raise TransitionError("Alleen een professionele coördinator kan corrigeren of intrekken.")
    niet_van_u = TransitionError(
        f"Dit {soort.model._meta.verbose_name} bestaat niet (meer) of is niet van u."
    )
    if not soort.items(door).filter(pk=item.pk).exists():
        raise niet_van_u
    if not reden.strip():
        raise ValidationError({"reden": REDEN_NODIG})
    if soort.ouder_model is None:
        veld = soort.model._meta.get_field(soort.ouder)
        ouder_model, ouder_id = veld.related_model, getattr(item, veld.attname)
    else:
        ouder_model = soort.ouder_model
        rij = soort.model.objects.filter(pk=item.pk)
        ouder_id = rij.values_list(soort.ouder, flat=True).first()
    try:
        ouder = ouder_model.objects.select_for_update(no_key=True).get(pk=ouder_id)
    except ouder_model.DoesNotExist as error:  # the item withdrawn meanwhile
        raise niet_van_u from error
    try:
        current = claim(
            soort.model,
            item.pk,
            versie=versie,
            snapshot_token=snapshot_token,
            labels=field_labels(soort.model),
        )
    except soort.model.DoesNotExist as error:  # withdrawn meanwhile
        raise niet_van_u from error
    if "__" not in soort.ouder and soort.ouder != "pk":
        setattr(current, soort.ouder, ouder)
    if problem := soort.weigering(current):
        raise TransitionError(problem)
    return ouder, current


def _correctie(door: User, kind: Soort, item: models.Model, ouder, **kwargs) -> Correctie:
    return Correctie.objects.create(
        organisatie_id=door.organisatie_id,
        item_type=kind.label,
        item_id=item.pk,
        # The koppeling it is about: its own, its signal's, or itself.
        koppeling_id=item.pk
        if isinstance(item, Koppeling)
        else getattr(item, "koppeling_id", None) or getattr(ouder, "koppeling_id", None),
        # A screening item's family: its steungezin, the row locked first.
        gezin_id=ouder.pk if isinstance(ouder, Gezin) else None,
        door=door,
        **kwargs,
    )


@transaction.atomic
def corrigeren(
    *,
    door: User,
    item: models.Model,
    reden: str,
    versie: int | None = None,
    snapshot_token: str = "",
    **waarden,
) -> Correctie:
    """Correct a recorded item: ``waarden`` are its correctable fields (the
    Soort's ``velden``, by keyword: see ``trefwoorden``) as they should be.
    Refused without a reason, when nothing changes, for anyone but a
    coordinator who sees the item, and with EditConflict when it changed
    since the form was opened (``versie``)."""
    soort = soort_van(item)
    per_trefwoord = {soort.trefwoord(naam): naam for naam in soort.velden}
    if unknown := set(waarden) - set(per_trefwoord):
        raise TypeError(f"Niet te corrigeren: {', '.join(sorted(unknown))}")
    waarden = {per_trefwoord[trefwoord]: value for trefwoord, value in waarden.items()}
    meervoudig = {f.name for f in soort.model._meta.many_to_many}
    waarden = {
        naam: {getattr(value, "pk", value) for value in waarde} if naam in meervoudig else waarde
        for naam, waarde in waarden.items()
    }
    ouder, current = _begin(door, soort, item, reden, versie, snapshot_token)
    changed = [
        naam
        for naam in soort.velden
        if naam in waarden and not same(_waarde(current, naam), waarden[naam])
    ]
    if not changed:
        raise ValidationError(NIETS_GEWIJZIGD)
    before = {naam: _waarde(current, naam) for naam in changed}
    oud = {naam: getoond(current, naam) for naam in changed}
    for naam in changed:
        if naam in meervoudig:
            # Written now, so that the checks read them as corrected; a
            # refusal below rolls them back with the transaction.
            getattr(current, naam).set(waarden[naam])
        else:
            setattr(current, naam, waarden[naam])
    soort.controle(current)
    # The correctable fields and the model's own checks; what a correction
    # does not touch (who last updated a VOG) is not its business.
    current.full_clean(
        exclude=[
            f.name
            for f in soort.model._meta.concrete_fields
            if f.name not in soort.velden and f.name not in soort.kenmerken
        ]
    )
    current.save(update_fields=[naam for naam in changed if naam not in meervoudig])
    correctie = _correctie(
        door,
        soort,
        current,
        ouder,
        soort=Correctie.Soort.GECORRIGEERD,
        reden=reden.strip(),
        oud=oud,
        nieuw={naam: getoond(current, naam) for naam in changed},
    )
    soort.nawerking(ouder)
    # The field names, old → new only where the values name nobody.
    audit.gewijzigd(
        door=door, obj=current, wat="gecorrigeerd: " + audit.wijzigingen(current, before, changed)
    )
    item.__dict__.update(
        {f.attname: getattr(current, f.attname) for f in soort.model._meta.concrete_fields}
    )
    return correctie


def _waarde(item: models.Model, naam: str):
    """A field's value; of a many-to-many field, the keys of its items."""
    if item._meta.get_field(naam).many_to_many:
        return {related.pk for related in getattr(item, naam).all()}
    return getattr(item, naam)


def weigering_intrekken(item: models.Model) -> str | None:
    """Why the item cannot be withdrawn, for the page before anyone types."""
    soort = soort_van(item)
    return soort.weigering(item) or soort.weigering_intrekken(item)


@transaction.atomic
def intrekken(
    *,
    door: User,
    item: models.Model,
    reden: str,
    versie: int | None = None,
    snapshot_token: str = "",
) -> Correctie:
    """Withdraw an item that should not have been recorded: it is deleted,
    and its Correctie keeps its values with the reason, so that nothing that
    reads items counts it any more while its history stays."""
    soort = soort_van(item)
    ouder, current = _begin(door, soort, item, reden, versie, snapshot_token)
    if problem := soort.weigering_intrekken(current):
        raise TransitionError(problem)
    correctie = _correctie(
        door,
        soort,
        current,
        ouder,
        soort=Correctie.Soort.INGETROKKEN,
        reden=reden.strip(),
        oud=soort.waarden(current),
    )
    # Logged before the delete, so that the entry names the item's families.
    audit.gewijzigd(door=door, obj=current, wat="ingetrokken")
    current.delete()
    soort.nawerking(ouder)
    return correctie


# The history on a page -------------------------------------------------------


@dataclass
class Ingetrokken:
    """A withdrawn item as its history shows it: its values and corrections."""

    titel: str
    geschiedenis: list[Correctie]

    @property
    def intrekking(self) -> Correctie:
        return self.geschiedenis[-1]

    @property
    def soort(self) -> str:
        """The model's name ("vog"), for a page that lists them per kind."""
        return self.intrekking.item_type.partition(".")[2]


def geschiedenis(
    items: Iterable[models.Model], correcties: Iterable[Correctie]
) -> list[Ingetrokken]:
    """Hang each item's corrections on it (``item.geschiedenis``, oldest
    first, and ``item.gecorrigeerd``, the latest) from corrections fetched
    once for the whole page; returns the withdrawn items among them."""
    per_item: dict[tuple[str, int], list[Correctie]] = {}
    for correctie in correcties:
        per_item.setdefault((correctie.item_type, correctie.item_id), []).append(correctie)
    for item in items:
        history = per_item.pop((item._meta.label_lower, item.pk), [])
        item.geschiedenis = history
        item.gecorrigeerd = history[-1] if history else None
    return [
        Ingetrokken(_PER_LABEL[history[-1].item_type].titel(history[-1].oud), history)
        for history in per_item.values()
        if history[-1].is_intrekking
    ]


def screening_markeren(steungezin: Steungezin, door: User, items: list[models.Model]):
    """The screening page's items marked with their history and, for a
    coordinator, the addresses of their correction pages (screening.markering):
    one query for the family's corrections, however many items it has."""
    correcties = Correctie.objects.filter(gezin_id=steungezin.pk).select_related("door")
    weg = geschiedenis(items, correcties)
    if door.is_coordinator:
        for item in items:
            naam = soort_van(item).naam
            item.corrigeren_url = reverse(f"matching:{naam}-corrigeren", args=[item.pk])
            item.intrekken_url = reverse(f"matching:{naam}-intrekken", args=[item.pk])
    return weg
