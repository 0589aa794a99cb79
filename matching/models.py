from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from accounts.models import Organisatie, OrganisatieQuerySet, User
from gezinnen.integrity import Steps, step
from gezinnen.models import Gezin, Gezinslid, Steungezin, Vraaggezin, nummer_in, today
from matching.opslag import documenten_opslag, opslagnaam
from screening.models import add_months
from steungezinnen.datums import korte_datum


class EindRedenQuerySet(OrganisatieQuerySet):
    def voor(self, organisatie: Organisatie) -> list[EindReden]:
        """The organisation's reasons to end a koppeling; the standard list
        until the beheerder defines their own."""
        if not self.filter(organisatie=organisatie).exists():
            self.bulk_create(
                EindReden(organisatie=organisatie, code=value, tekst=label, volgorde=index)
                for index, (value, label) in enumerate(Koppeling.Reden.choices)
            )
        return list(self.filter(organisatie=organisatie, actief=True))


class EindReden(models.Model):
    """A reason to end a koppeling, as the organisation words it."""

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(
        "code", max_length=50, help_text="Vast kenmerk voor de rapportages; wijzig dit niet."
    )
    tekst = models.CharField("reden", max_length=100)
    volgorde = models.PositiveSmallIntegerField("volgorde", default=0)
    actief = models.BooleanField("in gebruik", default=True)

    objects = EindRedenQuerySet.as_manager()

    class Meta:
        verbose_name = "reden voor afsluiten"
        verbose_name_plural = "redenen voor afsluiten"
        ordering = ["volgorde", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisatie", "code"],
                name="reden_code_uniek",
                violation_error_message="Deze code bestaat al.",
            )
        ]

    def __str__(self) -> str:
        return self.tekst


def volgende_evaluatie(
    *,
    actief: bool,
    start_op: datetime.date | None,
    proefperiode_tot: datetime.date | None,
    soorten: list[str],
) -> tuple[str, datetime.date] | None:
    """The next evaluation (kind, date) of a koppeling, from the kinds already
    recorded: the trial period's, then one a year after the start and every
    year after that. Plain values, so that a migration can use it too."""
    if not actief or not start_op:
        return None
    if proefperiode_tot and "proefperiode" not in soorten:
        return "proefperiode", proefperiode_tot
    return "jaarlijks", add_months(start_op, 12 * (soorten.count("jaarlijks") + 1))


def _namen() -> tuple[Prefetch, Prefetch]:
    fields = ("naam", "organisatie_id", "status", "geanonimiseerd_op")
    return (
        Prefetch("vraaggezin", queryset=Vraaggezin.objects.only(*fields, "wacht_sinds")),
        Prefetch("steungezin", queryset=Steungezin.objects.only(*fields)),
    )


def namen_ophalen(rijen: list) -> None:
    """``met_namen`` for koppelingen already fetched, or the koppelingen of
    signals (fetched with them): onto them, in place, in one query per side."""
    koppelingen = [rij.koppeling if isinstance(rij, Signaal) else rij for rij in rijen]
    prefetch_related_objects(koppelingen, *_namen())


class KoppelingQuerySet(OrganisatieQuerySet):
    def visible_to(self, user) -> KoppelingQuerySet:
        """Coordinators: the organisation's; a volunteer coordinator: those
        assigned to them (never one that needs a professional)."""
        qs = super().visible_to(user)
        if getattr(user, "is_vrijwillig_coordinator", False):
            return qs.filter(vrijwilliger=user, professional_nodig=False)
        return qs

    def van_gezin(self, gezin_id: int) -> KoppelingQuerySet:
        """The koppelingen of a family, on either side."""
        return self.filter(Q(vraaggezin_id=gezin_id) | Q(steungezin_id=gezin_id))

    def search(self, text: str) -> KoppelingQuerySet:
        """By number, or by anything that finds one of its families."""
        if not text.strip():
            return self
        # Which families match, whoever sees them: what the koppelingen are
        # narrowed to already decides what the user sees (a volunteer
        # coordinator sees no family list, yet finds her koppelingen by them).
        gezinnen = Gezin.objects.search(text).values("pk")
        condition = Q(vraaggezin__in=gezinnen) | Q(steungezin__in=gezinnen)
        if (nummer := nummer_in(text)) is not None:
            condition |= Q(pk=nummer)
        return self.filter(condition)

    def lopend(self) -> KoppelingQuerySet:
        return self.filter(status__in=Koppeling.LOPEND)

    def actief(self) -> KoppelingQuerySet:
        return self.filter(status=Koppeling.Status.ACTIEF)

    def met_namen(self) -> KoppelingQuerySet:
        """With the two families' names (what ``str`` shows), fetched by id
        afterwards: joining both families and their parent rows makes the
        database spend more time planning than running the query."""
        return self.prefetch_related(*_namen())

    def due_for_checkin(self, day: datetime.date | None = None) -> KoppelingQuerySet:
        return self.actief().filter(volgende_contact_op__lte=day or today())

    def checkin_overdue(self) -> KoppelingQuerySet:
        return self.actief().filter(volgende_contact_op__lt=today())


