"""The integrity layer every write path goes through.

- A **transition table** per lifecycle (``Step`` rows in the model's
  ``STEPS``): which step may be taken from which status, to which status, and
  what else it needs. Services ask the table before they write; templates read
  the same table through ``obj.kan``.
- **Row locks with a version**: ``claim`` locks the row, refuses a form that
  was opened on an older version (``EditConflict`` names who changed what) and
  bumps the version, so that a change made by someone else in between is
  never silently overwritten.
- **One-time form tokens**: ``once`` makes a second submission of the same
  form (a double click, a retry after a time-out) find the first one's record
  instead of writing a second.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models import F

from accounts.models import AuditEntry, User


class TransitionError(Exception):
    """A step the lifecycle or a rule does not allow, with the Dutch reason."""


@dataclass(frozen=True)
class Step:
    """One row of a transition table."""

    label: str
    van: frozenset[str]
    # None: the status stays what it is (a step inside a status).
    naar: str | None = None
    reden_nodig: bool = False
    # Offered on the family's status page (the others have their own page).
    met_de_hand: bool = False
    # Name of a method of the model that returns why the step cannot be taken
    # now (a Dutch sentence), or None when it can.
    voorwaarde: str = ""
    # The step's button on the status page, where the new status alone does
    # not say it (heropenen leads back to aangemeld).
    knop: str = ""


def step(label: str, van, naar: str | None = None, **kwargs) -> Step:
    return Step(label, frozenset(van), naar, **kwargs)


class Steps:
    """Mixin for a model with a ``status`` field and a ``STEPS`` table."""

    STEPS: ClassVar[dict[str, Step]] = {}

    def refusal(self, naam: str) -> str | None:
        """Why the step cannot be taken now, or None when it can."""
        stap = self.STEPS[naam]
        if self.status not in stap.van:
            return (
                f"{stap.label[0].upper()}{stap.label[1:]} kan nu niet: "
                f"de status is {self.get_status_display()}."
            )
        if stap.voorwaarde:
            return getattr(self, stap.voorwaarde)()
        return None

    def check_step(self, naam: str, *, reden: str = "") -> Step:
        """The step, or TransitionError with the reason it is not allowed."""
        if problem := self.refusal(naam):
            raise TransitionError(problem)
        stap = self.STEPS[naam]
        if stap.reden_nodig and not reden.strip():
            raise TransitionError(f"Geef een reden op voor {stap.label}.")
        return stap

    @property
    def kan(self) -> Allowed:
        """For templates: ``{% if koppeling.kan.starten %}``."""
        return Allowed(self)


class Allowed(Mapping):
    """Which steps of the table can be taken now, asked one at a time: a
    template that needs one step does not evaluate the conditions (some of
    them queries) of all the others, e.g. once per family of a list."""

    def __init__(self, obj: Steps):
        self.obj = obj

    def __getitem__(self, naam: str) -> bool:
        if naam not in self.obj.STEPS:
            raise KeyError(naam)
        return self.obj.refusal(naam) is None

    def __iter__(self):
        return iter(self.obj.STEPS)

    def __len__(self) -> int:
        return len(self.obj.STEPS)


# Row locks with a version ------------------------------------------------------


class EditConflict(Exception):
    """Somebody else changed the record after this form was opened."""

    def __init__(self, changed: list[str], by: User | None, current: models.Model):
        self.changed = changed
        self.by = by
        self.current = current
        super().__init__(str(self))

    def __str__(self) -> str:
        who = self.by.get_full_name() if self.by else "Iemand anders"
        what = ", ".join(self.changed) if self.changed else "de status of een onderdeel"
        return (
            f"{who} heeft dit intussen gewijzigd ({what}). Er is niets opgeslagen; "
            "bekijk de huidige gegevens en sla uw wijziging zo nodig opnieuw op."
        )


M = TypeVar("M", bound=models.Model)

SNAPSHOT_SALT = "versie-snapshot"


def same(a, b) -> bool:
    """Equal as a form means it: the choices of a multiple-choice field
    (dagdelen, aanbod) are a set, whatever order they were stored in."""
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return a == b


def _shown(value) -> str:
    return str(sorted(map(str, value))) if isinstance(value, list) else str(value)


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, str]:
    """What a form showed, to tell later what someone else changed."""
    values = {name: _shown(getattr(obj, name, "")) for name in fields if hasattr(obj, name)}
    values.update(getattr(obj, "snapshot_extra", dict)())
    return values


def sign_snapshot(obj: models.Model, fields: list[str]) -> str:
    return signing.dumps(snapshot(obj, fields), salt=SNAPSHOT_SALT, compress=True)


def _last_changer(obj: models.Model) -> User | None:
    types = {obj._meta.label_lower, *(p._meta.label_lower for p in obj._meta.parents)}
    last = (
        AuditEntry.objects.filter(
            object_type__in=types,
            object_id=str(obj.pk),
            action__in=[AuditEntry.Action.CHANGE, AuditEntry.Action.CREATE],
        )
        .select_related("user")
        .first()
    )
    return last.user if last else None


def claim(
    model: type[M],
    pk: int,
    *,
    versie: int | None,
    snapshot_token: str = "",
    labels: dict[str, str] | None = None,
) -> M:
    """Lock the row and bump its version; the caller then writes its fields.

    ``versie`` is the version the form was opened on (None from a command or
    task, which act on what is there now). When the stored version has moved
    on, nothing is written and EditConflict names what the other person
    changed, by comparing the signed snapshot of the form with the row now.
    """
    # FOR NO KEY UPDATE: as exclusive as a change of the row needs, but it
    # lets the foreign-key checks of other transactions (which take KEY SHARE
    # on the rows they reference) pass, so that two steps that lock rows of
    # the same families in turn cannot deadlock on them.
    obj = model.objects.select_for_update(no_key=True).get(pk=pk)
    if versie is not None and obj.versie != versie:
        labels = labels or {}
        try:
            before = signing.loads(snapshot_token, salt=SNAPSHOT_SALT)
        except signing.BadSignature:
            before = {}
        now = snapshot(obj, list(before)) if before else {}
        changed = [labels.get(name, name) for name, value in now.items() if before[name] != value]
        raise EditConflict(changed, _last_changer(obj), obj)
    # An UPDATE of the version column alone: the caller's save(update_fields)
    # then writes only the fields its step changes.
    model.objects.filter(pk=pk).update(versie=F("versie") + 1)
    obj.versie += 1
    return obj


def field_labels(model: type[models.Model]) -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in model._meta.concrete_fields}


# What a versioned form remembers of the row it was opened on: every column
# a person can see change, not the bookkeeping ones.
NOT_SNAPSHOTTED = {"id", "versie", "gewijzigd_op", "aangemaakt_op"}


def version_fields(obj: models.Model) -> dict[str, str]:
    """The hidden ``versie`` and ``snapshot`` values of a form on ``obj``."""
    names = [
        f.name
        for f in obj._meta.concrete_fields
        if f.name not in NOT_SNAPSHOTTED and not f.name.endswith("_ptr")
    ]
    return {"versie": obj.versie, "snapshot": sign_snapshot(obj, names)}


# One-time form tokens --------------------------------------------------------


def new_token() -> str:
    return uuid.uuid4().hex


def already_saved(token: str, user: User | None, model: type[M]) -> M | None:
    """The record a form with this token already made, if any: a repeated
    submission is answered with it before anything else is checked."""
    from gezinnen.models import Inzending

    done = (
        Inzending.objects.filter(
            token=(token or "")[:64], user=user, object_type=model._meta.label_lower
        )
        .exclude(object_id="")
        .first()
    )
    return model._default_manager.filter(pk=done.object_id).first() if done else None


def once(token: str, user: User | None, create: Callable[[], M], model: type[M]) -> tuple[M, bool]:
    """Run ``create`` once per form token: (record, created).

    The token is stored in the same transaction as the record. A second
    submission of the same form waits on the unique index until the first
    commits, and then gets the first one's record back (created False). When
    ``create`` fails, the token goes with it, so the corrected form can be
    sent again. No token (a client without the hidden field): simply create.
    """
    from gezinnen.models import Inzending

    token = (token or "")[:64]
    if not token:
        return create(), True
    with transaction.atomic():
        try:
            with transaction.atomic():
                Inzending.objects.create(
                    token=token, user=user, object_type=model._meta.label_lower
                )
        except IntegrityError:
            if (done := already_saved(token, user, model)) is not None:
                return done, False
            # Somebody else's token: it proves nothing about this submission.
            return create(), True
        obj = create()
        Inzending.objects.filter(token=token).update(object_id=str(obj.pk))
        return obj, True
