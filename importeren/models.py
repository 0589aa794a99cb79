"""An import of an existing programme: the file's rows, their preview and,
once stored, what it made, so that it can be undone as a whole."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

from accounts.models import Organisatie, User

# How long an import can be undone, and how long the rows of a file that was
# never imported are kept.
ONGEDAAN_BINNEN = datetime.timedelta(days=1)


def _rijen_van(verslag: dict) -> list[dict]:
    return [rij for tabel in verslag.get("tabellen", []) for rij in tabel["rijen"]]


def fouten_in(verslag: dict) -> int:
    """An import's report: its rows with errors, and the errors of the file as
    a whole (or, once the rows are forgotten, how many were left out)."""
    meldingen = len(verslag.get("meldingen", [])) + verslag.get("overgeslagen", 0)
    return sum(1 for rij in _rijen_van(verslag) if rij["fouten"]) + meldingen


class ImportQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ImportQuerySet:
        """The organisation's imports, for its professional coordinators: an
        import holds every family of the file."""
        if not (user.is_authenticated and user.is_coordinator):
            return self.none()
        return self.filter(organisatie_id=user.organisatie_id)


class Import(models.Model):
    class Status(models.TextChoices):
        CONTROLEREN = "controleren", "wordt gecontroleerd"
        VOORBEELD = "voorbeeld", "gecontroleerd, nog niet ingevoerd"
        INVOEREN = "invoeren", "wordt ingevoerd"
        INGEVOERD = "ingevoerd", "ingevoerd"
        ONGEDAAN = "ongedaan", "ongedaan gemaakt"
        MISLUKT = "mislukt", "mislukt"

    BEZIG = {Status.CONTROLEREN, Status.INVOEREN}

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="+")
    door = models.ForeignKey(
        User, verbose_name="door", on_delete=models.PROTECT, related_name="imports"
    )
    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.CONTROLEREN
    )
    bestanden = models.CharField("bestanden", max_length=500)
    # The rows as read from the file(s), per table: what is checked and stored.
    # Emptied once imported, undone or expired: the families are in the app then.
    rijen = models.JSONField(default=dict, blank=True)
    # Per table the outcome of each row: as it will be (or was) stored, and its errors.
    verslag = models.JSONField(default=dict, blank=True)
    alleen_geldige = models.BooleanField("alleen de rijen zonder fouten", default=False)
    # What the import made, by model and number: what undoing removes.
    gemaakt = models.JSONField(default=dict, blank=True)
    # The last audit entry the import wrote: a change after it stops the undo.
    laatste_audit_id = models.BigIntegerField(null=True, blank=True, editable=False)
    fout = models.TextField("fout", blank=True)
    aangemaakt_op = models.DateTimeField("geüpload op", default=timezone.now)
    ingevoerd_op = models.DateTimeField("ingevoerd op", null=True, blank=True)
    ongedaan_op = models.DateTimeField("ongedaan gemaakt op", null=True, blank=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        verbose_name = "import"
        verbose_name_plural = "imports"
        ordering = ["-aangemaakt_op", "-id"]

    def __str__(self) -> str:
        return f"Import nr. {self.pk}"

    @property
    def bezig(self) -> bool:
        return self.status in self.BEZIG

    def fouten(self) -> int:
        return fouten_in(self.verslag)

    def geldig(self) -> int:
        return sum(1 for rij in _rijen_van(self.verslag) if not rij["fouten"])

    def ongedaan_tot(self) -> datetime.datetime | None:
        return self.ingevoerd_op + ONGEDAAN_BINNEN if self.ingevoerd_op else None