class Koppeling(Steps, models.Model):
    """A match between a vraaggezin and a steungezin."""

    class Status(models.TextChoices):
        VOORGESTELD = "voorgesteld", "voorgesteld"
        KENNISMAKING = "kennismaking", "kennismaking"
        ACTIEF = "actief", "actief"
        AFGESLOTEN = "afgesloten", "afgesloten"

    class Uitkomst(models.TextChoices):
        GO = "go", "go: we gaan van start"
        NO_GO = "no_go", "no-go: het past niet"

    class Reden(models.TextChoices):
        DOEL_BEREIKT = "doel_bereikt", "doel bereikt"
        VERHUISD = "verhuisd", "verhuisd"
        HULPVRAAG_VERANDERD = "hulpvraag_veranderd", "hulpvraag veranderd"
        KLIK = "klik", "klik niet goed"
        ZWAARDERE_ZORG = "zwaardere_zorg", "zwaardere zorg nodig"
        ANDERS = "anders", "anders"

    class DoelBereikt(models.TextChoices):
        JA = "ja", "ja"
        DEELS = "deels", "deels"
        NEE = "nee", "nee"

    LOPEND = {Status.VOORGESTELD, Status.KENNISMAKING, Status.ACTIEF}

    # The transition table: services take these steps, templates read ``kan``.
    STEPS = {
        "kennismaking_plannen": step(
            "een kennismaking plannen",
            {Status.VOORGESTELD, Status.KENNISMAKING},
            Status.KENNISMAKING,
            voorwaarde="_nog_geen_uitkomst",
        ),
        "kennismaking_uitkomst": step(
            "de uitkomst van de kennismaking",
            {Status.KENNISMAKING},
            voorwaarde="_kennismaking_geweest",
        ),
        "starten": step("starten", {Status.KENNISMAKING}, Status.ACTIEF, voorwaarde="_go"),
        "begeleiding": step("de begeleiding wijzigen", LOPEND),
        "contactmoment": step("een contactmoment", {Status.ACTIEF}),
        "signaal_melden": step("een signaal", LOPEND),
        "notitie": step("een notitie", LOPEND),
        "document": step("een document", LOPEND),
        "evaluatie": step("een evaluatie", {Status.ACTIEF}),
        "afsluiten": step("afsluiten", LOPEND, Status.AFGESLOTEN, reden_nodig=True),
        # Closed by mistake, or the families want to go on: the end is undone
        # and kept in the koppeling's history (Correctie).
        "heropenen": step(
            "heropenen",
            {Status.AFGESLOTEN},
            Status.ACTIEF,
            reden_nodig=True,
            voorwaarde="_heropenen_kan",
        ),
    }

    organisatie = models.ForeignKey(
        Organisatie, on_delete=models.PROTECT, related_name="koppelingen"
    )
    vraaggezin = models.ForeignKey(
        Vraaggezin, on_delete=models.PROTECT, related_name="koppelingen", verbose_name="vraaggezin"
    )
    steungezin = models.ForeignKey(
        Steungezin, on_delete=models.PROTECT, related_name="koppelingen", verbose_name="steungezin"
    )
    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.VOORGESTELD, db_index=True
    )
    coordinator = models.ForeignKey(
        User,
        verbose_name="verantwoordelijk coördinator",
        on_delete=models.PROTECT,
        related_name="koppelingen",
    )
    vrijwilliger = models.ForeignKey(
        User,
        verbose_name="vrijwillige coördinator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="toegewezen_koppelingen",
    )
    professional_nodig = models.BooleanField(
        "professional nodig",
        default=False,
        help_text="Deze koppeling krijgt nooit een vrijwillige coördinator.",
    )
    voorgesteld_op = models.DateField("voorgesteld op", default=today)
    kennismaking_op = models.DateField("kennismaking op", null=True, blank=True)
    kennismaking_uitkomst = models.CharField(
        "uitkomst kennismaking", max_length=10, choices=Uitkomst.choices, blank=True
    )
    kennismaking_notities = models.TextField("notities kennismaking", blank=True)
    start_op = models.DateField("start", null=True, blank=True)
    afspraken = models.TextField("afspraken: wat", blank=True)
    frequentie = models.CharField("hoe vaak", max_length=100, blank=True)
    kinderen = models.ManyToManyField(
        Gezinslid, verbose_name="voor welke kinderen", blank=True, related_name="+"
    )
    gepland_einde = models.DateField("gepland einde", null=True, blank=True)
    proefperiode_tot = models.DateField("einde proefperiode", null=True, blank=True)
    einde_op = models.DateField("einde", null=True, blank=True)
    # The code of one of the organisation's EindReden rows (Reden by default).
    einde_reden = models.CharField("reden einde", max_length=50, blank=True)
    einde_uitkomst = models.TextField("uitkomst", blank=True)
    # Blank: not recorded (older koppelingen, or one that ended before it started).
    doel_bereikt = models.CharField(
        "doel bereikt", max_length=10, choices=DoelBereikt.choices, blank=True
    )
    volgende_contact_op = models.DateField("volgend contactmoment", null=True, blank=True)
    # The next evaluation that ``evaluatie_due`` names, kept by the services
    # (``evaluatie_plannen``) so that the dashboard and agenda filter in SQL.
    volgende_evaluatie_op = models.DateField(null=True, blank=True, editable=False)
    volgende_evaluatie_soort = models.CharField(max_length=20, blank=True, editable=False)
    # Optimistic locking, as on Gezin: every step bumps it (integrity.claim).
    versie = models.PositiveIntegerField(default=1, editable=False)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)

    objects = KoppelingQuerySet.as_manager()

    class Meta:
        verbose_name = "koppeling"
        verbose_name_plural = "koppelingen"
        ordering = ["-voorgesteld_op", "-id"]
        # The dashboard's and agenda's lists: one organisation's active
        # koppelingen by the date that is due.
        indexes = [
            models.Index(
                fields=["organisatie", "status", "volgende_contact_op"], name="koppeling_contact_op"
            ),
            models.Index(
                fields=["organisatie", "status", "volgende_evaluatie_op"],
                name="koppeling_evaluatie_op",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(professional_nodig=False) | Q(vrijwilliger__isnull=True),
                name="professional_nodig_zonder_vrijwilliger",
                violation_error_message=(
                    "Een koppeling waarbij een professional nodig is, krijgt geen vrijwillig "
                    "coördinator."
                ),
            ),
            models.UniqueConstraint(
                fields=["vraaggezin"],
                condition=Q(status__in=["voorgesteld", "kennismaking", "actief"]),
                name="een_lopende_koppeling_per_vraaggezin",
                violation_error_message="Dit vraaggezin heeft al een lopende koppeling.",
            ),
            models.CheckConstraint(
                condition=~Q(status="actief") | Q(start_op__isnull=False),
                name="actief_heeft_start",
                violation_error_message="Een gestarte koppeling heeft een startdatum.",
            ),
            models.CheckConstraint(
                condition=~Q(status="afgesloten")
                | (Q(einde_op__isnull=False) & ~Q(einde_reden="")),
                name="afgesloten_heeft_einde_en_reden",
                violation_error_message="Een afgesloten koppeling heeft een einde en een reden.",
            ),
            models.CheckConstraint(
                condition=Q(proefperiode_tot__isnull=True)
                | Q(start_op__isnull=True)
                | Q(proefperiode_tot__gt=models.F("start_op")),
                name="proefperiode_na_start",
                violation_error_message="Het einde van de proefperiode ligt na de start.",
            ),
            models.CheckConstraint(
                condition=Q(gepland_einde__isnull=True)
                | Q(start_op__isnull=True)
                | Q(gepland_einde__gt=models.F("start_op")),
                name="gepland_einde_na_start",
                violation_error_message="Het geplande einde ligt na de start.",
            ),
            models.CheckConstraint(
                condition=Q(einde_op__isnull=True)
                | Q(start_op__isnull=True)
                | Q(einde_op__gte=models.F("start_op")),
                name="einde_niet_voor_start",
                violation_error_message="Het einde kan niet vóór de start liggen.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vraaggezin.naam} – {self.steungezin.naam}"

    @property
    def kinderen_label(self) -> str:
        """The children by first name, as a correction's history shows them."""
        return ", ".join(kind.voornaam for kind in self.kinderen.order_by("voornaam", "pk")) or "—"

    @property
    def is_lopend(self) -> bool:
        return self.status in self.LOPEND

    @property
    def badge(self) -> str:
        """The colour of the status badge: green running, grey ended, blue before the start."""
        return {self.Status.ACTIEF: "success", self.Status.AFGESLOTEN: "secondary"}.get(
            self.status, "info"
        )

    @property
    def kennismaking_gepland(self) -> bool:
        return bool(
            self.status == self.Status.KENNISMAKING
            and self.kennismaking_op
            and not self.kennismaking_uitkomst
        )

    @property
    def doel_bereikt_nodig(self) -> bool:
        """Ending a koppeling that started records whether its goal was
        reached; one that ends before the start has nothing to say."""
        return self.status == self.Status.ACTIEF

    # Conditions of the transition table ---------------------------------

    def _nog_geen_uitkomst(self) -> str | None:
        if self.kennismaking_uitkomst:
            return "De uitkomst van de kennismaking is al vastgelegd."
        return None

    def _kennismaking_geweest(self) -> str | None:
        if self.kennismaking_uitkomst:
            return "De uitkomst van de kennismaking is al vastgelegd."
        if self.kennismaking_op and self.kennismaking_op > today():
            return "De kennismaking is nog niet geweest."
        return None

    def _heropenen_kan(self) -> str | None:
        if not self.start_op:
            return (
                "Een koppeling die niet gestart is, wordt niet heropend: stel de gezinnen "
                "opnieuw aan elkaar voor."
            )
        if self.vraaggezin.geanonimiseerd_op or self.steungezin.geanonimiseerd_op:
            return "De gegevens van een van de gezinnen zijn gewist: heropenen kan niet meer."
        return None

    def _go(self) -> str | None:
        if self.kennismaking_uitkomst != self.Uitkomst.GO:
            return "Starten kan na een kennismaking met uitkomst 'go'."
        return None

    @property
    def einde_reden_label(self) -> str:
        if not self.einde_reden:
            return ""
        reden = EindReden.objects.filter(
            organisatie_id=self.organisatie_id, code=self.einde_reden
        ).first()
        if reden:
            return reden.tekst
        return (
            Koppeling.Reden(self.einde_reden).label
            if self.einde_reden in Koppeling.Reden.values
            else self.einde_reden
        )

    def clean(self) -> None:
        if self.professional_nodig and self.vrijwilliger_id:
            raise ValidationError(
                {"vrijwilliger": "Bij 'professional nodig' hoort geen vrijwillige coördinator."}
            )
        if self.vrijwilliger_id and not self.vrijwilliger.is_vrijwillig_coordinator:
            raise ValidationError({"vrijwilliger": "Kies een vrijwillige coördinator."})
        for name in ("coordinator", "vrijwilliger"):
            user = getattr(self, name) if getattr(self, f"{name}_id") else None
            if user is not None and user.organisatie_id != self.organisatie_id:
                raise ValidationError({name: "Kies iemand van de eigen organisatie."})
        if self.coordinator_id and not self.coordinator.is_coordinator:
            raise ValidationError({"coordinator": "Kies een (professioneel) coördinator."})
        self._clean_dates()

    def _clean_dates(self) -> None:
        errors = {}
        start = self.start_op
        for name, label in (
            ("proefperiode_tot", "Het einde van de proefperiode"),
            ("gepland_einde", "Het geplande einde"),
        ):
            value = getattr(self, name)
            if start and value and value <= start:
                errors[name] = f"{label} moet na de start liggen."
        if self.einde_op and start and self.einde_op < start:
            errors["einde_op"] = "Het einde kan niet vóór de start liggen."
        if errors:
            raise ValidationError(errors)

    def start_refusal(self, start: datetime.date, day: datetime.date) -> str | None:
        """Why a koppeling cannot have started on ``start``: a start is
        recorded when it happened, after the registration and the kennismaking."""
        if start > day:
            return "Leg de start vast als de koppeling begonnen is, niet vooruit."
        if start < self.vraaggezin.aangemeld_op:
            return (
                "De start kan niet vóór de aanmelding van het vraaggezin liggen "
                f"({korte_datum(self.vraaggezin.aangemeld_op)})."
            )
        if self.kennismaking_op and start < self.kennismaking_op:
            return "De start kan niet vóór de kennismaking liggen."
        return None

    # Check-ins ---------------------------------------------------------

    def cadence_dates(self, until: datetime.date) -> list[datetime.date]:
        """The check-in dates the organisation's cadence sets, up to ``until``."""
        if not self.start_op:
            return []
        org = self.organisatie
        dates = [self.start_op + datetime.timedelta(weeks=w) for w in org.contact_weken]
        last = dates[-1] if dates else self.start_op
        while last <= until:
            last = add_months(last, org.contact_daarna_maanden)
            dates.append(last)
        return dates

    def next_checkin(self, last_contact: datetime.date | None) -> datetime.date | None:
        """The first cadence date after the last contact (or the first one)."""
        if not self.start_op:
            return None
        after = last_contact or self.start_op - datetime.timedelta(days=1)
        return next(d for d in self.cadence_dates(after + datetime.timedelta(days=1)) if d > after)

    def contact_plannen(self) -> None:
        """Store the next check-in after a write that changes it (a check-in
        recorded, corrected or withdrawn): the last one's own next date, else
        the cadence's; the caller holds the row lock. Only while it runs: a
        closed koppeling has no next check-in."""
        if self.status != self.Status.ACTIEF:
            return
        last = self.contactmomenten.order_by("-datum", "-id").first()
        if last and last.volgende_op:
            self.volgende_contact_op = last.volgende_op
        else:
            self.volgende_contact_op = self.next_checkin(last.datum if last else None)
        self.save(update_fields=["volgende_contact_op"])

    @property
    def checkin_overdue(self) -> bool:
        return bool(
            self.status == self.Status.ACTIEF
            and self.volgende_contact_op
            and self.volgende_contact_op < today()
        )

    # Evaluations -------------------------------------------------------

    @property
    def evaluatie_overdue(self) -> bool:
        """The next evaluation's day has passed: marked like an overdue check-in."""
        return bool(
            self.status == self.Status.ACTIEF
            and self.volgende_evaluatie_op
            and self.volgende_evaluatie_op < today()
        )

    @property
    def volgende_evaluatie_label(self) -> str:
        soort = self.volgende_evaluatie_soort
        return Evaluatie.Soort(soort).label if soort else ""

    def evaluatie_due(self, done: list[Evaluatie]) -> tuple[str, datetime.date] | None:
        """The next evaluation (kind, date): see ``volgende_evaluatie``."""
        return volgende_evaluatie(
            actief=self.status == self.Status.ACTIEF,
            start_op=self.start_op,
            proefperiode_tot=self.proefperiode_tot,
            soorten=[e.soort for e in done],
        )

    def evaluatie_plannen(self) -> None:
        """Store the next evaluation after a write that changes it (start,
        end, an evaluation recorded); the caller holds the row lock."""
        due = self.evaluatie_due(list(self.evaluaties.all()))
        self.volgende_evaluatie_soort, self.volgende_evaluatie_op = due or ("", None)
        self.save(update_fields=["volgende_evaluatie_soort", "volgende_evaluatie_op"])


class Contactmoment(models.Model):
    class Met(models.TextChoices):
        VRAAGGEZIN = "vraaggezin", "vraaggezin"
        STEUNGEZIN = "steungezin", "steungezin"
        BEIDE = "beide", "beide gezinnen"

    class Hoe(models.TextChoices):
        TELEFOON = "telefoon", "telefoon"
        BEZOEK = "bezoek", "bezoek"
        EMAIL = "email", "e-mail"
        VIDEO = "video", "videobellen"

    class Verloop(models.TextChoices):
        GOED = "goed", "gaat goed"
        AANDACHT = "aandacht", "vraagt aandacht"
        ZORGEN = "zorgen", "zorgen"

    koppeling = models.ForeignKey(
        Koppeling, on_delete=models.CASCADE, related_name="contactmomenten"
    )
    datum = models.DateField("datum", default=today)
    met = models.CharField("met wie", max_length=20, choices=Met.choices)
    hoe = models.CharField("hoe", max_length=20, choices=Hoe.choices)
    door = models.ForeignKey(User, verbose_name="door", on_delete=models.PROTECT, related_name="+")
    notities = models.TextField("notities", blank=True)
    verloop = models.CharField("hoe gaat het?", max_length=10, choices=Verloop.choices)
    volgende_op = models.DateField(
        "volgend contactmoment",
        null=True,
        blank=True,
        help_text="Leeg laten: volgt uit het ritme van de organisatie.",
    )
    # Optimistic locking for corrections (matching.correcties): two
    # coordinators correcting the same check-in never overwrite each other.
    versie = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "contactmoment"
        verbose_name_plural = "contactmomenten"
        ordering = ["-datum", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(volgende_op__isnull=True) | Q(volgende_op__gt=models.F("datum")),
                name="volgend_contact_na_dit",
                violation_error_message="Het volgende contactmoment ligt na dit contactmoment.",
            )
        ]

    def __str__(self) -> str:
        return f"Contact {korte_datum(self.datum)} ({self.get_met_display()})"


class NotitieQuerySet(OrganisatieQuerySet):
    def visible_to(self, user) -> NotitieQuerySet:
        """Coordinators: the organisation's. A volunteer coordinator: the notes
        of the koppelingen assigned to them, except those marked for
        professionals; never a family's own notes (she sees no family file)."""
        qs = super().visible_to(user)
        if getattr(user, "is_vrijwillig_coordinator", False):
            return qs.filter(
                koppeling__in=Koppeling.objects.visible_to(user), alleen_professionals=False
            )
        return qs

    def over_gezin(self, gezin_id: int) -> NotitieQuerySet:
        """The family's own notes and those of its koppelingen."""
        koppelingen = Koppeling.objects.van_gezin(gezin_id).values("pk")
        return self.filter(Q(gezin_id=gezin_id) | Q(koppeling__in=koppelingen))


NOTITIE_LENGTE = 5000


class Notitie(models.Model):
    """A note in the file of a family or of a koppeling, with who wrote it
    and when. One marked ``alleen_professionals`` is never shown to a
    volunteer coordinator."""

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="+")
    gezin = models.ForeignKey(
        Gezin,
        verbose_name="gezin",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notities",
    )
    koppeling = models.ForeignKey(
        Koppeling,
        verbose_name="koppeling",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notities",
    )
    tekst = models.TextField(
        "notitie", max_length=NOTITIE_LENGTE, validators=[MaxLengthValidator(NOTITIE_LENGTE)]
    )
    alleen_professionals = models.BooleanField(
        "alleen voor professionals",
        default=False,
        help_text="De vrijwillige coördinator van de koppeling ziet deze notitie niet.",
    )
    door = models.ForeignKey(User, verbose_name="door", on_delete=models.PROTECT, related_name="+")
    op = models.DateTimeField("op", default=timezone.now)

    objects = NotitieQuerySet.as_manager()

    class Meta:
        verbose_name = "notitie"
        verbose_name_plural = "notities"
        ordering = ["-op", "-id"]
        # A timeline reads the newest notes of one family or one koppeling.
        indexes = [
            models.Index(fields=["gezin", "-op"], name="notitie_gezin_op"),
            models.Index(fields=["koppeling", "-op"], name="notitie_koppeling_op"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(gezin__isnull=False, koppeling__isnull=True)
                | Q(gezin__isnull=True, koppeling__isnull=False),
                name="notitie_bij_gezin_of_koppeling",
                violation_error_message="Een notitie hoort bij een gezin of bij een koppeling.",
            )
        ]

    def __str__(self) -> str:
        return f"Notitie {korte_datum(self.op)}"


