from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import models

from accounts.models import Organisatie, OrganisatieQuerySet, User
from gezinnen.models import Gezinslid, Steungezin, age_on, today
from steungezinnen.datums import korte_datum


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day so many months later (or earlier); 31 Jan + 1 = 28/29 Feb."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def needs_vog(lid: Gezinslid, day: datetime.date) -> bool:
    """Every household member of 18 or older on that day, and one who turns 18
    within the organisation's window: by birth date, whatever ``soort`` says."""
    window = datetime.timedelta(days=lid.gezin.organisatie.vog_vooruit_dagen)
    return age_on(lid.geboortedatum, day + window) >= 18


class VOGQuerySet(models.QuerySet):
    def visible_to(self, user) -> VOGQuerySet:
        return self.filter(gezinslid__gezin__in=Steungezin.objects.visible_to(user))


class VOG(models.Model):
    """A Verklaring Omtrent het Gedrag for one household member: only its
    status and dates, never a copy of the certificate."""

    class Status(models.TextChoices):
        AAN_TE_VRAGEN = "aan_te_vragen", "aan te vragen"
        KLAARGEZET = "klaargezet", "klaargezet bij Justis"
        AANGEVRAAGD = "aangevraagd", "aangevraagd"
        ONTVANGEN = "ontvangen", "ontvangen"
        GEWEIGERD = "geweigerd", "geweigerd"

    FINAL = {Status.ONTVANGEN, Status.GEWEIGERD}
    AT_JUSTIS = {Status.KLAARGEZET, Status.AANGEVRAAGD}

    gezinslid = models.ForeignKey(Gezinslid, on_delete=models.CASCADE, related_name="vogs")
    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.AAN_TE_VRAGEN
    )
    klaargezet_op = models.DateField("klaargezet bij Justis op", null=True, blank=True)
    aangevraagd_op = models.DateField("aangevraagd op", null=True, blank=True)
    ontvangen_op = models.DateField("ontvangen op", null=True, blank=True)
    afgegeven_op = models.DateField(
        "datum van afgifte", null=True, blank=True, help_text="De datum die op de VOG staat."
    )
    geweigerd_op = models.DateField("geweigerd op", null=True, blank=True)
    screeningsprofiel = models.CharField(
        "screeningsprofiel Justis",
        max_length=200,
        default="functiegebied 08 (personen), aspecten 84 en 85",
    )
    gratis = models.BooleanField("valt onder de regeling gratis VOG", default=True)
    notitie = models.TextField("notitie", blank=True)
    bijgewerkt_door = models.ForeignKey(
        User, verbose_name="bijgewerkt door", on_delete=models.PROTECT, null=True, related_name="+"
    )
    bijgewerkt_op = models.DateTimeField("bijgewerkt op", auto_now=True)
    # Bumped by every change (gezinnen.integrity.claim), so that a correction
    # page opened before refuses to save over a change made since.
    versie = models.PositiveIntegerField(default=1, editable=False)

    objects = VOGQuerySet.as_manager()

    class Meta:
        verbose_name = "VOG"
        verbose_name_plural = "VOG's"
        ordering = ["gezinslid", "-id"]

    def __str__(self) -> str:
        return f"VOG {self.gezinslid} ({self.get_status_display()})"

    REQUIRED_DATES = {
        Status.KLAARGEZET: ["klaargezet_op"],
        Status.AANGEVRAAGD: ["aangevraagd_op"],
        Status.ONTVANGEN: ["ontvangen_op", "afgegeven_op"],
        Status.GEWEIGERD: ["geweigerd_op"],
    }
    # The statuses a VOG went through to reach its status, in order.
    STEPS = {
        Status.KLAARGEZET: [Status.KLAARGEZET],
        Status.AANGEVRAAGD: [Status.KLAARGEZET, Status.AANGEVRAAGD],
        Status.ONTVANGEN: [Status.KLAARGEZET, Status.AANGEVRAAGD, Status.ONTVANGEN],
        Status.GEWEIGERD: [Status.KLAARGEZET, Status.AANGEVRAAGD, Status.GEWEIGERD],
    }

    def clean(self) -> None:
        errors = {}
        for name in self.REQUIRED_DATES.get(self.status, []):
            if not getattr(self, name):
                errors[name] = (
                    f"Vul de datum in: bij de status '{self.get_status_display()}' hoort deze."
                )
        for name in (
            "klaargezet_op",
            "aangevraagd_op",
            "ontvangen_op",
            "afgegeven_op",
            "geweigerd_op",
        ):
            value = getattr(self, name)
            if value and value > today():
                errors.setdefault(name, "Deze datum ligt in de toekomst.")
        order = [
            ("klaargezet_op", "aangevraagd_op", "Aangevraagd kan niet vóór klaargezet."),
            ("aangevraagd_op", "ontvangen_op", "Ontvangen kan niet vóór aangevraagd."),
            ("aangevraagd_op", "afgegeven_op", "De VOG kan niet vóór de aanvraag zijn afgegeven."),
            ("afgegeven_op", "ontvangen_op", "Ontvangen kan niet vóór de datum van afgifte."),
            ("aangevraagd_op", "geweigerd_op", "Geweigerd kan niet vóór aangevraagd."),
        ]
        for earlier, later, message in order:
            first, second = getattr(self, earlier), getattr(self, later)
            if first and second and second < first:
                errors.setdefault(later, message)
        if errors:
            raise ValidationError(errors)

    def geldig_tot(self, organisatie: Organisatie) -> datetime.date | None:
        if self.status != self.Status.ONTVANGEN or not self.afgegeven_op:
            return None
        return add_months(self.afgegeven_op, 12 * organisatie.vog_geldig_jaren)

    def is_valid_on(self, day: datetime.date, organisatie: Organisatie) -> bool:
        until = self.geldig_tot(organisatie)
        return until is not None and self.afgegeven_op <= day < until

    def is_recent_enough_on(self, day: datetime.date, organisatie: Organisatie) -> bool:
        """Issued no longer ago than the organisation allows for an approval."""
        return self.is_valid_on(day, organisatie) and self.afgegeven_op >= add_months(
            day, -organisatie.vog_hoogstens_maanden_oud
        )

    def status_on(self, day: datetime.date) -> VOG.Status | None:
        """The status it had on that day, read from its dates: None when it
        was entered with only later dates. An aan-te-vragen VOG has no date and
        is taken as it is."""
        if self.status == self.Status.AAN_TE_VRAGEN:
            return self.Status.AAN_TE_VRAGEN
        reached = [
            step
            for step in self.STEPS[self.status]
            if all(
                getattr(self, name) and getattr(self, name) <= day
                for name in self.REQUIRED_DATES[step]
            )
        ]
        return reached[-1] if reached else None

    def at_justis_on(self, day: datetime.date) -> datetime.date | None:
        """Since when it was at Justis on that day; None if it was not there then."""
        status = self.status_on(day)
        if status not in self.AT_JUSTIS:
            return None
        return getattr(self, self.REQUIRED_DATES[status][0])


