from django import forms

from accounts.models import User
from gezinnen.forms import LegeKeuzes, OnceForm, VersionedForm, date_fields, not_in_future
from gezinnen.models import Gezinslid, today
from screening.models import VOG, Criterium, Referentie, ScreeningGesprek, Training
from screening.services import VOG_VELDEN, criteria_gezien, vog_gezien


class DatesInThePast:
    """Every date field gets a date picker and may not lie in the future."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_fields(self)

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            value = cleaned.get(name)
            if isinstance(field, forms.DateField) and value and value > today():
                self.add_error(name, "Deze datum ligt in de toekomst.")
        return cleaned


class BesluitForm(VersionedForm):
    """The approval: only the version the decision was taken on."""


class VOGForm(DatesInThePast, forms.ModelForm):
    """A member's VOG: its status, with beside each status only the dates
    that belong to it (``VOG.REQUIRED_DATES``); the page's style sheet shows
    those of the chosen status only."""

    gezien = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = VOG
        fields = VOG_VELDEN
        widgets = {
            "status": forms.RadioSelect(attrs={"class": "form-check-input"}),
            "notitie": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["gezien"] = vog_gezien(self.instance)

    def keuzes(self):
        """(radio, its date fields) for every status, in the order of the steps.
        Each radio names the status error (vog_form.html), as the fieldset does."""
        status = self["status"]
        for radio in status:
            if status.errors:
                radio.data["attrs"]["aria-describedby"] = f"{status.auto_id}-fout"
            yield radio, [self[name] for name in VOG.REQUIRED_DATES.get(radio.data["value"], [])]


class GesprekForm(LegeKeuzes, OnceForm, DatesInThePast, forms.ModelForm):
    soorten = forms.MultipleChoiceField(
        label="Wat voor gesprek",
        choices=ScreeningGesprek.Soort.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Vink beide aan als het kennismakingsgesprek bij het gezin thuis was.",
        error_messages={"required": "Kies wat voor gesprek het was."},
    )

    class Meta:
        model = ScreeningGesprek
        fields = ["datum", "door", "notities"]
        widgets = {"notities": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organisatie, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["soorten", "datum", "door", "notities"])
        self.fields["door"].queryset = User.objects.filter(
            organisatie=organisatie, is_active=True, rol=User.Rol.COORDINATOR
        )


class ReferentieForm(LegeKeuzes, OnceForm, DatesInThePast, forms.ModelForm):
    class Meta:
        model = Referentie
        fields = ["naam", "relatie", "benaderd_op", "uitkomst", "notitie"]
        widgets = {"notitie": forms.Textarea(attrs={"rows": 3})}


class CriteriaForm(forms.Form):
    """The organisation's checklist: per criterion yes / no / not yet, and a note."""

    ANTWOORDEN = [("", "nog niet beoordeeld"), ("ja", "ja"), ("nee", "nee")]

    gezien = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, criteria: list[Criterium], beoordelingen: dict, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["gezien"] = criteria_gezien(beoordelingen.values())
        self.criteria = criteria
        self.beoordelingen = beoordelingen
        for criterium in criteria:
            current = beoordelingen.get(criterium.pk)
            self.fields[f"c{criterium.pk}"] = forms.ChoiceField(
                label=criterium.tekst,
                choices=self.ANTWOORDEN,
                required=False,
                initial=("ja" if current.voldoet else "nee") if current else "",
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"n{criterium.pk}"] = forms.CharField(
                label="Notitie",
                max_length=300,
                required=False,
                initial=current.notitie if current else "",
            )

    def answers(self):
        """(criterium, 'ja'/'nee'/'', note) for every criterion."""
        for criterium in self.criteria:
            yield (
                criterium,
                self.cleaned_data[f"c{criterium.pk}"],
                self.cleaned_data[f"n{criterium.pk}"],
            )

    def rows(self):
        """(answer, note, the stored beoordeling or None) per criterion."""
        for criterium in self.criteria:
            yield (
                self[f"c{criterium.pk}"],
                self[f"n{criterium.pk}"],
                self.beoordelingen.get(criterium.pk),
            )


class TrainingForm(OnceForm, forms.ModelForm):
    class Meta:
        model = Training
        fields = ["datum", "titel", "trainer", "plaats"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_fields(self)


class DeelnameForm(LegeKeuzes, forms.Form):
    training = forms.ModelChoiceField(label="Training", queryset=Training.objects.none())
    leden = forms.ModelMultipleChoiceField(
        label="Wie waren er?",
        queryset=Gezinslid.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Alleen leden van dit gezin kunnen als deelnemer worden vastgelegd.",
            "required": "Kies wie de training volgden.",
        },
    )

    def __init__(self, *args, steungezin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training"].queryset = Training.objects.filter(
            organisatie=steungezin.organisatie
        )
        # Not ``steungezin.leden``: on a family fetched with its screening
        # that queryset would fetch all of it again.
        self.fields["leden"].queryset = Gezinslid.objects.filter(gezin_id=steungezin.pk)

    def clean_training(self):
        training = self.cleaned_data["training"]
        not_in_future(training.datum, "Een training die nog moet komen")
        return training
