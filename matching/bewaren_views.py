"""The page on which a coordinator erases a family on request (AVG art. 17)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts import audit
from accounts.decorators import coordinator_required
from gezinnen.forms import add_service_error
from gezinnen.integrity import TransitionError
from gezinnen.models import Gezin, Steungezin, Vraaggezin
from gezinnen.views import Soort
from matching.bewaren import (
    VERZOEK,
    VERZOEK_REDENEN,
    gezin_anonimiseren,
    soort_van,
    wat_verdwijnt,
    weigering,
)


class WissenForm(forms.Form):
    reden = forms.ChoiceField(
        label="Reden",
        choices=VERZOEK_REDENEN,
        widget=forms.RadioSelect,
        error_messages={"required": "Kies de reden van het verzoek."},
    )
    bevestiging = forms.CharField(
        label="Typ ter bevestiging het gezinsnummer",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, gezin: Gezin, **kwargs):
        super().__init__(*args, **kwargs)
        self.gezin = gezin
        self.fields["bevestiging"].help_text = f"Het nummer van dit gezin is {gezin.pk}."

    def clean_bevestiging(self) -> str:
        value = self.cleaned_data["bevestiging"].strip()
        if value != str(self.gezin.pk):
            raise forms.ValidationError(
                f"Typ het gezinsnummer {self.gezin.pk} om te bevestigen dat u dit gezin wist."
            )
        return value


def gezin_als_soort(request: HttpRequest, pk: int) -> Vraaggezin | Steungezin:
    """The family as its own kind, through the permission gate (for the
    pages of matching that take any family's number)."""
    base = get_object_or_404(Gezin.objects.visible_to(request.user), pk=pk)
    return get_object_or_404(soort_van(base).objects.visible_to(request.user), pk=base.pk)


@coordinator_required
def gegevens_wissen(request: HttpRequest, pk: int) -> HttpResponse:
    gezin = gezin_als_soort(request, pk)
    soort = Soort.van(gezin)
    detail = soort.url("detail", gezin.pk)
    if gezin.geanonimiseerd_op:
        # Also the answer to a second click on the button.
        messages.info(request, f"{gezin} is geanonimiseerd; er valt niets meer te wissen.")
        return redirect(detail)
    form = WissenForm(request.POST or None, gezin=gezin)
    if request.method == "POST" and form.is_valid():
        try:
            gezin_anonimiseren(
                door=request.user, gezin=gezin, wijze=VERZOEK, reden=form.cleaned_data["reden"]
            )
        except TransitionError as error:
            if Gezin.objects.filter(pk=gezin.pk, geanonimiseerd_op__isnull=False).exists():
                # A second submission that waited for the first one's lock.
                messages.info(request, f"Gezin nr. {gezin.pk} was al geanonimiseerd.")
                return redirect(detail)
            add_service_error(form, error)
        else:
            messages.success(request, f"De persoonsgegevens van gezin nr. {gezin.pk} zijn gewist.")
            return redirect(detail)
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=gezin, onderdeel="wissen")
    return render(
        request,
        "matching/wissen.html",
        {
            "soort": soort,
            "gezin": gezin,
            "form": form,
            "weigering": weigering(gezin, VERZOEK),
            "verdwijnt": wat_verdwijnt(gezin),
        },
    )