class ScreeningGesprek(models.Model):
    """A kennismakingsgesprek (the intake) or a huisbezoek."""

    class Soort(models.TextChoices):
        KENNISMAKING = "kennismaking", "kennismakingsgesprek (intake)"
        HUISBEZOEK = "huisbezoek", "huisbezoek"

    steungezin = models.ForeignKey(
        Steungezin, on_delete=models.CASCADE, related_name="screeningsgesprekken"
    )
    soort = models.CharField("soort", max_length=20, choices=Soort.choices)
    datum = models.DateField("datum")
    # Who held it; named so, apart from who recorded or corrected it.
    door = models.ForeignKey(
        User, verbose_name="gevoerd door", on_delete=models.PROTECT, related_name="+"
    )
    notities = models.TextField("notities", blank=True)
    # Bumped by every change (gezinnen.integrity.claim), so that a correction
    # page opened before refuses to save over a change made since.
    versie = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "screeningsgesprek"
        verbose_name_plural = "screeningsgesprekken"
        ordering = ["-datum", "-id"]

    def __str__(self) -> str:
        return f"{self.get_soort_display()} {korte_datum(self.datum)}"


class Referentie(models.Model):
    class Uitkomst(models.TextChoices):
        POSITIEF = "positief", "positief"
        TWIJFEL = "twijfel", "twijfel"
        NEGATIEF = "negatief", "negatief"

    steungezin = models.ForeignKey(Steungezin, on_delete=models.CASCADE, related_name="referenties")
    naam = models.CharField("naam", max_length=150)
    relatie = models.CharField("relatie tot het gezin", max_length=150)
    benaderd_op = models.DateField("benaderd op")
    uitkomst = models.CharField("uitkomst", max_length=10, choices=Uitkomst.choices)
    notitie = models.TextField("notitie", blank=True)
    door = models.ForeignKey(User, verbose_name="door", on_delete=models.PROTECT, related_name="+")
    # Bumped by every change (gezinnen.integrity.claim), so that a correction
    # page opened before refuses to save over a change made since.
    versie = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "referentie"
        verbose_name_plural = "referenties"
        ordering = ["-benaderd_op", "-id"]

    def __str__(self) -> str:
        return f"{self.naam} ({self.relatie})"