class DocumentQuerySet(OrganisatieQuerySet):
    def visible_to(self, user) -> DocumentQuerySet:
        """The organisation's professional coordinators only. A volunteer
        coordinator sees no documents, not even of her own koppelingen: a
        signed agreement or consent form names both families and their
        circumstances, more than she needs for a check-in."""
        if getattr(user, "is_vrijwillig_coordinator", False):
            return self.none()
        return super().visible_to(user)

    def over_gezin(self, gezin_id: int) -> DocumentQuerySet:
        """The family's own documents, its members' and its koppelingen's."""
        koppelingen = Koppeling.objects.van_gezin(gezin_id).values("pk")
        return self.filter(
            Q(gezin_id=gezin_id) | Q(gezinslid__gezin_id=gezin_id) | Q(koppeling__in=koppelingen)
        )


class Document(models.Model):
    """A file in the file of a family, a member or a koppeling: a signed
    agreement, a consent form, a VOG letter (if the organisation keeps them).
    Added and removed through matching.documenten; the file itself is in the
    ``documenten`` storage under a random name (matching.opslag)."""

    class Soort(models.TextChoices):
        OVEREENKOMST = "overeenkomst", "ondertekende overeenkomst"
        TOESTEMMING = "toestemming", "toestemmingsformulier"
        VOG_BRIEF = "vog_brief", "VOG-brief"
        OVERIG = "overig", "overig"

    class Reden(models.TextChoices):
        """Why a coordinator removed a document: choices, so that the audit
        log never quotes a typed text."""

        VERKEERD_BESTAND = "verkeerd_bestand", "verkeerd bestand"
        VERKEERD_DOSSIER = "verkeerd_dossier", "bij het verkeerde gezin of de verkeerde koppeling"
        DUBBEL = "dubbel", "staat er al"
        NIET_NODIG = "niet_nodig", "niet (meer) nodig"

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="+")
    # Exactly one of the three. PROTECT: a row only goes with its file
    # (matching.documenten), never by a cascade that leaves the file behind.
    gezin = models.ForeignKey(
        Gezin,
        verbose_name="gezin",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documenten",
    )
    gezinslid = models.ForeignKey(
        Gezinslid,
        verbose_name="gezinslid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documenten",
    )
    koppeling = models.ForeignKey(
        Koppeling,
        verbose_name="koppeling",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documenten",
    )
    soort = models.CharField("soort", max_length=20, choices=Soort.choices)
    titel = models.CharField("titel", max_length=200, blank=True)
    bestand = models.FileField(
        "bestand", storage=documenten_opslag, upload_to=opslagnaam, max_length=200
    )
    # The name as uploaded, made safe (matching.documenten.veilige_naam): only
    # for the download's Content-Disposition and the list on the page.
    bestandsnaam = models.CharField("bestandsnaam", max_length=150)
    # Decided from the content, never from the browser or the extension.
    content_type = models.CharField("soort bestand", max_length=100)
    grootte = models.PositiveIntegerField("grootte (bytes)")
    sha256 = models.CharField("SHA-256", max_length=64)
    door = models.ForeignKey(User, verbose_name="door", on_delete=models.PROTECT, related_name="+")
    op = models.DateTimeField("op", default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documenten"
        ordering = ["-op", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gezin__isnull=False, gezinslid__isnull=True, koppeling__isnull=True)
                | Q(gezin__isnull=True, gezinslid__isnull=False, koppeling__isnull=True)
                | Q(gezin__isnull=True, gezinslid__isnull=True, koppeling__isnull=False),
                name="document_bij_een_dossier",
                violation_error_message=(
                    "Een document hoort bij een gezin, een gezinslid of een koppeling."
                ),
            ),
            models.CheckConstraint(condition=Q(grootte__gt=0), name="document_niet_leeg"),
        ]

    def __str__(self) -> str:
        return f"{self.get_soort_display().capitalize()} {korte_datum(self.op)}"

    @property
    def bij(self) -> str:
        """Whose file it is in, for the family's page."""
        if self.gezinslid_id:
            return str(self.gezinslid)
        if self.koppeling_id:
            return f"koppeling nr. {self.koppeling_id}"
        return "het gezin"


