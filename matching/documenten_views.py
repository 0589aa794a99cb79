"""The pages of documents: the list and upload form on the family's and the
koppeling's page, the upload page (where a refused upload shows why), the
download and the removal. For professional coordinators only: a volunteer
coordinator sees no documents (``Document.objects.visible_to``)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts import audit
from accounts.decorators import coordinator_required
from accounts.models import User
from gezinnen.forms import KIES, OnceForm, add_service_error
from gezinnen.integrity import TransitionError, once
from gezinnen.models import Gezin, Gezinslid, Vraaggezin
from gezinnen.views import STEUN, VRAAG, Soort
from matching.bewaren_views import gezin_als_soort
from matching.documenten import (
    TOEGESTAAN,
    document_toevoegen,
    document_verwijderen,
    soorten,
)
from matching.models import Document, Koppeling
from matching.opslag import opslag

HET_GEZIN = ""


class MeerdereBestandenInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MeerdereBestandenField(forms.FileField):
    """Several files in one field, as Django documents it ("Uploading
    multiple files"): a list of files, each cleaned as one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MeerdereBestandenInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        enkel = super().clean
        items = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not items:
            return [enkel(None, initial)]  # "required"
        return [enkel(item, initial) for item in items]


class DocumentForm(OnceForm):
    # Beside the note's form on the same page: fields of their own.
    prefix = "document"

    bestanden = MeerdereBestandenField(
        label="Bestanden",
        error_messages={"required": "Kies een of meer bestanden."},
    )
    soort = forms.ChoiceField(
        label="Wat voor document", error_messages={"required": "Kies wat voor document het is."}
    )
    bij = forms.ChoiceField(label="Bij wie", required=False)
    titel = forms.CharField(
        label="Titel",
        required=False,
        max_length=200,
        help_text="Bijvoorbeeld: overeenkomst 2027. Leeg: de naam van het bestand.",
    )

    def __init__(self, *args, door: User, leden: list[Gezinslid] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.leden = {str(lid.pk): lid for lid in leden or []}
        self.fields["bestanden"].help_text = (
            f"{TOEGESTAAN}; hoogstens {settings.DOCUMENT_MAX_MB} MB per bestand en "
            f"{settings.DOCUMENTEN_PER_KEER} bestanden tegelijk."
        )
        self.fields["bestanden"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.docx"
        self.fields["soort"].choices = [
            ("", KIES),
            *soorten(organisatie=door.organisatie, bij_gezinslid=leden is not None),
        ]
        if leden is None:
            del self.fields["bij"]
        else:
            self.fields["bij"].choices = [
                (HET_GEZIN, "het gezin"),
                *((pk, str(lid)) for pk, lid in self.leden.items()),
            ]

    def clean_bij(self) -> Gezinslid | None:
        return self.leden.get(self.cleaned_data["bij"])


class VerwijderForm(forms.Form):
    reden = forms.ChoiceField(
        label="Waarom moet het weg?",
        choices=Document.Reden.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Kies waarom het document weg moet."},
    )


@dataclass(frozen=True)
class DocumentenSectie:
    """The "Documenten" card of a family's or a koppeling's page."""

    documenten: list[Document]
    form: DocumentForm | None
    action: str
    met_bij: bool
    template: str = "matching/includes/documenten.html"


def _documenten(user: User) -> QuerySet:
    return Document.objects.visible_to(user).select_related("door", "gezinslid")


def gezin_sectie(gezin: Gezin, user: User) -> DocumentenSectie | None:
    """For the family's page (registered with gezinnen.secties): its own,
    its members' and its koppelingen's documents; one query. The members
    come from what the page fetched already."""
    if not user.is_coordinator:
        return None
    form = None
    if not gezin.geanonimiseerd_op:
        form = DocumentForm(door=user, leden=list(gezin.leden.all()))
    return DocumentenSectie(
        documenten=list(_documenten(user).over_gezin(gezin.pk)),
        form=form,
        action=reverse("matching:documenten-gezin", args=[gezin.pk]),
        met_bij=True,
    )


def koppeling_sectie(koppeling: Koppeling, user: User) -> DocumentenSectie | None:
    """For the koppeling's page: its documents (one query), and the form
    while the koppeling runs; nothing for a volunteer coordinator."""
    if not user.is_coordinator:
        return None
    return DocumentenSectie(
        documenten=list(_documenten(user).filter(koppeling=koppeling)),
        form=DocumentForm(door=user) if koppeling.kan["document"] else None,
        action=reverse("matching:documenten-koppeling", args=[koppeling.pk]),
        met_bij=False,
    )


def _toevoegen(request: HttpRequest, form: DocumentForm, **dossier) -> bool:
    """Run the service for a bound form; a refusal stays on the form, with
    what was typed (the browser forgets the chosen files: the page says so)."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    if "bij" in data and data["bij"] is not None:
        dossier = {"gezinslid": data["bij"]}
    try:
        _, created = once(
            data["inzending"],
            request.user,
            lambda: document_toevoegen(
                door=request.user,
                soort=data["soort"],
                titel=data["titel"],
                bestanden=data["bestanden"],
                **dossier,
            )[0],
            Document,
        )
    except (TransitionError, ValidationError) as error:
        add_service_error(form, error)
        return False
    if created:
        aantal = len(data["bestanden"])
        messages.success(
            request, "Het document is bewaard." if aantal == 1 else f"{aantal} documenten bewaard."
        )
    else:
        messages.info(request, "Dit formulier was al verstuurd; het is één keer opgeslagen.")
    return True


def _gebonden(request: HttpRequest) -> tuple:
    """A form's data and files on a POST, also an empty one."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _upload_page(request: HttpRequest, form: DocumentForm, obj, terug: str, titel: str):
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=obj, onderdeel="documenten toevoegen")
    return render(
        request,
        "matching/documenten_toevoegen.html",
        {"form": form, "obj": obj, "terug": terug, "title": titel},
    )


def _detail_url(gezin: Gezin) -> str:
    soort = Soort.van(gezin)
    return soort.url("detail", gezin.pk)


@coordinator_required
def gezin_documenten(request: HttpRequest, pk: int) -> HttpResponse:
    gezin = gezin_als_soort(request, pk)
    terug = _detail_url(gezin)
    if (refusal := gezin.niet_geanonimiseerd()) and request.method == "GET":
        messages.info(request, refusal)
        return redirect(terug)
    form = DocumentForm(*_gebonden(request), door=request.user, leden=list(gezin.leden.all()))
    if request.method == "POST" and _toevoegen(request, form, gezin=gezin):
        return redirect(terug + "#documenten")
    return _upload_page(request, form, gezin, terug, f"Documenten bij {gezin}")


@coordinator_required
def koppeling_documenten(request: HttpRequest, pk: int) -> HttpResponse:
    koppeling = get_object_or_404(
        Koppeling.objects.visible_to(request.user).select_related("vraaggezin", "steungezin"),
        pk=pk,
    )
    terug = reverse("matching:detail", args=[koppeling.pk])
    if (refusal := koppeling.refusal("document")) and request.method == "GET":
        messages.info(request, refusal)
        return redirect(terug)
    form = DocumentForm(*_gebonden(request), door=request.user)
    if request.method == "POST" and _toevoegen(request, form, koppeling=koppeling):
        return redirect(terug + "#documenten")
    return _upload_page(request, form, koppeling, terug, f"Documenten bij koppeling {koppeling}")


def _document(request: HttpRequest, pk: int) -> Document:
    return get_object_or_404(
        Document.objects.visible_to(request.user).select_related("gezinslid", "door"), pk=pk
    )


@coordinator_required
def document_downloaden(request: HttpRequest, pk: int) -> FileResponse:
    """The file, as an attachment with the type its content showed: never
    shown inline, never sniffed into something else; every download logged."""
    document = _document(request, pk)
    try:
        bestand = opslag.open(document.bestand.name, "rb")
    except FileNotFoundError as error:
        raise Http404("Het bestand is er niet meer.") from error
    audit.document_gedownload(door=request.user, document=document)
    response = FileResponse(
        bestand,
        as_attachment=True,
        filename=document.bestandsnaam,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _terug(document: Document) -> str:
    if document.koppeling_id:
        return reverse("matching:detail", args=[document.koppeling_id])
    gezin_id = document.gezin_id or document.gezinslid.gezin_id
    soort = VRAAG if Vraaggezin.objects.filter(pk=gezin_id).exists() else STEUN
    return soort.url("detail", gezin_id)


@coordinator_required
def document_weg(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    terug = _terug(document)
    form = VerwijderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            document_verwijderen(
                door=request.user, document=document, reden=form.cleaned_data["reden"]
            )
        except (TransitionError, ValidationError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Het document is verwijderd.")
            return redirect(terug + "#documenten")
    if request.method == "GET":
        audit.dossier_bekeken(door=request.user, obj=document, onderdeel="verwijderen")
    return render(
        request,
        "matching/document_verwijderen.html",
        {"document": document, "form": form, "terug": terug},
    )
