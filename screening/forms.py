from django import forms

from accounts.models import User
from gezinnen.forms import OnceForm, VersionedForm, date_fields, not_in_future
from gezinnen.models import Gezinslid, today
from screening.models import VOG, Criterium, Referentie, ScreeningGesprek, Training


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
    class Meta:
        model = VOG
        fields = [
            "status",
            "klaargezet_op",
            "aangevraagd_op",
            "ontvangen_op",
            "afgegeven_op",
            "geweigerd_op",
            "screeningsprofiel",
            "gratis",
            "notitie",
        ]
        widgets = {"notitie": forms.Textarea(attrs={"rows": 2})}


class GesprekForm(OnceForm, DatesInThePast, forms.ModelForm):
    class Meta:
        model = ScreeningGesprek
        fields = ["datum", "door", "notities"]
        widgets = {"notities": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organisatie, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["door"].queryset = User.objects.filter(
            organisatie=organisatie, is_active=True, rol=User.Rol.COORDINATOR
        )


class ReferentieForm(OnceForm, DatesInThePast, forms.ModelForm):
    class Meta:
        model = Referentie
        fields = ["naam", "relatie", "benaderd_op", "uitkomst", "notitie"]
        widgets = {"notitie": forms.Textarea(attrs={"rows": 3})}


class CriteriaForm(forms.Form):
    """The organisation's checklist: per criterion yes / no / not yet, and a note."""

    ANTWOORDEN = [("", "nog niet beoordeeld"), ("ja", "ja"), ("nee", "nee")]

    def __init__(self, *args, criteria: list[Criterium], beoordelingen: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterium in criteria:
            current = beoordelingen.get(criterium.pk)
            self.fields[f"c{criterium.pk}"] = forms.ChoiceField(
                label=criterium.tekst,
                choices=self.ANTWOORDEN,
                required=False,
                initial=("ja" if current.voldoet else "nee") if current else "",
                widget=forms.RadioSelect,
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
        for criterium in self.criteria:
            yield self[f"c{criterium.pk}"], self[f"n{criterium.pk}"]


class TrainingForm(OnceForm, forms.ModelForm):
    class Meta:
        model = Training
        fields = ["datum", "titel", "trainer", "plaats"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_fields(self)


class DeelnameForm(forms.Form):
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
        self.fields["leden"].queryset = steungezin.leden.all()

    def clean_training(self):
        training = self.cleaned_data["training"]
        not_in_future(training.datum, "Een training die nog moet komen")
        return training
