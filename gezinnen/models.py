from __future__ import annotations

import contextlib
import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisatie, OrganisatieQuerySet, User
from gezinnen.validators import normalise_phone, pc4


class Ondersteuning(models.TextChoices):
    """Kinds of support: what a vraaggezin wants and a steungezin offers."""

    SPEELMIDDAG = "speelmiddag", "wekelijkse speelmiddag"
    HALEN_BRENGEN = "halen_brengen", "kinderen naar school of activiteiten brengen"
    OPVANG = "opvang", "een middag of avond opvang bij het steungezin"
    WEEKENDDAG = "weekenddag", "een dag in het weekend"
    PRAKTISCH = "praktisch", "praktische hulp"
    ANDERS = "anders", "anders"


DAGEN = [
    ("ma", "maandag"),
    ("di", "dinsdag"),
    ("wo", "woensdag"),
    ("do", "donderdag"),
    ("vr", "vrijdag"),
    ("za", "zaterdag"),
    ("zo", "zondag"),
]
DAGDELEN = [("ochtend", "ochtend"), ("middag", "middag"), ("avond", "avond")]
# "ma_middag": monday afternoon. Availability and wishes are sets of these.
DAGDEEL_CHOICES = [
    (f"{dag}_{deel}", f"{dag_naam} {deel_naam}")
    for dag, dag_naam in DAGEN
    for deel, deel_naam in DAGDELEN
]
DAGDEEL_LABELS = dict(DAGDEEL_CHOICES)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def today() -> datetime.date:
    return timezone.localdate()


class WijkQuerySet(OrganisatieQuerySet):
    def for_postcode(self, postcode: str) -> Wijk | None:
        """The wijk whose PC4 areas include this postcode, if any."""
        area = pc4(postcode)
        if not area:
            return None
        return next((wijk for wijk in self if area in wijk.pc4_set), None)


class Wijk(models.Model):
    """A neighbourhood of one organisation; matching prefers the same or an
    adjacent wijk, reports group them by gemeente."""

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="wijken")
    naam = models.CharField("naam", max_length=100)
    gemeente = models.CharField("gemeente", max_length=100)
    postcodes = models.CharField(
        "postcodegebieden (PC4)",
        max_length=1000,
        blank=True,
        help_text="De vier cijfers van elke postcode in deze wijk, gescheiden door komma's: "
        "7551, 7552, 7553.",
    )
    aangrenzend = models.ManyToManyField(
        "self", verbose_name="aangrenzende wijken", blank=True, symmetrical=True
    )

    objects = WijkQuerySet.as_manager()

    class Meta:
        verbose_name = "wijk"
        verbose_name_plural = "wijken"
        ordering = ["gemeente", "naam"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisatie", "naam"],
                name="wijk_naam_uniek",
                violation_error_message="Er is al een wijk met deze naam.",
            ),
        ]

    def __str__(self) -> str:
        return self.naam

    @property
    def pc4_set(self) -> set[str]:
        return {part.strip() for part in self.postcodes.split(",") if part.strip()}

    def clean(self) -> None:
        areas = sorted(self.pc4_set)
        wrong = [area for area in areas if not re.fullmatch(r"[1-9][0-9]{3}", area)]
        if wrong:
            raise ValidationError(
                {"postcodes": f"Geen postcodegebied van vier cijfers: {', '.join(wrong)}."}
            )
        others = Wijk.objects.filter(organisatie_id=self.organisatie_id).exclude(pk=self.pk)
        clashes = [
            f"{area} ({other})" for other in others for area in areas if area in other.pc4_set
        ]
        if clashes:
            raise ValidationError(
                {"postcodes": f"Al ingedeeld bij een andere wijk: {', '.join(clashes)}."}
            )
        self.postcodes = ", ".join(areas)


class GezinQuerySet(OrganisatieQuerySet):
    def visible_to(self, user) -> GezinQuerySet:
        # Volunteer coordinators see only the families of the koppelingen
        # assigned to them, and so far nothing is assigned to anyone.
        if getattr(user, "is_vrijwillig_coordinator", False):
            return self.none()
        return super().visible_to(user)

    def search(self, text: str) -> GezinQuerySet:
        """By family or member name, postcode or phone number."""
        text = text.strip()
        if not text:
            return self
        postcode = re.sub(r"^(\d{4})\s*([A-Za-z]{1,2})$", r"\1 \2", text).upper()
        condition = (
            Q(naam__icontains=text)
            | Q(leden__voornaam__icontains=text)
            | Q(leden__achternaam__icontains=text)
            | Q(postcode__startswith=postcode)
            | Q(telefoon__icontains=text)
        )
        with contextlib.suppress(ValidationError):
            condition |= Q(telefoon=normalise_phone(text))
        return self.filter(pk__in=self.filter(condition).values("pk"))

    def resembling(
        self, *, postcode: str = "", huisnummer: str = "", email: str = "", telefoon: str = ""
    ) -> GezinQuerySet:
        """Families that may be the same one: same address, e-mail or phone."""
        condition = Q(pk__in=[])
        if postcode and huisnummer:
            condition |= Q(postcode=postcode, huisnummer__iexact=huisnummer)
        if email:
            condition |= Q(email__iexact=email)
        if telefoon:
            condition |= Q(telefoon=telefoon)
        return self.filter(condition)