class SignaalQuerySet(models.QuerySet):
    def open(self) -> SignaalQuerySet:
        return self.filter(status=Signaal.Status.OPEN)


class Signaal(Steps, models.Model):
    """A concern about a child's safety, open until a professional has
    recorded all five steps of the Meldcode."""

    class Status(models.TextChoices):
        OPEN = "open", "open"
        AFGEHANDELD = "afgehandeld", "afgehandeld"

    STEPS = {
        "stap_vastleggen": step("een stap van de meldcode", {Status.OPEN}),
        # Step 5, the decision, closes the signal: only after steps 1 to 4.
        "afhandelen": step(
            "het besluit", {Status.OPEN}, Status.AFGEHANDELD, voorwaarde="_stappen_1_tot_4"
        ),
    }

    koppeling = models.ForeignKey(Koppeling, on_delete=models.CASCADE, related_name="signalen")
    contactmoment = models.ForeignKey(
        Contactmoment, on_delete=models.SET_NULL, null=True, blank=True, related_name="signalen"
    )
    omschrijving = models.TextField("wat is er gezien of gehoord?")
    gemeld_door = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    gemeld_op = models.DateTimeField("gemeld op", auto_now_add=True)
    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    afgehandeld_op = models.DateField("afgehandeld op", null=True, blank=True)

    objects = SignaalQuerySet.as_manager()

    class Meta:
        verbose_name = "signaal"
        verbose_name_plural = "signalen"
        ordering = ["-gemeld_op", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="open") & Q(afgehandeld_op__isnull=True))
                | (Q(status="afgehandeld") & Q(afgehandeld_op__isnull=False)),
                name="afgehandeld_signaal_heeft_datum",
            )
        ]

    def __str__(self) -> str:
        return f"Signaal {korte_datum(self.gemeld_op)}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def ontbrekende_stappen(self) -> list[int]:
        done = {s.stap for s in self.stappen.all()}
        return [s for s in MeldcodeStap.Stap if s != MeldcodeStap.Stap.BESLUIT and s not in done]

    def _stappen_1_tot_4(self) -> str | None:
        if missing := self.ontbrekende_stappen():
            return (
                "Het besluit (stap 5) komt na de stappen 1 tot en met 4. Leg eerst vast: "
                + ", ".join(MeldcodeStap.Stap(s).label for s in missing)
                + "."
            )
        return None


