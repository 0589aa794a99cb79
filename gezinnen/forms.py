import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_DASH

from gezinnen.integrity import new_token, version_fields
from gezinnen.models import (
    DAGDEEL_CHOICES,
    Gezin,
    Gezinslid,
    Ondersteuning,
    Steungezin,
    Vraaggezin,
    Wijk,
    today,
)
from gezinnen.validators import normalise_phone, normalise_postcode


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)


def plausible_date(value: datetime.date | None) -> None:
    # Dates far outside a programme's life are typing errors, and at the ends
    # of the calendar (0001-01-01, 9999-12-31) date arithmetic overflows.
    if value and not EARLIEST <= value <= LATEST:
        raise ValidationError("Controleer de datum: vul een datum tussen 1900 en 2100 in.")


def date_fields(form: forms.BaseForm) -> None:
    """Every date field of a form: a date picker, and only plausible dates."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DateInput()
            if plausible_date not in field.validators:
                field.validators.append(plausible_date)


KIES = "— kies —"
DJANGO_LEEG = BLANK_CHOICE_DASH[0][1]  # "---------"


def lege_keuzes(form: forms.BaseForm) -> None:
    """The empty choice of every select in Dutch, not Django's "---------":
    "— kies —" where a choice is needed, "— geen wijk —" (the field's name)
    where the field may stay empty. A label of the form's own stays."""
    for field in form.fields.values():
        widget = field.widget
        if not isinstance(widget, forms.Select) or widget.allow_multiple_selected:
            continue
        label = f"— geen {field.label.lower()} —" if field.label and not field.required else KIES
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DJANGO_LEEG:
                field.empty_label = label
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if choices and choices[0] == ("", DJANGO_LEEG):
                field.choices = [("", label), *choices[1:]]


class LegeKeuzes:
    """Form mixin: ``lege_keuzes`` once the form has set up its fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lege_keuzes(self)


class VersionedForm(forms.Form):
    """The version of the record a form was opened on, and what it showed
    (gezinnen.integrity.claim): a save over someone else's change is refused."""

    versie = forms.CharField(widget=forms.HiddenInput, required=False)
    snapshot = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_versie(self) -> int | None:
        value = self.cleaned_data["versie"].strip()
        if not value:
            return None
        # Anything but a version number cannot be the current version.
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else -1


def refresh_version(form: forms.BaseForm, obj) -> None:
    """After a conflict: the form now carries the current version, so that
    saving again knowingly replaces the other person's change."""
    data = form.data.copy()
    for name, value in version_fields(obj).items():
        data[form.add_prefix(name)] = value
    form.data = data


def add_service_error(form: forms.BaseForm, error: Exception) -> None:
    """A refusal from a service shown on the form: at the field it names when
    the form has that field, else above the form; what was typed stays."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            field = name if name in form.fields else None
            for message in errors:
                form.add_error(field, message)
    elif isinstance(error, ValidationError):
        for message in error.messages:
            form.add_error(None, message)
    else:
        form.add_error(None, str(error))


class OnceForm(forms.Form):
    """A one-time token per rendered form: sent twice, it saves once."""

    inzending = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("inzending", new_token())


class DagdelenField(forms.MultipleChoiceField):
    """Days and dayparts as a week grid of checkboxes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=DAGDEEL_CHOICES, required=False, **kwargs)


class OndersteuningField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=Ondersteuning.choices, required=False, **kwargs)


def not_in_future(value: datetime.date | None, what: str) -> datetime.date | None:
    if value and value > today():
        raise ValidationError(f"{what} kan niet in de toekomst liggen.")
    return value


def optional_phone(value: str) -> str:
    value = value.strip()
    return normalise_phone(value) if value else ""