class Gezin(models.Model):
    """A household: a vraaggezin or a steungezin (the two subclasses)."""

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="gezinnen")
    naam = models.CharField(
        "gezinsnaam", max_length=150, help_text="Zoals u het gezin noemt, bijvoorbeeld Jansen."
    )
    straat = models.CharField("straat", max_length=150)
    huisnummer = models.CharField("huisnummer", max_length=10)
    postcode = models.CharField("postcode", max_length=7)
    plaats = models.CharField("plaats", max_length=100)
    telefoon = models.CharField("telefoonnummer", max_length=30, blank=True)
    email = models.EmailField("e-mailadres", blank=True)
    wijk = models.ForeignKey(
        Wijk,
        verbose_name="wijk",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gezinnen",
    )
    talen = models.CharField(
        "gesproken talen",
        max_length=200,
        blank=True,
        help_text="Bijvoorbeeld: Nederlands, Arabisch",
    )
    aangemeld_op = models.DateField("aangemeld op", default=today)
    toestemming_op = models.DateField("toestemming gegeven op", null=True, blank=True)
    toestemming_omvat = models.TextField(
        "toestemming omvat",
        blank=True,
        help_text="Waarvoor het gezin toestemming gaf (vastleggen en delen van gegevens).",
    )
    toestemming_vastgelegd_door = models.ForeignKey(
        User,
        verbose_name="toestemming vastgelegd door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opmerkingen = models.TextField("opmerkingen", blank=True)
    # Optimistic locking: a save counts only when nobody saved in between.
    versie = models.PositiveIntegerField(default=1, editable=False)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)
    gewijzigd_op = models.DateTimeField(auto_now=True)

    objects = GezinQuerySet.as_manager()

    class Meta:
        verbose_name = "gezin"
        verbose_name_plural = "gezinnen"
        ordering = ["naam"]
        indexes = [
            models.Index(fields=["organisatie", "postcode", "huisnummer"]),
            models.Index(fields=["organisatie", "email"]),
            models.Index(fields=["organisatie", "telefoon"]),
        ]

    def __str__(self) -> str:
        return f"Gezin {self.naam}"

    @property
    def adres(self) -> str:
        return f"{self.straat} {self.huisnummer}, {self.postcode} {self.plaats}"

    @property
    def initialen(self) -> str:
        """For places where a name says too much (calendar, e-mail)."""
        return "".join(part[0].upper() + "." for part in self.naam.split() if part[0].isalpha())