class MeldcodeStap(models.Model):
    class Stap(models.IntegerChoices):
        IN_KAART = 1, "1. signalen in kaart gebracht"
        COLLEGIAAL = 2, "2. collega of Veilig Thuis geraadpleegd"
        GESPREK = 3, "3. gesprek met het gezin"
        WEGEN = 4, "4. gewogen met het afwegingskader"
        BESLUIT = 5, "5. besluit"

    signaal = models.ForeignKey(Signaal, on_delete=models.CASCADE, related_name="stappen")
    stap = models.PositiveSmallIntegerField("stap", choices=Stap.choices)
    datum = models.DateField("datum", default=today)
    door = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    notitie = models.TextField("notitie")
    hulp_georganiseerd = models.BooleanField("hulp georganiseerd", default=False)
    melding_veilig_thuis = models.BooleanField("gemeld bij Veilig Thuis", default=False)
    versie = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "stap van de meldcode"
        verbose_name_plural = "stappen van de meldcode"
        ordering = ["stap", "datum", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(stap=5) & (Q(hulp_georganiseerd=True) | Q(melding_veilig_thuis=True)))
                | (~Q(stap=5) & Q(hulp_georganiseerd=False) & Q(melding_veilig_thuis=False)),
                name="besluit_met_hulp_of_melding",
                violation_error_message=(
                    "Bij het besluit (stap 5) hoort hulp of een melding bij Veilig Thuis; bij de "
                    "andere stappen niet."
                ),
            ),
            models.UniqueConstraint(
                fields=["signaal"],
                condition=Q(stap=5),
                name="een_besluit_per_signaal",
                violation_error_message="Dit signaal heeft al een besluit.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_stap_display()


EVALUATIEVRAGEN = [
    ("contact", "Het contact tussen de twee gezinnen"),
    ("afspraken", "Het nakomen van de afspraken"),
    ("kinderen", "Hoe de kinderen het hebben bij de steun"),
    ("ontlasting", "Wat de steun oplevert voor het gezin"),
]


class Evaluatie(models.Model):
    class Soort(models.TextChoices):
        PROEFPERIODE = "proefperiode", "einde proefperiode"
        JAARLIJKS = "jaarlijks", "jaarlijkse evaluatie"
        AFSLUITING = "afsluiting", "afsluiting"

    koppeling = models.ForeignKey(Koppeling, on_delete=models.CASCADE, related_name="evaluaties")
    soort = models.CharField("soort", max_length=20, choices=Soort.choices)
    datum = models.DateField("datum", default=today)
    door = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # {question key: 1..5} for each side; see EVALUATIEVRAGEN.
    vraag_scores = models.JSONField(default=dict)
    vraag_goed = models.TextField("wat ging goed (vraaggezin)", blank=True)
    vraag_beter = models.TextField("wat kan beter (vraaggezin)", blank=True)
    vraag_doorgaan = models.BooleanField("vraaggezin wil doorgaan", null=True, blank=True)
    steun_scores = models.JSONField(default=dict)
    steun_goed = models.TextField("wat ging goed (steungezin)", blank=True)
    steun_beter = models.TextField("wat kan beter (steungezin)", blank=True)
    steun_doorgaan = models.BooleanField("steungezin wil doorgaan", null=True, blank=True)
    conclusie = models.TextField("conclusie van de coördinator")
    # Optimistic locking for corrections (matching.correcties).
    versie = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "evaluatie"
        verbose_name_plural = "evaluaties"
        ordering = ["-datum", "-id"]

    def __str__(self) -> str:
        return f"{self.get_soort_display()} {korte_datum(self.datum)}"

    @property
    def vraag_scores_label(self) -> str:
        """The scores as a correction's history shows them."""
        return self._scores(self.vraag_scores)

    @property
    def steun_scores_label(self) -> str:
        return self._scores(self.steun_scores)

    @staticmethod
    def _scores(scores: dict) -> str:
        return "; ".join(f"{tekst}: {scores.get(key, '—')}" for key, tekst in EVALUATIEVRAGEN)

    def rows(self):
        """(question, score vraaggezin, score steungezin) side by side."""
        return [
            (tekst, self.vraag_scores.get(key), self.steun_scores.get(key))
            for key, tekst in EVALUATIEVRAGEN
        ]


def maandag_van(day: datetime.date) -> datetime.date:
    """The Monday of the week ``day`` is in: hours are kept per week."""
    return day - datetime.timedelta(days=day.weekday())


class CoordinatieUrenQuerySet(OrganisatieQuerySet):
    def per_week(self, weken: int) -> list[UrenWeek]:
        """The last ``weken`` weeks that have hours, newest first."""
        recent = self.order_by("-week").values("week").distinct()[:weken]
        per_week: dict[datetime.date, list[CoordinatieUren]] = {}
        for regel in self.filter(week__in=recent).order_by("-week"):
            per_week.setdefault(regel.week, []).append(regel)
        return [UrenWeek(week, regels) for week, regels in per_week.items()]


class CoordinatieUren(models.Model):
    """Hours a coordinator spent on the programme in one week, for one
    gemeente or, with gemeente "", for none in particular."""

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="+")
    coordinator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="uren")
    week = models.DateField("week (maandag)")
    # "" is "algemeen": recruitment, training, meetings.
    gemeente = models.CharField("gemeente", max_length=100, blank=True, default="")
    uren = models.DecimalField("uren", max_digits=4, decimal_places=1)
    notitie = models.CharField("notitie", max_length=300, blank=True)
    # Optimistic locking for corrections, as on Contactmoment.
    versie = models.PositiveIntegerField(default=1, editable=False)

    objects = CoordinatieUrenQuerySet.as_manager()

    class Meta:
        verbose_name = "coördinatie-uren"
        verbose_name_plural = "coördinatie-uren"
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(
                fields=["coordinator", "week", "gemeente"],
                name="uren_een_keer_per_week_per_gemeente",
            ),
            models.CheckConstraint(
                condition=Q(uren__gte=0) & Q(uren__lte=80), name="uren_binnen_een_week"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.coordinator} week {korte_datum(self.week)}, {self.gemeente_label}: {self.uren}"
        )

    @property
    def gemeente_label(self) -> str:
        return self.gemeente or "algemeen"


