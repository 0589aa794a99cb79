"""The forms anyone can fill in: a steungezin signs up, a family is referred."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from gezinnen.forms import SteungezinForm, VraaggezinForm
from gezinnen.models import Steungezin, Vraaggezin, today


class PublicFormMixin(forms.Form):
    """Consent with the organisation's privacy text, and a honeypot for bots."""

    toestemming = forms.BooleanField(
        label="Ik geef toestemming om deze gegevens hiervoor te gebruiken.",
        error_messages={"required": "Zonder uw toestemming kunnen we de aanmelding niet aannemen."},
    )
    # Invisible to people; bots fill in every field they find.
    website = forms.CharField(required=False, label="Laat dit veld leeg")

    def __init__(self, *args, organisatie, **kwargs):
        super().__init__(*args, organisatie=organisatie, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.privacytekst = organisatie.privacytekst

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def gegevens(self) -> dict:
        """The family's fields plus the consent, given today with this text."""
        return super().gegevens() | {
            "toestemming_op": today(),
            "toestemming_omvat": self.privacytekst,
        }


class PublicSteungezinForm(PublicFormMixin, SteungezinForm):
    class Meta(SteungezinForm.Meta):
        fields = [
            *SteungezinForm.ADDRESS_FIELDS,
            "talen",
            "motivatie",
            "aanbod",
            "beschikbaarheid",
            "max_kinderen",
            "leeftijd_van",
            "leeftijd_tot",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["naam"].help_text = "Uw achternaam, of de namen van het gezin."
        self.fields["telefoon"].required = True
        self.fields["email"].required = True
        self.fields["motivatie"].label = "Waarom wilt u steungezin worden?"
        self.fields["motivatie"].required = True


class PublicVraaggezinForm(PublicFormMixin, VraaggezinForm):
    class Meta(VraaggezinForm.Meta):
        fields = [
            "verwijzer_soort",
            "verwijzer_organisatie",
            "verwijzer_contactpersoon",
            "verwijzer_telefoon",
            "verwijzer_email",
            "verwijzer_informeren",
            *VraaggezinForm.ADDRESS_FIELDS,
            "talen",
            "hulpvraag",
            "ondersteuning",
            "dagdelen",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verwijzer_soort"].label = "Wie meldt aan?"
        self.fields["verwijzer_soort"].choices = [
            (
                value,
                "ikzelf, voor mijn gezin" if value == Vraaggezin.Verwijzer.ZELFMELDING else label,
            )
            for value, label in Vraaggezin.Verwijzer.choices
        ]
        self.fields["verwijzer_informeren"].label = (
            "Het gezin vindt het goed dat wij u als verwijzer een kort bericht sturen "
            "als de steun begint en als die stopt."
        )
        self.fields["verwijzer_informeren"].help_text = (
            "Alleen dát de steun begint of stopt, zonder namen of verdere gegevens. "
            "Vraag het gezin eerst; laat het leeg als het gezin dit niet wil."
        )
        self.fields["naam"].label = "Achternaam van het gezin"
        self.fields["hulpvraag"].label = "Waar kan een steungezin bij helpen?"
        self.fields["hulpvraag"].required = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("verwijzer_soort") not in (None, Vraaggezin.Verwijzer.ZELFMELDING):
            for name in ("verwijzer_organisatie", "verwijzer_contactpersoon"):
                if not cleaned.get(name):
                    self.add_error(name, ValidationError("Vul dit in als u het gezin verwijst."))
        return cleaned


def for_soort(model: type) -> type:
    return {Steungezin: PublicSteungezinForm, Vraaggezin: PublicVraaggezinForm}[model]


# The buttons that change the number of household blocks instead of sending the form.
LID_TOEVOEGEN = "lid_toevoegen"
LID_VERWIJDEREN = "lid_verwijderen"


def typed(form: forms.BaseForm) -> dict:
    """What the person typed into a bound form, as initial values: the form
    shown again with it, but without errors for fields not yet reached."""
    return {name: form[name].data for name in form.fields}


def household_step(data: QueryDict, leden: forms.BaseFormSet) -> list[dict] | None:
    """The household blocks after "Nog een gezinslid toevoegen" or "Gezinslid n
    weghalen" (what each block holds, one more or one fewer), or None when the
    form was sent. Works without JavaScript: the server renders the next step."""
    if LID_TOEVOEGEN in data:
        members = [typed(form) for form in leden.forms]
        return [*members, {}][: leden.absolute_max]
    if LID_VERWIJDEREN in data:
        members = [typed(form) for form in leden.forms]
        index = data[LID_VERWIJDEREN]
        if index.isdigit() and int(index) < len(members):
            del members[int(index)]
        return members or [{}]
    return None
