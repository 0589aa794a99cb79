"""The import pages: upload, the preview and its choice, the result with its
undo, and the template file. For professional coordinators only."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.decorators import coordinator_required
from gezinnen.forms import OnceForm, add_service_error
from gezinnen.integrity import TransitionError, once
from gezinnen.models import Steungezin, Vraaggezin
from importeren import lezen, services, sjabloon, tasks
from importeren.kolommen import TABELLEN
from importeren.models import Import
from matching.documenten_views import MeerdereBestandenField

RECENT = 10


class UploadForm(OnceForm):
    bestanden = MeerdereBestandenField(
        label="Bestand",
        help_text="Het ingevulde sjabloon (XLSX), of een CSV-bestand per blad.",
        error_messages={"required": "Kies het ingevulde sjabloon of uw CSV-bestanden."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bestanden"].widget.attrs["accept"] = ".xlsx,.csv,text/csv"

    def clean_bestanden(self) -> list[tuple[str, bytes]]:
        # A file per table at most: a hundred files of 5 MB are not read into memory.
        if len(self.cleaned_data["bestanden"]) > len(TABELLEN):
            raise ValidationError(
                f"Kies ten hoogste {len(TABELLEN)} bestanden: het sjabloon, of een CSV-bestand "
                "per blad."
            )
        bestanden = []
        for bestand in self.cleaned_data["bestanden"]:
            lezen.grootte_controleren(bestand.name, bestand.size)
            bestanden.append((bestand.name, bestand.read()))
        self.rijen = lezen.bestanden_lezen(bestanden)
        return bestanden


@coordinator_required
def start(request: HttpRequest) -> HttpResponse:
    form = UploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        namen = [naam for naam, _ in form.cleaned_data["bestanden"]]
        try:
            import_, nieuw = once(
                form.cleaned_data["inzending"],
                request.user,
                lambda: services.import_aanmaken(
                    door=request.user, bestanden=namen, rijen=form.rijen
                ),
                Import,
            )
        except (ValidationError, TransitionError) as error:
            add_service_error(form, error)
        else:
            if nieuw:
                transaction.on_commit(partial(tasks.import_controleren.enqueue, import_.pk))
            return redirect("importeren:detail", import_.pk)
    imports = Import.objects.visible_to(request.user).select_related("door")[:RECENT]
    return render(
        request,
        "importeren/start.html",
        {"form": form, "imports": imports, "tabellen": TABELLEN},
        status=400 if form.errors else 200,
    )


def _eigen(request: HttpRequest, pk: int) -> Import:
    return get_object_or_404(Import.objects.visible_to(request.user).select_related("door"), pk=pk)


@coordinator_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    import_ = _eigen(request, pk)
    alleen_fouten = request.GET.get("fouten") == "1"
    tabellen = [
        {**tabel, "rijen": [r for r in tabel["rijen"] if r["fouten"] or not alleen_fouten]}
        for tabel in import_.verslag.get("tabellen", [])
    ]
    gezinnen = []
    if import_.status == Import.Status.INGEVOERD:
        nummers = import_.gemaakt.get("gezinnen", [])
        for model in (Vraaggezin, Steungezin):
            naam = model._meta.model_name
            gezinnen += [
                (gezin, reverse(f"gezinnen:{naam}-detail", args=[gezin.pk]))
                for gezin in model.objects.visible_to(request.user)
                .filter(pk__in=nummers)
                .order_by("pk")
            ]

    # The file's rows (before) or the families it brought in (after).
    audit.lijst_bekeken(
        door=request.user,
        wat=f"import nr. {import_.pk}",
        records=[gezin for gezin, _ in gezinnen],
        obj=import_,
    )
    return render(
        request,
        "importeren/detail.html",
        {
            "import": import_,
            "tabellen": tabellen,
            "alleen_fouten": alleen_fouten,
            "gezinnen": gezinnen,
            "ongedaan_kan_niet": services.ongedaan_maken_kan_niet(import_),
        },
    )


class KeuzeForm(forms.Form):
    alleen_geldige = forms.BooleanField(required=False)


@coordinator_required
@require_POST
def invoeren(request: HttpRequest, pk: int) -> HttpResponse:
    import_ = _eigen(request, pk)
    form = KeuzeForm(request.POST)
    form.is_valid()
    try:
        services.import_goedkeuren(
            door=request.user,
            import_=import_,
            alleen_geldige=form.cleaned_data.get("alleen_geldige", False),
        )
    except (ValidationError, TransitionError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        transaction.on_commit(partial(tasks.import_invoeren.enqueue, import_.pk))
    return redirect("importeren:detail", import_.pk)


@coordinator_required
@require_POST
def ongedaan_maken(request: HttpRequest, pk: int) -> HttpResponse:
    import_ = _eigen(request, pk)
    try:
        services.import_ongedaan_maken(door=request.user, import_=import_)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "De import is ongedaan gemaakt: de gezinnen zijn verwijderd.")
    return redirect("importeren:detail", import_.pk)


@coordinator_required
def sjabloon_downloaden(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        sjabloon.maken(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="steungezinnen-import.xlsx"'
    return response
