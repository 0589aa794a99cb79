import datetime
from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.text import slugify

from accounts.models import User
from gezinnen.forms import (
    DateInput,
    LegeKeuzes,
    OnceForm,
    VersionedForm,
    date_fields,
    lege_keuzes,
    not_in_future,
    plausible_date,
)
from gezinnen.models import Gezinslid, Steungezin, Vraaggezin, Wijk, today
from matching.models import (
    EVALUATIEVRAGEN,
    NOTITIE_LENGTE,
    Contactmoment,
    CoordinatieUren,
    EindReden,
    Evaluatie,
    Koppeling,
    MeldcodeStap,
    maandag_van,
)
from screening.forms import DatesInThePast, ReferentieForm
from screening.models import VOG, ScreeningGesprek, Training, TrainingDeelname
from screening.services import VOG_VELDEN


class FilterForm(forms.Form):
    OVERDUE = "achter"
    status = forms.ChoiceField(label="Status", required=False)
    coordinator = forms.ModelChoiceField(
        label="Coördinator", required=False, queryset=User.objects.none()
    )
    vrijwilliger = forms.ModelChoiceField(
        label="Vrijwillige coördinator", required=False, queryset=User.objects.none()
    )
    achter = forms.BooleanField(label="Alleen met contactmoment over tijd", required=False)

    def __init__(self, *args, organisatie, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", "lopend"),
            ("alle", "alle"),
            *Koppeling.Status.choices,
        ]
        team = User.objects.filter(organisatie=organisatie, is_active=True)
        self.fields["coordinator"].queryset = team.filter(rol=User.Rol.COORDINATOR)
        self.fields["vrijwilliger"].queryset = team.filter(rol=User.Rol.VRIJWILLIG_COORDINATOR)


class ZoekForm(forms.Form):
    """The search box of the navigation. One letter would find half the
    programme; no name, address or number is longer than the maximum."""

    q = forms.CharField(
        label="Zoeken",
        min_length=2,
        max_length=100,
        error_messages={
            "required": "Vul in wat u zoekt: een naam, postcode, telefoonnummer, e-mailadres "
            "of nummer.",
            "min_length": "Typ minstens 2 tekens om te zoeken.",
            "max_length": "Een zoekterm is hoogstens 100 tekens; u typte er %(show_value)d.",
        },
    )


class KennismakingPlanForm(VersionedForm):
    datum = forms.DateField(label="Datum van de kennismaking")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_fields(self)


