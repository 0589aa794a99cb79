from __future__ import annotations

import re
import unicodedata

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone


class Organisatie(models.Model):
    """An organisation running a programme; every family record belongs to one."""

    naam = models.CharField("naam", max_length=200, unique=True)
    slug = models.SlugField(
        "korte naam in webadressen",
        unique=True,
        help_text="Wordt gebruikt in de adressen van de openbare aanmeldformulieren.",
    )
    privacytekst = models.TextField(
        "privacytekst aanmeldformulieren",
        default=(
            "Wij gebruiken uw gegevens alleen om een passend steungezin of gezin te zoeken "
            "en de steun te begeleiden. Alleen de coördinatoren van ons programma zien ze. "
            "U kunt uw gegevens altijd inzien of laten verwijderen."
        ),
        help_text="Staat bij het toestemmingsvakje op de openbare aanmeldformulieren.",
    )
    vog_hoogstens_maanden_oud = models.PositiveSmallIntegerField(
        "VOG bij goedkeuring hoogstens … maanden oud",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="Een steungezin wordt alleen goedgekeurd met VOG's die niet ouder zijn.",
    )
    vog_geldig_jaren = models.PositiveSmallIntegerField(
        "VOG elke … jaar vernieuwen",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    vog_vooruit_dagen = models.PositiveSmallIntegerField(
        "VOG ook voor wie binnen … dagen 18 wordt",
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text="Dan is de VOG er op de achttiende verjaardag.",
    )
    contact_na_weken = models.CharField(
        "contactmomenten … weken na de start",
        max_length=50,
        default="2, 6",
        validators=[
            RegexValidator(
                r"^\s*\d{1,2}(\s*,\s*\d{1,2})*\s*$",
                "Vul weken in als getallen met komma's, zoals 2, 6.",
            )
        ],
    )
    contact_daarna_maanden = models.PositiveSmallIntegerField(
        "daarna elke … maanden",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    gewicht_wijk = models.PositiveSmallIntegerField("gewicht: dezelfde of een buurwijk", default=30)
    gewicht_dagdelen = models.PositiveSmallIntegerField("gewicht: dagen en dagdelen", default=25)
    gewicht_kinderen = models.PositiveSmallIntegerField(
        "gewicht: leeftijd en aantal kinderen", default=20
    )
    gewicht_ondersteuning = models.PositiveSmallIntegerField(
        "gewicht: gevraagde en geboden steun", default=15
    )
    gewicht_taal = models.PositiveSmallIntegerField("gewicht: gedeelde taal", default=10)
    wachttijd_limiet_weken = models.PositiveSmallIntegerField(
        "signaleer vraaggezinnen die langer wachten dan … weken",
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
    )
    bewaartermijn_maanden = models.PositiveSmallIntegerField(
        "bewaartermijn na afsluiting (maanden)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="Daarna worden persoonsgegevens verwijderd; geanonimiseerde cijfers blijven.",
    )
    uurtarief = models.DecimalField(
        "uurtarief coördinatie (€)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=(
            "Wat een uur coördinatie kost, zoals afgesproken met de gemeente. De "
            "gemeenterapportage rekent er de kosten per koppeling mee uit; leeg laten als "
            "er geen tarief is afgesproken."
        ),
    )
    vog_brieven_bewaren = models.BooleanField(
        "VOG-brieven bewaren",
        default=False,
        help_text=(
            "Coördinatoren kunnen dan ook de brief van een VOG als document bij een gezinslid "
            "bewaren. Nodig is dat niet: de status en de datums van de VOG volstaan."
        ),
    )
    tweestaps_verplicht = models.BooleanField(
        "tweestapsverificatie verplicht",
        default=False,
        help_text=(
            "Coördinatoren en beheerders van deze organisatie loggen dan in met hun wachtwoord "
            "én een code uit een app op hun telefoon. Wie de app nog niet heeft ingesteld, "
            "doet dat bij de eerstvolgende keer inloggen. Vrijwillige coördinatoren kunnen het "
            "zelf aanzetten."
        ),
    )

    telefoon = models.CharField(
        "telefoonnummer voor gezinnen en verwijzers",
        max_length=20,
        blank=True,
        help_text="Staat op de openbare aanmeldformulieren en in de mails aan gezinnen.",
    )
    email = models.EmailField(
        "e-mailadres voor gezinnen en verwijzers",
        blank=True,
        help_text=(
            "Staat op de openbare aanmeldformulieren en in de mails aan gezinnen; wie een mail "
            "van de app beantwoordt, schrijft naar dit adres."
        ),
    )

    class Meta:
        verbose_name = "organisatie"
        verbose_name_plural = "organisaties"
        ordering = ["naam"]

    def __str__(self) -> str:
        return self.naam

    @property
    def contact_weken(self) -> list[int]:
        return sorted(int(part) for part in self.contact_na_weken.split(",") if part.strip())


class MailTekst(models.Model):
    """The organisation's own text of a mail to families or referrers, in
    place of the standard one (accounts.mail): a subject and a text with the
    variables of ``variabelen(soort)`` between braces."""

    class Soort(models.TextChoices):
        BEVESTIGING_STEUNGEZIN = (
            "bevestiging_steungezin",
            "bevestiging van een aanmelding als steungezin",
        )
        BEVESTIGING_VERWIJZING = (
            "bevestiging_verwijzing",
            "bevestiging van een aanmelding of verwijzing van een gezin",
        )
        VERWIJZER_START = "verwijzer_start", "bericht aan de verwijzer: de steun is begonnen"
        VERWIJZER_EINDE = "verwijzer_einde", "bericht aan de verwijzer: de steun is gestopt"
        UITNODIGING = "uitnodiging", "uitnodiging voor een kennismaking"
        BERICHT = "bericht", "vrij bericht aan een gezin (begintekst)"

    # What a text may name, filled in when the mail is sent: never a family's
    # name or data, since mail is no safe place for them. The referrer's
    # notices name the family by initials only: the referrer knows it.
    VARIABELEN = {
        "organisatie": "de naam van uw organisatie",
        "telefoon": "het telefoonnummer van uw organisatie",
        "email": "het e-mailadres van uw organisatie",
    }
    EIGEN_VARIABELEN = {
        Soort.BEVESTIGING_STEUNGEZIN: {"datum": "de dag van de aanmelding, zoals 3 dec. 2026"},
        Soort.BEVESTIGING_VERWIJZING: {"datum": "de dag van de aanmelding, zoals 3 dec. 2026"},
        Soort.VERWIJZER_START: {
            "datum": "de dag waarop u het gezin aanmeldde, zoals 3 dec. 2026",
            "initialen": "de initialen van het gezin, zoals J.",
            "dag": "de dag waarop de steun begon",
        },
        Soort.VERWIJZER_EINDE: {
            "datum": "de dag waarop u het gezin aanmeldde, zoals 3 dec. 2026",
            "initialen": "de initialen van het gezin, zoals J.",
            "dag": "de dag waarop de steun stopte",
        },
        Soort.UITNODIGING: {
            "datum": "de dag van de kennismaking, zoals 3 dec. 2026",
            "tijd": "de tijd van de kennismaking, zoals 15:00 tot 16:00",
            "plaats": "waar de kennismaking is",
        },
        Soort.BERICHT: {},
    }
    VARIABELE = re.compile(r"\{(\w*)\}")

    organisatie = models.ForeignKey(
        Organisatie,
        on_delete=models.CASCADE,
        related_name="mailteksten",
        verbose_name="organisatie",
    )
    soort = models.CharField("mail", max_length=40, choices=Soort.choices)
    onderwerp = models.CharField("onderwerp", max_length=150)
    tekst = models.TextField("tekst", max_length=5000)

    class Meta:
        verbose_name = "mailtekst"
        verbose_name_plural = "mailteksten"
        ordering = ["soort"]
        constraints = [
            models.UniqueConstraint(fields=["organisatie", "soort"], name="een_mailtekst_per_soort")
        ]

    def __str__(self) -> str:
        return self.get_soort_display()

    @classmethod
    def variabelen(cls, soort: str) -> dict[str, str]:
        """The variables a text of this kind may use."""
        return {**cls.VARIABELEN, **cls.EIGEN_VARIABELEN.get(soort, {})}

    @classmethod
    def onbekende_variabelen(cls, tekst: str, soort: str) -> list[str]:
        bekend = cls.variabelen(soort)
        return sorted({naam for naam in cls.VARIABELE.findall(tekst) if naam not in bekend})

    @classmethod
    def invullen(cls, tekst: str, waarden: dict[str, str]) -> str:
        """The text with each known variable replaced; nothing else is read,
        so a text cannot reach into the application as a template could."""
        return cls.VARIABELE.sub(lambda m: waarden.get(m.group(1), m.group(0)), tekst)

    def clean(self) -> None:
        errors = {}
        for name in ("onderwerp", "tekst"):
            if onbekend := self.onbekende_variabelen(getattr(self, name), self.soort):
                errors[name] = ValidationError(
                    "Onbekende variabele: %(namen)s. Gebruik alleen de variabelen hieronder.",
                    params={"namen": ", ".join(f"{{{naam}}}" for naam in onbekend)},
                )
        if errors:
            raise ValidationError(errors)


class OrganisatieQuerySet(models.QuerySet):
    """The permission gate for everything that belongs to one organisation.

    Every model with family data gets a queryset derived from this one and every
    view fetches through ``visible_to(user)``: what it leaves out is a 404.
    Subclasses narrow it further, e.g. to what is assigned to a volunteer
    coordinator.
    """

    organisatie_field = "organisatie"

    def visible_to(self, user) -> OrganisatieQuerySet:
        if not getattr(user, "is_authenticated", False) or not user.sees_family_data:
            return self.none()
        return self.filter(**{self.organisatie_field: user.organisatie_id})


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """The one form of an e-mail address: stored, looked up and counted by
        the lock-out alike. NFKC turns look-alikes such as fullwidth letters
        into the letters they stand for and casefold ignores case for every
        script, so that two spellings either are the same address here or are
        different accounts; never one account under two lock-out counters."""
        folded = unicodedata.normalize("NFKC", email or "").casefold()
        return unicodedata.normalize("NFKC", folded).strip()

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("Een e-mailadres is verplicht.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields["is_superuser"] = True
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email: str) -> User:
        # An exact match on the normalised address. A case-insensitive lookup
        # would let the database fold case its own way (PostgreSQL's UPPER()
        # turns a dotless ı into I) and find an account under an address the
        # lock-out counts separately.
        return self.get(email=self.normalize_email(email))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in, by e-mail address.

    The role decides what family data someone sees; *beheerder* is a separate
    right to the back office that goes with either role or stands alone.
    """

    class Rol(models.TextChoices):
        COORDINATOR = "coordinator", "coördinator"
        VRIJWILLIG_COORDINATOR = "vrijwillig_coordinator", "vrijwillige coördinator"

    email = models.EmailField("e-mailadres", unique=True)
    first_name = models.CharField("voornaam", max_length=100)
    last_name = models.CharField("achternaam", max_length=150)
    organisatie = models.ForeignKey(
        Organisatie,
        verbose_name="organisatie",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="Leeg alleen voor een superuser van de hele installatie.",
    )
    rol = models.CharField(
        "rol",
        max_length=30,
        choices=Rol.choices,
        blank=True,
        help_text="Zonder rol ziet iemand geen gezinsgegevens (bijvoorbeeld alleen beheerder).",
    )
    is_beheerder = models.BooleanField(
        "beheerder",
        default=False,
        help_text="Mag gebruikers, wijken en instellingen van de eigen organisatie beheren.",
    )
    is_active = models.BooleanField(
        "actief",
        default=True,
        help_text="Zet uit in plaats van verwijderen: de geschiedenis blijft bewaard.",
    )
    date_joined = models.DateTimeField("aangemaakt op", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = "gebruiker"
        verbose_name_plural = "gebruikers"
        ordering = ["first_name", "last_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=True) | models.Q(organisatie__isnull=False),
                name="user_has_organisatie_unless_superuser",
                violation_error_message="Kies de organisatie van deze gebruiker.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_staff(self) -> bool:
        """Django admin (the back office) is for beheerders and superusers."""
        return self.is_beheerder or self.is_superuser

    @property
    def is_coordinator(self) -> bool:
        return self.rol == self.Rol.COORDINATOR

    @property
    def is_vrijwillig_coordinator(self) -> bool:
        return self.rol == self.Rol.VRIJWILLIG_COORDINATOR

    @property
    def sees_family_data(self) -> bool:
        return bool(self.rol) and self.organisatie_id is not None


class AuditEntryQuerySet(models.QuerySet):
    # Bulk changes would bypass the append-only rule of AuditEntry.save().
    def update(self, **kwargs):
        raise PermissionDenied("Het auditlog kan niet worden gewijzigd.")

    def delete(self):
        raise PermissionDenied("Het auditlog kan niet worden verwijderd.")


class AuditEntry(models.Model):
    """One line of the append-only audit log: who did what to which record.

    Written only through ``accounts.audit.record``; it answers "who looked at
    this family?". Entries are never changed or deleted by the application.
    """

    class Action(models.TextChoices):
        VIEW = "view", "bekeken"
        CREATE = "create", "aangemaakt"
        CHANGE = "change", "gewijzigd"
        DELETE = "delete", "verwijderd"
        EXPORT = "export", "geëxporteerd"
        LOGIN = "login", "ingelogd"
        LOGIN_FAILED = "login_failed", "inloggen mislukt"
        ERASE = "erase", "geanonimiseerd"
        RIGHTS = "rights", "rechten gewijzigd"
        PASSWORD = "password", "wachtwoord"
        TWO_FACTOR = "two_factor", "tweestapsverificatie"
        MAIL = "mail", "mail verstuurd"

    timestamp = models.DateTimeField("tijdstip", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User,
        verbose_name="gebruiker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    organisatie = models.ForeignKey(
        Organisatie,
        verbose_name="organisatie",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    action = models.CharField("actie", max_length=20, choices=Action.choices)
    object_type = models.CharField("soort gegeven", max_length=100, blank=True)
    object_id = models.CharField("nummer", max_length=64, blank=True)
    object_repr = models.CharField("omschrijving", max_length=200, blank=True)
    detail = models.CharField("toelichting", max_length=500, blank=True)
    ip_address = models.GenericIPAddressField("IP-adres", null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "auditregel"
        verbose_name_plural = "auditlog"
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        who = self.user or "onbekend"
        return f"{self.timestamp:%d-%m-%Y %H:%M} {who} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        # Append-only: an existing entry is never rewritten.
        if self.pk is not None:
            raise PermissionDenied("Een auditregel kan niet worden gewijzigd.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Een auditregel kan niet worden verwijderd.")


class AuditGezin(models.Model):
    """A family an audit entry concerns: the family of the record, both
    families of a koppeling, each family a list showed. Append-only like the
    entry; it is what "wie heeft dit dossier gezien" and the AVG inzage read.

    The family is a number, not a foreign key: the log outlives whatever
    happens to the family's rows."""

    entry = models.ForeignKey(
        AuditEntry, verbose_name="auditregel", on_delete=models.PROTECT, related_name="gezinnen"
    )
    gezin_id = models.PositiveIntegerField("gezin nr.", db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "gezin in het auditlog"
        verbose_name_plural = "gezinnen in het auditlog"
        constraints = [
            models.UniqueConstraint(fields=["entry", "gezin_id"], name="audit_gezin_eenmaal")
        ]

    def __str__(self) -> str:
        return f"gezin nr. {self.gezin_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionDenied("Een auditregel kan niet worden gewijzigd.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Een auditregel kan niet worden verwijderd.")