class Criterium(models.Model):
    """One question of the organisation's own screening checklist."""

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="criteria")
    tekst = models.CharField("criterium", max_length=300)
    volgorde = models.PositiveSmallIntegerField("volgorde", default=0)
    actief = models.BooleanField("in gebruik", default=True)

    objects = OrganisatieQuerySet.as_manager()

    class Meta:
        verbose_name = "screeningscriterium"
        verbose_name_plural = "screeningscriteria"
        ordering = ["volgorde", "id"]

    def __str__(self) -> str:
        return self.tekst


class CriteriumBeoordeling(models.Model):
    steungezin = models.ForeignKey(
        Steungezin, on_delete=models.CASCADE, related_name="criteriumbeoordelingen"
    )
    criterium = models.ForeignKey(Criterium, on_delete=models.CASCADE, related_name="+")
    voldoet = models.BooleanField("voldoet")
    notitie = models.CharField("notitie", max_length=300, blank=True)
    door = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    op = models.DateField("op", default=today)

    class Meta:
        verbose_name = "beoordeling van een criterium"
        verbose_name_plural = "beoordelingen van criteria"
        constraints = [
            models.UniqueConstraint(
                fields=["steungezin", "criterium"], name="een_beoordeling_per_criterium"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterium}: {'ja' if self.voldoet else 'nee'}"


class Training(models.Model):
    organisatie = models.ForeignKey(
        Organisatie, on_delete=models.PROTECT, related_name="trainingen"
    )
    datum = models.DateField("datum")
    titel = models.CharField("titel", max_length=200)
    trainer = models.CharField("trainer", max_length=150)
    plaats = models.CharField("plaats", max_length=150)
    deelnemers = models.ManyToManyField(
        Gezinslid, through="TrainingDeelname", related_name="trainingen", blank=True
    )

    objects = OrganisatieQuerySet.as_manager()

    class Meta:
        verbose_name = "training"
        verbose_name_plural = "trainingen"
        ordering = ["-datum", "-id"]

    def __str__(self) -> str:
        return f"{self.titel} ({korte_datum(self.datum)})"


class TrainingDeelname(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="deelnames")
    gezinslid = models.ForeignKey(Gezinslid, on_delete=models.CASCADE, related_name="deelnames")
    # Bumped by every change (gezinnen.integrity.claim), so that a correction
    # page opened before refuses to save over a change made since.
    versie = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "deelname aan een training"
        verbose_name_plural = "deelnames aan trainingen"
        constraints = [
            models.UniqueConstraint(fields=["training", "gezinslid"], name="een_keer_per_training")
        ]

    def __str__(self) -> str:
        return f"{self.gezinslid} – {self.training}"


class ScreeningstandQuerySet(models.QuerySet):
    def verouderd(self, day: datetime.date) -> ScreeningstandQuerySet:
        """The verdicts that may no longer hold on that day."""
        return self.filter(herzien_op__lte=day)


class Screeningstand(models.Model):
    """What the screening rules decide for one steungezin, kept so that pages
    filter and count in SQL (see screening.stand). Derived, never edited: it
    holds for the days from ``berekend_op`` up to ``herzien_op``."""

    class Reden(models.TextChoices):
        GEEN = "", "kan gekoppeld worden"
        STATUS = "status", "niet beschikbaar"
        HERSCREENING = "herscreening", "opnieuw screenen: een VOG ontbreekt of is verlopen"

    steungezin = models.OneToOneField(
        Steungezin, on_delete=models.CASCADE, primary_key=True, related_name="screeningstand"
    )
    berekend_op = models.DateField(db_index=True)
    herzien_op = models.DateField(null=True, db_index=True)
    kan_koppelen = models.BooleanField()
    kan_koppelen_tot = models.DateField(null=True)
    reden = models.CharField(max_length=20, choices=Reden.choices, blank=True)
    vog_aan_te_vragen = models.PositiveSmallIntegerField(default=0)
    vog_bij_justis = models.PositiveSmallIntegerField(default=0)
    vog_verlopend = models.PositiveSmallIntegerField(default=0)
    wordt_18 = models.PositiveSmallIntegerField(default=0)
    laatste_activiteit = models.DateField()

    objects = ScreeningstandQuerySet.as_manager()

    class Meta:
        verbose_name = "screeningsstand"
        verbose_name_plural = "screeningsstanden"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kan_koppelen=True, reden="")
                | models.Q(kan_koppelen=False) & ~models.Q(reden=""),
                name="kan_koppelen_zonder_reden",
            ),
            models.CheckConstraint(
                condition=models.Q(kan_koppelen=True) | models.Q(kan_koppelen_tot=None),
                name="einddatum_alleen_als_het_kan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.steungezin_id}: {self.get_reden_display()}"