class KennismakingUitkomstForm(VersionedForm):
    uitkomst = forms.ChoiceField(
        label="Uitkomst", choices=Koppeling.Uitkomst.choices, widget=forms.RadioSelect
    )
    notities = forms.CharField(
        label="Notities", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class StartForm(VersionedForm):
    start_op = forms.DateField(label="Start", widget=DateInput())
    afspraken = forms.CharField(
        label="Afspraken: wat gaan de gezinnen doen?", widget=forms.Textarea(attrs={"rows": 3})
    )
    frequentie = forms.CharField(
        label="Hoe vaak", max_length=100, help_text="Bijvoorbeeld: elke woensdagmiddag"
    )
    kinderen = forms.ModelMultipleChoiceField(
        label="Voor welke kinderen",
        queryset=Gezinslid.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Kies alleen kinderen van het vraaggezin."},
    )
    proefperiode_tot = forms.DateField(
        label="Einde proefperiode", widget=DateInput(), required=False
    )
    gepland_einde = forms.DateField(label="Gepland einde", widget=DateInput(), required=False)

    def __init__(self, *args, koppeling: Koppeling, **kwargs):
        super().__init__(*args, **kwargs)
        children = koppeling.vraaggezin.leden.filter(soort=Gezinslid.Soort.KIND)
        self.fields["kinderen"].queryset = children
        self.fields["kinderen"].initial = [k.pk for k in children if k.krijgt_steun]
        start = today()
        self.fields["start_op"].initial = start
        self.fields["proefperiode_tot"].initial = start + datetime.timedelta(weeks=8)
        date_fields(self)

    def clean_start_op(self):
        return not_in_future(self.cleaned_data["start_op"], "De start")

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("start_op")
        for name, label in (
            ("proefperiode_tot", "Het einde van de proefperiode"),
            ("gepland_einde", "Het geplande einde"),
        ):
            if start and cleaned.get(name) and cleaned[name] <= start:
                self.add_error(name, f"{label} moet na de start liggen.")
        return cleaned


class BegeleidingForm(LegeKeuzes, VersionedForm, forms.ModelForm):
    class Meta:
        model = Koppeling
        fields = ["coordinator", "vrijwilliger", "professional_nodig"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        team = User.objects.filter(organisatie=self.instance.organisatie, is_active=True)
        self.fields["coordinator"].queryset = team.filter(rol=User.Rol.COORDINATOR)
        self.fields["vrijwilliger"].queryset = team.filter(rol=User.Rol.VRIJWILLIG_COORDINATOR)
        # Short, so that it fits the select on a phone.
        self.fields["vrijwilliger"].empty_label = "— niemand —"


class HeropenenForm(VersionedForm):
    reden = forms.CharField(
        label="Waarom gaat de koppeling weer lopen?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Komt in de geschiedenis van de koppeling en de tijdlijn van het vraaggezin.",
        error_messages={"required": "Geef de reden om de koppeling te heropenen."},
    )


class AfsluitenForm(VersionedForm):
    einde_op = forms.DateField(label="Einde", widget=DateInput())
    reden = forms.ChoiceField(label="Reden")
    # Whether it is needed, and which values count, is koppeling_afsluiten's rule.
    doel_bereikt = forms.ChoiceField(
        label="Is het doel van de koppeling bereikt?",
        choices=Koppeling.DoelBereikt.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    uitkomst = forms.CharField(label="Uitkomst", widget=forms.Textarea(attrs={"rows": 3}))
    vraaggezin_naar = forms.ChoiceField(
        label="Het vraaggezin",
        choices=[
            (Vraaggezin.Status.WACHTEND, "wacht weer op een steungezin"),
            (Vraaggezin.Status.AFGESLOTEN, "verlaat het programma"),
        ],
        widget=forms.RadioSelect,
    )
    steungezin_naar = forms.ChoiceField(
        label="Het steungezin",
        choices=[
            (Steungezin.Status.BESCHIKBAAR, "blijft beschikbaar"),
            (Steungezin.Status.GESTOPT, "stopt als steungezin"),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, koppeling: Koppeling, **kwargs):
        super().__init__(*args, **kwargs)
        redenen = EindReden.objects.voor(koppeling.organisatie)
        self.fields["reden"].choices = [*BLANK_CHOICE_DASH, *((r.code, r.tekst) for r in redenen)]
        if not koppeling.doel_bereikt_nodig:
            del self.fields["doel_bereikt"]
        date_fields(self)
        lege_keuzes(self)

    def clean_einde_op(self):
        return not_in_future(self.cleaned_data["einde_op"], "Het einde")


class ContactmomentForm(LegeKeuzes, OnceForm, forms.ModelForm):
    class Meta:
        model = Contactmoment
        fields = ["datum", "met", "hoe", "verloop", "notities", "volgende_op"]
        widgets = {"notities": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_fields(self)
        self.fields["met"].widget = forms.RadioSelect(choices=Contactmoment.Met.choices)
        self.fields["verloop"].widget = forms.RadioSelect(choices=Contactmoment.Verloop.choices)

    def clean_datum(self):
        return not_in_future(self.cleaned_data["datum"], "Een contactmoment")

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("datum")
            and cleaned.get("volgende_op")
            and cleaned["volgende_op"] <= cleaned["datum"]
        ):
            self.add_error("volgende_op", "Het volgende contactmoment ligt na dit contactmoment.")
        return cleaned


class CorrectieForm(VersionedForm, OnceForm):
    """The reason of a correction or withdrawal (matching.correcties), the
    version the item was opened on, and a token: sent twice, saved once."""

    reden = forms.CharField(
        label="Reden van de correctie",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Komt in de geschiedenis, zichtbaar voor de coördinatoren.",
    )

    def waarden(self, velden: Iterable[str]) -> dict:
        """The item's correctable fields as the service takes them."""
        return {name: self.cleaned_data[name] for name in velden}


class IntrekkenForm(CorrectieForm):
    reden = forms.CharField(
        label="Reden van het intrekken",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Komt in de geschiedenis, zichtbaar voor de coördinatoren.",
    )


class ContactmomentCorrectieForm(CorrectieForm, ContactmomentForm):
    """A check-in's own form, filled in with what it holds, and the reason."""

    def __init__(self, *args, door: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([*ContactmomentForm.Meta.fields, "reden"])


class GesprekCorrectieForm(CorrectieForm, DatesInThePast, forms.ModelForm):
    """A screening conversation as recorded: one kind per row (an intake at
    home is two rows, each corrected on its own), and the reason."""

    class Meta:
        model = ScreeningGesprek
        fields = ["soort", "datum", "door", "notities"]
        widgets = {"notities": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, door: User, **kwargs):
        super().__init__(*args, **kwargs)
        # The organisation's coordinators, as when it was recorded, and the
        # one recorded, if they have left since.
        self.fields["door"].queryset = User.objects.filter(
            Q(is_active=True, rol=User.Rol.COORDINATOR) | Q(pk=self.instance.door_id),
            organisatie=door.organisatie,
        )
        self.order_fields([*self.Meta.fields, "reden"])


class ReferentieCorrectieForm(CorrectieForm, ReferentieForm):
    def __init__(self, *args, door: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([*self.Meta.fields, "reden"])


class VOGCorrectieForm(CorrectieForm, DatesInThePast, forms.ModelForm):
    """A VOG's status and dates as they should have been, and the reason."""

    class Meta:
        model = VOG
        fields = VOG_VELDEN
        widgets = {"notitie": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, door: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([*VOG_VELDEN, "reden"])


class DeelnameCorrectieForm(CorrectieForm, forms.ModelForm):
    """The training session a member attended, when it was another one."""

    class Meta:
        model = TrainingDeelname
        fields = ["training"]
        # The sessions as a list that wraps: a title and a date cut no choice
        # short on a phone, as a select's closed box would.
        widgets = {"training": forms.RadioSelect}

    def __init__(self, *args, door: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training"].queryset = Training.objects.filter(
            organisatie=door.organisatie, datum__lte=today()
        )
        self.fields["training"].label = "Training die gevolgd is"
        self.order_fields(["training", "reden"])


class MeldcodeStapCorrectieForm(CorrectieForm, forms.ModelForm):
    """A Meldcode step's day and text as they should have been, and for the
    decision (step 5) what it decided; the step itself stays what it is."""

    class Meta:
        model = MeldcodeStap
        fields = ["datum", "notitie", "hulp_georganiseerd", "melding_veilig_thuis"]
        widgets = {"notitie": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, door: User, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.stap != MeldcodeStap.Stap.BESLUIT:
            del self.fields["hulp_georganiseerd"], self.fields["melding_veilig_thuis"]
        date_fields(self)
        self.order_fields([*self.Meta.fields, "reden"])

    def clean_datum(self):
        return not_in_future(self.cleaned_data["datum"], "Een stap")

    def clean(self):
        cleaned = super().clean()
        if "hulp_georganiseerd" in self.fields and not (
            cleaned.get("hulp_georganiseerd") or cleaned.get("melding_veilig_thuis")
        ):
            raise ValidationError(
                "Leg bij het besluit vast of hulp is georganiseerd en/of er een melding bij "
                "Veilig Thuis is gedaan."
            )
        return cleaned

    def waarden(self, velden: Iterable[str]) -> dict:
        # A step before the decision has no flags to correct.
        return {name: self.cleaned_data[name] for name in velden if name in self.fields}


class AfsprakenCorrectieForm(CorrectieForm, forms.ModelForm):
    """A koppeling's agreements as recorded at the start, and the reason."""

    class Meta:
        model = Koppeling
        fields = ["afspraken", "frequentie", "kinderen", "proefperiode_tot", "gepland_einde"]
        labels = {
            "afspraken": "Afspraken: wat gaan de gezinnen doen?",
            "frequentie": "Hoe vaak",
            "kinderen": "Voor welke kinderen",
        }
        widgets = {
            "afspraken": forms.Textarea(attrs={"rows": 3}),
            "kinderen": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "kinderen": {
                "required": "Kies een of meer kinderen van het vraaggezin.",
                "invalid_choice": "Kies alleen kinderen van het vraaggezin.",
            }
        }

    def __init__(self, *args, door: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["afspraken"].required = True
        self.fields["frequentie"].required = True
        # The vraaggezin's children, as at the start (StartForm).
        self.fields["kinderen"].required = True
        self.fields["kinderen"].queryset = self.instance.vraaggezin.leden.filter(
            soort=Gezinslid.Soort.KIND
        )
        date_fields(self)
        self.order_fields([*self.Meta.fields, "reden"])

    def clean(self):
        cleaned = super().clean()
        start = self.instance.start_op
        for name, label in (
            ("proefperiode_tot", "Het einde van de proefperiode"),
            ("gepland_einde", "Het geplande einde"),
        ):
            if start and cleaned.get(name) and cleaned[name] <= start:
                self.add_error(name, f"{label} moet na de start liggen.")
        return cleaned


class SignaalForm(OnceForm):
    omschrijving = forms.CharField(
        label="Wat heeft u gezien of gehoord?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Beschrijf feiten: wat, wanneer, wie. De coördinator neemt contact met u op.",
    )


class NotitieForm(OnceForm):
    tekst = forms.CharField(
        label="Notitie",
        max_length=NOTITIE_LENGTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Schrijf eerst de notitie.",
            "max_length": "Een notitie is hoogstens %(limit_value)d tekens; u typte er "
            "%(show_value)d.",
        },
    )
    alleen_professionals = forms.BooleanField(
        label="Alleen voor professionals",
        required=False,
        help_text="De vrijwillige coördinator van de koppeling ziet deze notitie niet.",
    )

    def __init__(self, *args, door: User, bij_koppeling: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # A family's own notes are for professionals anyway; a volunteer
        # coordinator cannot mark one as hidden from herself.
        if not (bij_koppeling and door.is_coordinator):
            del self.fields["alleen_professionals"]
        if not bij_koppeling:
            tekst = self.fields["tekst"]
            tekst.help_text = "Notities bij een gezin ziet alleen een professionele coördinator."


class MeldcodeStapForm(LegeKeuzes, OnceForm, forms.ModelForm):
    class Meta:
        model = MeldcodeStap
        fields = ["stap", "datum", "notitie", "hulp_georganiseerd", "melding_veilig_thuis"]
        widgets = {"notitie": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The five steps of the meldcode as a list to choose from: in a select
        # on a phone their names are cut off.
        self.fields["stap"].widget = forms.RadioSelect(choices=MeldcodeStap.Stap.choices)
        date_fields(self)

    def clean_datum(self):
        return not_in_future(self.cleaned_data["datum"], "Een stap")

    def clean(self):
        cleaned = super().clean()
        besluit = cleaned.get("stap") == MeldcodeStap.Stap.BESLUIT
        if besluit and not (
            cleaned.get("hulp_georganiseerd") or cleaned.get("melding_veilig_thuis")
        ):
            raise ValidationError(
                "Leg bij het besluit vast of hulp is georganiseerd en/of er een melding bij "
                "Veilig Thuis is gedaan."
            )
        if not besluit and (
            cleaned.get("hulp_georganiseerd") or cleaned.get("melding_veilig_thuis")
        ):
            raise ValidationError("Hulp en melding horen bij stap 5, het besluit.")
        return cleaned


SCORES = [(str(n), str(n)) for n in range(1, 6)]
JA_NEE = [("", "weet niet"), ("ja", "ja"), ("nee", "nee")]


class EvaluatieForm(LegeKeuzes, OnceForm, forms.ModelForm):
    """Both families' answers side by side, and the coordinator's conclusion."""

    class Meta:
        model = Evaluatie
        fields = [
            "soort",
            "datum",
            "vraag_goed",
            "vraag_beter",
            "steun_goed",
            "steun_beter",
            "conclusie",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("vraag_goed", "vraag_beter", "steun_goed", "steun_beter")
        } | {"conclusie": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_fields(self)
        for side in ("vraag", "steun"):
            for key, tekst in EVALUATIEVRAGEN:
                self.fields[f"{side}_{key}"] = forms.TypedChoiceField(
                    label=tekst, choices=SCORES, coerce=int, widget=forms.RadioSelect
                )
            self.fields[f"{side}_doorgaan_keuze"] = forms.ChoiceField(
                label="Wil het gezin doorgaan?",
                choices=JA_NEE,
                required=False,
                widget=forms.RadioSelect,
            )

    def side(self, side: str):
        """The bound fields of one family's questionnaire, in order."""
        return [self[f"{side}_{key}"] for key, _ in EVALUATIEVRAGEN]

    def clean_datum(self):
        return not_in_future(self.cleaned_data["datum"], "Een evaluatie")

    def answers(self) -> dict:
        """Both questionnaires and the conclusion as plain values for
        ``evaluatie_vastleggen``."""
        data = self.cleaned_data
        answers = {name: data[name] for name in self._meta.fields}
        for side in ("vraag", "steun"):
            answers[f"{side}_scores"] = {key: data[f"{side}_{key}"] for key, _ in EVALUATIEVRAGEN}
            answers[f"{side}_doorgaan"] = {"ja": True, "nee": False}.get(
                data[f"{side}_doorgaan_keuze"]
            )
        return answers


class EvaluatieCorrectieForm(CorrectieForm, EvaluatieForm):
    """An evaluation's own form, filled in with its answers, and the reason."""

    def __init__(self, *args, door: User, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for side in ("vraag", "steun"):
                for key, _ in EVALUATIEVRAGEN:
                    self.initial[f"{side}_{key}"] = getattr(self.instance, f"{side}_scores").get(
                        key
                    )
                doorgaan = getattr(self.instance, f"{side}_doorgaan")
                self.initial[f"{side}_doorgaan_keuze"] = {True: "ja", False: "nee"}.get(
                    doorgaan, ""
                )
        self.order_fields([*(name for name in self.fields if name != "reden"), "reden"])

    def waarden(self, velden: Iterable[str]) -> dict:
        return self.answers()


ALGEMEEN = "Algemeen (werving, training, overleg)"


class WeekForm(forms.Form):
    """A week, by any day in it; the Monday is what counts."""

    week = forms.DateField(
        label="Week (een dag in die week)", widget=DateInput(), validators=[plausible_date]
    )

    def clean_week(self):
        return maandag_van(not_in_future(self.cleaned_data["week"], "Een week"))


class UrenForm(WeekForm):
    """A week's hours: a field for each gemeente and one for algemeen.
    Which hours are allowed is ``uren_vastleggen``'s rule."""

    notitie = forms.CharField(label="Notitie", max_length=300, required=False)
    reden = forms.CharField(
        label="Reden van de wijziging",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Alleen nodig als u opgeslagen uren van deze week wijzigt of weghaalt; "
        "komt in de geschiedenis.",
    )

    def __init__(
        self, *args, gemeenten: list[str], opgeslagen: Iterable[CoordinatieUren] = (), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.gemeenten: dict[str, str] = {}  # field name → gemeente ("" for algemeen)
        for gemeente in [*gemeenten, ""]:
            name = f"uren_{slugify(gemeente) or 'algemeen'}"
            while name in self.fields:  # two spellings of one gemeente
                name += "_"
            self.gemeenten[name] = gemeente
            # localize: a decimal comma ("4,5"), as Dutch is typed.
            self.fields[name] = forms.DecimalField(
                label=gemeente or ALGEMEEN,
                required=False,
                localize=True,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        self.order_fields(["week", *self.gemeenten, "notitie", "reden"])
        field_of = {gemeente: name for name, gemeente in self.gemeenten.items()}
        for regel in opgeslagen:
            if regel.gemeente in field_of:
                self.initial[field_of[regel.gemeente]] = regel.uren
            self.initial["notitie"] = regel.notitie

    def uren_velden(self) -> list[forms.BoundField]:
        return [self[name] for name in self.gemeenten]

    def uren(self) -> dict[str, Decimal]:
        """The hours per gemeente as ``uren_vastleggen`` takes them."""
        return {
            gemeente: self.cleaned_data[name]
            for name, gemeente in self.gemeenten.items()
            if self.cleaned_data[name] is not None
        }


class UrenCorrectieForm(CorrectieForm, forms.ModelForm):
    """One row of a week's hours: its gemeente and hours, and the reason."""

    class Meta:
        model = CoordinatieUren
        fields = ["gemeente", "uren"]
        labels = {"gemeente": "Gemeente"}

    def __init__(self, *args, door: User, **kwargs):
        super().__init__(*args, **kwargs)
        gemeenten = Wijk.objects.filter(organisatie=door.organisatie).gemeenten()
        self.fields["gemeente"] = forms.ChoiceField(
            label="Gemeente", choices=[*((g, g) for g in gemeenten), ("", ALGEMEEN)], required=False
        )
        self.fields["uren"].localize = True
        self.fields["uren"].widget = forms.TextInput(attrs={"inputmode": "decimal"})
        self.fields["uren"].widget.is_localized = True
        self.order_fields(["gemeente", "uren", "reden"])

    def clean_uren(self):
        uren = self.cleaned_data["uren"]
        if uren is not None and not 0 < uren <= 80:
            raise ValidationError(
                "Vul meer dan 0 en hoogstens 80 uren in; waren er geen uren, trek de regel dan in."
            )
        return uren


class BerichtForm(OnceForm):
    """A mail to one or both families: an invitation to a kennismaking
    (``uitnodiging``) or a free message starting from the organisation's
    text (``bericht``). Only families with an address can be chosen."""

    aan = forms.MultipleChoiceField(
        label="Aan",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Kies aan wie de mail gaat.",
            "invalid_choice": "Kies een gezin met een e-mailadres.",
        },
    )
    datum = forms.DateField(label="Datum")
    begin = forms.TimeField(label="Van", widget=forms.TimeInput(attrs={"type": "time"}))
    eind = forms.TimeField(label="Tot", widget=forms.TimeInput(attrs={"type": "time"}))
    plaats = forms.CharField(
        label="Waar",
        max_length=200,
        error_messages={"required": "Vul in waar de kennismaking is."},
        help_text="Bijvoorbeeld: bij het vraaggezin thuis, of het adres.",
    )
    toelichting = forms.CharField(
        label="Toelichting (niet verplicht)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    onderwerp = forms.CharField(
        label="Onderwerp", max_length=150, error_messages={"required": "Vul een onderwerp in."}
    )
    tekst = forms.CharField(
        label="Bericht",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Schrijf het bericht."},
    )

    UITNODIGING = ("datum", "begin", "eind", "plaats", "toelichting")
    BERICHT = ("onderwerp", "tekst")

    def __init__(self, *args, soort: str, gezinnen: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.soort = soort
        for name in self.BERICHT if soort == "uitnodiging" else self.UITNODIGING:
            del self.fields[name]
        date_fields(self)
        self.gezinnen = {str(g.pk): g for g in gezinnen if g.email and not g.geanonimiseerd_op}
        self.zonder_adres = [g for g in gezinnen if str(g.pk) not in self.gezinnen]
        self.fields["aan"].choices = [
            (pk, f"{g} ({g._meta.verbose_name})") for pk, g in self.gezinnen.items()
        ]
        if not self.is_bound:
            self.initial.setdefault("aan", list(self.gezinnen))

    def gekozen(self) -> list:
        return [self.gezinnen[pk] for pk in self.cleaned_data["aan"]]