@dataclass
class UrenWeek:
    """One week of a coordinator's hours: a row per gemeente, algemeen last."""

    week: datetime.date
    regels: list[CoordinatieUren]

    def __post_init__(self) -> None:
        self.regels.sort(key=lambda regel: (regel.gemeente == "", regel.gemeente))

    @property
    def totaal(self) -> Decimal:
        return sum((regel.uren for regel in self.regels), Decimal(0))

    @property
    def notitie(self) -> str:
        # uren_vastleggen writes the week's note on each of its rows.
        return self.regels[0].notitie


class Correctie(models.Model):
    """A correction or withdrawal of a recorded item, with the reason and the
    shown values before and after: the item's history. One mechanism for
    every kind of item (matching.correcties says which, and which fields).

    The item is named by type and number, as the audit log names records: a
    withdrawn item is deleted, and its history stays here."""

    class Soort(models.TextChoices):
        GECORRIGEERD = "gecorrigeerd", "gecorrigeerd"
        INGETROKKEN = "ingetrokken", "ingetrokken"
        # A koppeling's end undone: ``oud`` holds the end as it was.
        HEROPEND = "heropend", "heropend"

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="+")
    item_type = models.CharField(max_length=100)  # the model's label: "matching.contactmoment"
    item_id = models.PositiveBigIntegerField()
    # The item's koppeling, for its page and for erasure with either family;
    # None for what belongs to no koppeling (hours).
    koppeling = models.ForeignKey(
        Koppeling, on_delete=models.CASCADE, null=True, blank=True, related_name="correcties"
    )
    # The steungezin of a screening item (a VOG, a training attendance),
    # which belongs to no koppeling: for its page and for its erasure.
    gezin = models.ForeignKey(
        Gezin, on_delete=models.CASCADE, null=True, blank=True, related_name="correcties"
    )
    soort = models.CharField("soort", max_length=20, choices=Soort.choices)
    reden = models.TextField("reden van de correctie")
    door = models.ForeignKey(User, verbose_name="door", on_delete=models.PROTECT, related_name="+")
    op = models.DateTimeField("op", default=timezone.now)
    # {field name: value as the page showed it}: before, and after (empty
    # for a withdrawal, whose ``oud`` holds the whole item).
    oud = models.JSONField("oude waarden", default=dict)
    nieuw = models.JSONField("nieuwe waarden", default=dict, blank=True)

    class Meta:
        verbose_name = "correctie"
        verbose_name_plural = "correcties"
        ordering = ["op", "id"]
        indexes = [models.Index(fields=["item_type", "item_id"], name="correctie_item")]

    def __str__(self) -> str:
        return f"{self.get_soort_display()} {korte_datum(self.op)}"

    @property
    def is_intrekking(self) -> bool:
        return self.soort == self.Soort.INGETROKKEN

    @property
    def alleen_oud(self) -> bool:
        """Only the values before count: what was withdrawn, or the end undone."""
        return self.soort in (self.Soort.INGETROKKEN, self.Soort.HEROPEND)

    def wijzigingen(self, zonder: Collection[str] = ()) -> list[tuple[str, str, str]]:
        """(field label, before, after) per field, in the model's order,
        except the fields named in ``zonder``."""
        model = apps.get_model(self.item_type)
        labels = {
            f.name: str(f.verbose_name)
            for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        }
        return [
            (labels.get(name, name), oud, self.nieuw.get(name, ""))
            for name, oud in self.oud.items()
            if name not in zonder
        ]