class Gezinslid(models.Model):
    class Soort(models.TextChoices):
        VOLWASSENE = "volwassene", "volwassene"
        KIND = "kind", "kind"

    gezin = models.ForeignKey(Gezin, on_delete=models.CASCADE, related_name="leden")
    voornaam = models.CharField("voornaam", max_length=100)
    achternaam = models.CharField("achternaam", max_length=150)
    soort = models.CharField("volwassene of kind", max_length=12, choices=Soort.choices)
    geboortedatum = models.DateField("geboortedatum")
    krijgt_steun = models.BooleanField(
        "hulpvraag betreft dit kind",
        default=False,
        help_text="Alleen bij een vraaggezin: voor welke kinderen de steun bedoeld is.",
    )

    class Meta:
        verbose_name = "gezinslid"
        verbose_name_plural = "gezinsleden"
        ordering = ["soort", "geboortedatum"]
        constraints = [
            models.CheckConstraint(
                condition=Q(krijgt_steun=False) | Q(soort="kind"),
                name="alleen_kinderen_krijgen_steun",
                violation_error_message="Alleen kinderen kunnen de steun krijgen.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.voornaam} {self.achternaam}"

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.geboortedatum, day)

    @property
    def leeftijd(self) -> int:
        return self.age_on(today())

    def clean(self) -> None:
        if self.geboortedatum and self.geboortedatum > today():
            raise ValidationError(
                {"geboortedatum": "Een geboortedatum kan niet in de toekomst liggen."}
            )
        if self.geboortedatum and self.geboortedatum < datetime.date(1900, 1, 1):
            raise ValidationError({"geboortedatum": "Controleer het geboortejaar."})
        if self.krijgt_steun and self.soort != self.Soort.KIND:
            raise ValidationError({"krijgt_steun": "Alleen kinderen kunnen de steun krijgen."})


class Statuswijziging(models.Model):
    """One step in a family's lifecycle: the timeline on its page."""

    gezin = models.ForeignKey(Gezin, on_delete=models.CASCADE, related_name="statuswijzigingen")
    van = models.CharField("van", max_length=20, blank=True)
    naar = models.CharField("naar", max_length=20)
    reden = models.TextField("reden", blank=True)
    door = models.ForeignKey(
        User, verbose_name="door", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    op = models.DateTimeField("op", default=timezone.now)

    class Meta:
        verbose_name = "statuswijziging"
        verbose_name_plural = "statuswijzigingen"
        ordering = ["-op", "-id"]

    def __str__(self) -> str:
        return f"{self.van or 'nieuw'} → {self.naar}"


class TransitionError(Exception):
    """A status change that the lifecycle does not allow, with the Dutch reason."""


class Lifecycle(models.Model):
    """Status with an explicit lifecycle, shared by both kinds of family.

    Subclasses define ``Status`` and ``TRANSITIONS`` (from -> allowed to) and
    ``NEEDS_REASON`` (the statuses that can only be reached with a reason).
    """

    TRANSITIONS: dict[str, set[str]] = {}
    NEEDS_REASON: set[str] = set()
    # Reached through their own step (intake, koppeling, approval), not by hand.
    SET_ELSEWHERE: set[str] = set()

    class Meta:
        abstract = True

    def allowed_transitions(self) -> list:
        return [self.Status(s) for s in self.Status.values if s in self.TRANSITIONS[self.status]]

    def manual_transitions(self) -> list:
        return [s for s in self.allowed_transitions() if s not in self.SET_ELSEWHERE]

    @transaction.atomic
    def change_status(self, naar: str, *, door: User | None, reden: str = "") -> Statuswijziging:
        """Move to another status if the lifecycle allows it; logs the step.

        The row is locked so that two coordinators cannot both move the same
        family from the same status.
        """
        current = type(self).objects.select_for_update().get(pk=self.pk)
        naar = self.Status(naar)
        if naar not in self.TRANSITIONS[current.status]:
            raise TransitionError(
                f"Van {current.get_status_display()} kan een {self._meta.verbose_name} "
                f"niet naar {naar.label}."
            )
        if naar in self.NEEDS_REASON and not reden.strip():
            raise TransitionError(f"Geef een reden op voor {naar.label}.")
        van = current.status
        self.status = naar
        self.on_status_change(van, naar)
        self.save(update_fields=["status", *self.STATUS_FIELDS])
        return Statuswijziging.objects.create(
            gezin=self, van=van, naar=naar, reden=reden.strip(), door=door
        )

    STATUS_FIELDS: tuple[str, ...] = ()

    def on_status_change(self, van: str, naar: str) -> None:
        """Hook for fields that follow the status (e.g. waiting since)."""


class Vraaggezin(Lifecycle, Gezin):
    class Status(models.TextChoices):
        AANGEMELD = "aangemeld", "aangemeld"
        INTAKE = "intake", "intake"
        WACHTEND = "wachtend", "wachtend"
        GEKOPPELD = "gekoppeld", "gekoppeld"
        AFGESLOTEN = "afgesloten", "afgesloten"
        INGETROKKEN = "ingetrokken", "ingetrokken"

    class Verwijzer(models.TextChoices):
        CONSULTATIEBUREAU = "consultatiebureau", "consultatiebureau"
        HUISARTS = "huisarts", "huisarts of POH"
        WIJKTEAM = "wijkteam", "wijkteam"
        SCHOOL = "school", "school"
        ZELFMELDING = "zelfmelding", "zelfmelding"
        ANDERS = "anders", "anders"

    TRANSITIONS = {
        Status.AANGEMELD: {Status.INTAKE, Status.INGETROKKEN},
        Status.INTAKE: {Status.WACHTEND, Status.INGETROKKEN},
        Status.WACHTEND: {Status.GEKOPPELD, Status.INGETROKKEN, Status.AFGESLOTEN},
        Status.GEKOPPELD: {Status.WACHTEND, Status.AFGESLOTEN},
        Status.AFGESLOTEN: set(),
        Status.INGETROKKEN: set(),
    }
    NEEDS_REASON = {Status.INGETROKKEN, Status.AFGESLOTEN}
    SET_ELSEWHERE = {Status.WACHTEND, Status.GEKOPPELD}
    WAITING = {Status.AANGEMELD, Status.INTAKE, Status.WACHTEND}
    ENDED = {Status.AFGESLOTEN, Status.INGETROKKEN}
    STATUS_FIELDS = ("wacht_sinds",)

    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.AANGEMELD, db_index=True
    )
    wacht_sinds = models.DateField(
        "wacht sinds",
        null=True,
        blank=True,
        help_text="Sinds de aanmelding, of sinds het einde van de vorige koppeling.",
    )
    hulpvraag = models.TextField("hulpvraag", blank=True)
    ondersteuning = models.JSONField("gewenste steun", default=list, blank=True)
    dagdelen = models.JSONField("voorkeur dagen en dagdelen", default=list, blank=True)
    verwijzer_soort = models.CharField(
        "verwezen door", max_length=20, choices=Verwijzer.choices, default=Verwijzer.ZELFMELDING
    )
    verwijzer_organisatie = models.CharField("organisatie verwijzer", max_length=150, blank=True)
    verwijzer_contactpersoon = models.CharField("contactpersoon", max_length=150, blank=True)
    verwijzer_telefoon = models.CharField("telefoon verwijzer", max_length=30, blank=True)
    verwijzer_email = models.EmailField("e-mail verwijzer", blank=True)
    intake_op = models.DateField("intake op", null=True, blank=True)
    intake_door = models.ForeignKey(
        User,
        verbose_name="intake door",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "vraaggezin"
        verbose_name_plural = "vraaggezinnen"
        ordering = ["naam"]

    def on_status_change(self, van: str, naar: str) -> None:
        if naar in self.WAITING:
            self.wacht_sinds = self.wacht_sinds or today()
        else:
            self.wacht_sinds = None

    @property
    def wachttijd_dagen(self) -> int | None:
        return (today() - self.wacht_sinds).days if self.wacht_sinds else None

    def ondersteuning_labels(self) -> list[str]:
        return [Ondersteuning(v).label for v in self.ondersteuning if v in Ondersteuning.values]

    def dagdeel_labels(self) -> list[str]:
        return [DAGDEEL_LABELS[v] for v in self.dagdelen if v in DAGDEEL_LABELS]


class Steungezin(Lifecycle, Gezin):
    class Status(models.TextChoices):
        AANGEMELD = "aangemeld", "aangemeld"
        IN_SCREENING = "in_screening", "in screening"
        BESCHIKBAAR = "beschikbaar", "beschikbaar"
        GESTOPT = "gestopt", "gestopt"
        AFGEWEZEN = "afgewezen", "afgewezen"

    TRANSITIONS = {
        Status.AANGEMELD: {Status.IN_SCREENING, Status.AFGEWEZEN, Status.GESTOPT},
        Status.IN_SCREENING: {Status.BESCHIKBAAR, Status.AFGEWEZEN, Status.GESTOPT},
        Status.BESCHIKBAAR: {Status.IN_SCREENING, Status.GESTOPT},
        Status.GESTOPT: set(),
        Status.AFGEWEZEN: set(),
    }
    NEEDS_REASON = {Status.AFGEWEZEN, Status.GESTOPT}
    SET_ELSEWHERE = {Status.BESCHIKBAAR}
    ENDED = {Status.GESTOPT, Status.AFGEWEZEN}

    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.AANGEMELD, db_index=True
    )
    motivatie = models.TextField("motivatie", blank=True)
    aanbod = models.JSONField("wat zij bieden", default=list, blank=True)
    beschikbaarheid = models.JSONField("beschikbare dagen en dagdelen", default=list, blank=True)
    capaciteit = models.PositiveSmallIntegerField(
        "aantal vraaggezinnen tegelijk",
        default=1,
        validators=[
            MinValueValidator(1, "Minstens één gezin."),
            MaxValueValidator(5, "Hoogstens vijf gezinnen."),
        ],
    )
    leeftijd_van = models.PositiveSmallIntegerField(
        "leeftijd kinderen vanaf", default=0, validators=[MaxValueValidator(17)]
    )
    leeftijd_tot = models.PositiveSmallIntegerField(
        "leeftijd kinderen tot en met", default=12, validators=[MaxValueValidator(17)]
    )
    max_kinderen = models.PositiveSmallIntegerField(
        "hoeveel kinderen tegelijk",
        default=2,
        validators=[MinValueValidator(1, "Minstens één kind."), MaxValueValidator(10)],
    )

    class Meta:
        verbose_name = "steungezin"
        verbose_name_plural = "steungezinnen"
        ordering = ["naam"]
        constraints = [
            models.CheckConstraint(
                condition=Q(leeftijd_van__lte=models.F("leeftijd_tot")),
                name="leeftijd_van_voor_tot",
                violation_error_message="De leeftijd 'vanaf' moet lager zijn dan 'tot en met'.",
            ),
            models.CheckConstraint(condition=Q(capaciteit__gte=1), name="capaciteit_minstens_een"),
        ]

    def aanbod_labels(self) -> list[str]:
        return [Ondersteuning(v).label for v in self.aanbod if v in Ondersteuning.values]

    def dagdeel_labels(self) -> list[str]:
        return [DAGDEEL_LABELS[v] for v in self.beschikbaarheid if v in DAGDEEL_LABELS]