class GezinForm(LegeKeuzes, VersionedForm, OnceForm, forms.ModelForm):
    """Address and contact details, shared by both kinds of family."""

    ADDRESS_FIELDS = ["naam", "straat", "huisnummer", "postcode", "plaats", "telefoon", "email"]
    # What the coordinator's forms for both kinds start and end with.
    FIRST_FIELDS = [*ADDRESS_FIELDS, "wijk", "talen", "aangemeld_op"]
    LAST_FIELDS = ["toestemming_op", "toestemming_omvat", "opmerkingen"]
    WIDGETS = {
        "toestemming_omvat": forms.Textarea(attrs={"rows": 2}),
        "opmerkingen": forms.Textarea(attrs={"rows": 3}),
    }

    def __init__(self, *args, organisatie, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisatie = organisatie
        self.instance.organisatie = organisatie
        if "wijk" in self.fields:
            self.fields["wijk"].queryset = Wijk.objects.filter(organisatie=organisatie)
            self.fields["wijk"].empty_label = "afleiden uit de postcode"
        date_fields(self)
        self.fields["postcode"].widget.attrs.update({"autocomplete": "postal-code"})
        self.fields["telefoon"].widget.attrs.update({"type": "tel", "autocomplete": "tel"})

    def clean_postcode(self) -> str:
        return normalise_postcode(self.cleaned_data["postcode"])

    def clean_telefoon(self) -> str:
        return optional_phone(self.cleaned_data["telefoon"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_aangemeld_op(self):
        return not_in_future(self.cleaned_data["aangemeld_op"], "De aanmelddatum")

    def clean_toestemming_op(self):
        return not_in_future(self.cleaned_data["toestemming_op"], "De datum van toestemming")

    def gegevens(self) -> dict:
        """The family's own fields, as plain values for the services."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def resembling(self):
        """Other families of the organisation this one may duplicate."""
        data = self.cleaned_data
        return (
            Gezin.objects.filter(organisatie=self.organisatie)
            .resembling(
                postcode=data.get("postcode", ""),
                huisnummer=data.get("huisnummer", ""),
                email=data.get("email", ""),
                telefoon=data.get("telefoon", ""),
            )
            .exclude(pk=self.instance.pk)
            .select_related("vraaggezin", "steungezin")
        )


class VraaggezinForm(GezinForm):
    ondersteuning = OndersteuningField(label="Gewenste steun")
    dagdelen = DagdelenField(label="Voorkeur dagen en dagdelen")

    class Meta:
        model = Vraaggezin
        fields = [
            *GezinForm.FIRST_FIELDS,
            "verwijzer_soort",
            "verwijzer_organisatie",
            "verwijzer_contactpersoon",
            "verwijzer_telefoon",
            "verwijzer_email",
            "verwijzer_informeren",
            "hulpvraag",
            "ondersteuning",
            "dagdelen",
            *GezinForm.LAST_FIELDS,
        ]
        widgets = {**GezinForm.WIDGETS, "hulpvraag": forms.Textarea(attrs={"rows": 4})}

    def clean_verwijzer_telefoon(self) -> str:
        return optional_phone(self.cleaned_data["verwijzer_telefoon"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("verwijzer_soort") == Vraaggezin.Verwijzer.ZELFMELDING:
            # No referrer to tell: a tick left from switching the choice means nothing.
            cleaned["verwijzer_informeren"] = False
        return cleaned


class SteungezinForm(GezinForm):
    aanbod = OndersteuningField(label="Wat zij kunnen bieden")
    beschikbaarheid = DagdelenField(label="Beschikbare dagen en dagdelen")

    class Meta:
        model = Steungezin
        fields = [
            *GezinForm.FIRST_FIELDS,
            "motivatie",
            "aanbod",
            "beschikbaarheid",
            "capaciteit",
            "max_kinderen",
            "leeftijd_van",
            "leeftijd_tot",
            *GezinForm.LAST_FIELDS,
        ]
        widgets = {**GezinForm.WIDGETS, "motivatie": forms.Textarea(attrs={"rows": 4})}


class GezinslidForm(LegeKeuzes, forms.ModelForm):
    class Meta:
        model = Gezinslid
        fields = ["voornaam", "achternaam", "soort", "geboortedatum", "krijgt_steun"]
        widgets = {"geboortedatum": DateInput()}
        labels = {"krijgt_steun": "Steun voor dit kind"}
        help_texts = {"krijgt_steun": ""}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_fields(self)


def huishouden_probleem(soorten: set[str], *, needs_child: bool) -> str | None:
    """What a household lacks: every family an adult, a vraaggezin a child
    (the coordinator's forms and the import alike)."""
    if Gezinslid.Soort.VOLWASSENE not in soorten:
        return "Vul ten minste één volwassene in."
    if needs_child and Gezinslid.Soort.KIND not in soorten:
        return "Een vraaggezin heeft ten minste één kind: vul het kind in."
    return None


class BaseLedenFormSet(forms.BaseInlineFormSet):
    """The household; a vraaggezin needs at least one child, every family an adult."""

    needs_child = False

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        members = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if problem := huishouden_probleem(
            {member["soort"] for member in members}, needs_child=self.needs_child
        ):
            raise ValidationError(problem)

    def rows(self) -> list[dict]:
        """The household as plain values for the services: a row per filled
        in member, with ``pk`` for an existing one and ``verwijderen``."""
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or (form.instance.pk is None and not form.has_changed()):
                continue
            row = {name: data[name] for name in form._meta.fields if name in data}
            row["pk"] = form.instance.pk
            row["verwijderen"] = bool(data.get("DELETE"))
            rows.append(row)
        return rows


def leden_formset(*, for_vraaggezin: bool, extra: int):
    fields = ["voornaam", "achternaam", "soort", "geboortedatum"]
    if for_vraaggezin:
        fields.append("krijgt_steun")
    formset = forms.inlineformset_factory(
        Gezin,
        Gezinslid,
        form=GezinslidForm,
        formset=BaseLedenFormSet,
        fields=fields,
        extra=extra,
        can_delete=True,
        # A household, not a thousand forms from a tampered TOTAL_FORMS.
        max_num=30,
        absolute_max=30,
    )
    formset.needs_child = for_vraaggezin
    return formset


class IntakeForm(VersionedForm, forms.ModelForm):
    kinderen = forms.ModelMultipleChoiceField(
        label="Voor welke kinderen is de steun?",
        queryset=Gezinslid.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Kies voor welke kinderen de steun bedoeld is."},
    )
    ondersteuning = OndersteuningField(label="Gewenste steun")
    dagdelen = DagdelenField(label="Voorkeur dagen en dagdelen")

    class Meta:
        model = Vraaggezin
        fields = ["intake_op", "hulpvraag", "ondersteuning", "dagdelen"]
        widgets = {"intake_op": DateInput(), "hulpvraag": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        children = self.instance.leden.filter(soort=Gezinslid.Soort.KIND)
        self.fields["kinderen"].queryset = children
        self.fields["kinderen"].initial = [c.pk for c in children if c.krijgt_steun]
        self.fields["intake_op"].required = True
        self.initial["intake_op"] = self.instance.intake_op or today()
        self.fields["hulpvraag"].required = True
        self.fields["ondersteuning"].required = True
        date_fields(self)

    def clean_intake_op(self):
        return not_in_future(self.cleaned_data["intake_op"], "De datum van de intake")


class StatusForm(VersionedForm):
    reden = forms.CharField(label="Reden", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, gezin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["naar"] = forms.ChoiceField(
            label="Nieuwe status",
            choices=[
                (stap.naar, stap.knop or gezin.Status(stap.naar).label)
                for stap in gezin.manual_steps().values()
            ],
        )
        self.order_fields(["naar", "reden", "versie", "snapshot"])