class AgendaFeed(models.Model):
    """A private iCalendar address for one user: the secret token in the URL
    is the only key, so it can be replaced (and the old address dies)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="agenda_feed")
    token = models.CharField(max_length=64, unique=True)
    aangemaakt_op = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "agenda-abonnement"
        verbose_name_plural = "agenda-abonnementen"

    def __str__(self) -> str:
        return f"Agenda van {self.user}"


class Herinnering(models.Model):
    """The daily digest sent to one user on one day: never twice."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    dag = models.DateField()
    verstuurd_op = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "herinnering"
        verbose_name_plural = "herinneringen"
        constraints = [
            models.UniqueConstraint(fields=["user", "dag"], name="een_herinnering_per_dag")
        ]

    def __str__(self) -> str:
        return f"{self.user} {korte_datum(self.dag)}"


class BerichtQuerySet(OrganisatieQuerySet):
    def visible_to(self, user) -> BerichtQuerySet:
        """The organisation's professional coordinators only: a volunteer
        coordinator sends no mail from the application and sees neither the
        addresses nor what the organisation wrote to a family or referrer."""
        if getattr(user, "is_vrijwillig_coordinator", False):
            return self.none()
        return super().visible_to(user)


class Bericht(models.Model):
    """A mail the application sent about a family: to its referrer (a
    notice of a start or an end) or to the family itself (an invitation to
    a kennismaking, a free message). One row per recipient; the mail's text
    is not kept, only what the timeline and the AVG inzage show."""

    class Soort(models.TextChoices):
        VERWIJZER_START = "verwijzer_start", "bericht aan de verwijzer: de steun is begonnen"
        VERWIJZER_EINDE = "verwijzer_einde", "bericht aan de verwijzer: de steun is gestopt"
        UITNODIGING = "uitnodiging", "uitnodiging voor de kennismaking"
        BERICHT = "bericht", "bericht"

    class Aan(models.TextChoices):
        VERWIJZER = "verwijzer", "verwijzer"
        VRAAGGEZIN = "vraaggezin", "vraaggezin"
        STEUNGEZIN = "steungezin", "steungezin"

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="+")
    gezin = models.ForeignKey(
        Gezin, verbose_name="gezin", on_delete=models.CASCADE, related_name="berichten"
    )
    koppeling = models.ForeignKey(
        Koppeling,
        verbose_name="koppeling",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="berichten",
    )
    soort = models.CharField("soort", max_length=20, choices=Soort.choices)
    aan = models.CharField("aan", max_length=20, choices=Aan.choices)
    adres = models.EmailField("e-mailadres")
    onderwerp = models.CharField("onderwerp", max_length=200)
    # A kennismaking's start, for the line in the timeline.
    afspraak_op = models.DateTimeField("afspraak op", null=True, blank=True)
    door = models.ForeignKey(
        User, verbose_name="door", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    op = models.DateTimeField("verstuurd op", default=timezone.now)

    objects = BerichtQuerySet.as_manager()

    class Meta:
        verbose_name = "bericht"
        verbose_name_plural = "berichten"
        ordering = ["-op", "-id"]
        indexes = [models.Index(fields=["gezin", "-op"], name="bericht_gezin_op")]

    def __str__(self) -> str:
        return f"Bericht {korte_datum(self.op)}"
