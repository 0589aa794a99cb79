"""Documents in the file of a family, a member or a koppeling: which files
may be kept (decided by their content), the services that add and remove
them, and their removal with a family's erasure (matching.bewaren).

A file is written to the ``documenten`` storage (matching.opslag) only after
every check passed, and removed from it only after the transaction that
removed its row committed: a refusal leaves nothing behind, and a rollback
never loses a file whose row is still there.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files import File
from django.db import transaction

from accounts import audit
from accounts.models import User
from gezinnen.integrity import TransitionError
from gezinnen.models import Gezin, Gezinslid
from matching.models import Document, Koppeling
from matching.opslag import opslag

logger = logging.getLogger(__name__)

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIE = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx"}
TOEGESTAAN = "PDF, JPEG, PNG of Word (DOCX)"


def max_bytes() -> int:
    return settings.DOCUMENT_MAX_MB * 1024 * 1024


def inhoud_soort(bestand: File) -> str | None:
    """The kind of file from its first bytes, whatever its name or the type
    the browser sent: PDF, JPEG, PNG, or a DOCX (a zip archive with a Word
    document in it); None for anything else."""
    bestand.seek(0)
    kop = bestand.read(8)
    bestand.seek(0)
    if kop.startswith(b"%PDF-"):
        return PDF
    if kop.startswith(b"\xff\xd8\xff"):
        return JPEG
    if kop.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if kop.startswith(b"PK\x03\x04"):
        # Only the archive's table of contents is read, nothing unpacked.
        try:
            with zipfile.ZipFile(bestand) as archief:
                namen = set(archief.namelist())
        except (zipfile.BadZipFile, OSError, EOFError):
            return None
        finally:
            bestand.seek(0)
        if {"[Content_Types].xml", "word/document.xml"} <= namen:
            return DOCX
    return None


def veilige_naam(naam: str, content_type: str) -> str:
    """The uploaded name without folders, control characters or anything a
    header or a file system could misread, with the extension of what the
    file really is: "../Scan van het contract.png" with a PDF in it becomes
    "Scan van het contract.pdf"."""
    naam = unicodedata.normalize("NFC", re.split(r"[\\/]", naam or "")[-1])
    stam = naam.rsplit(".", 1)[0] if "." in naam.strip(".") else naam
    stam = "".join(teken if teken.isprintable() else " " for teken in stam)
    stam = re.sub(r"[^\w\s().,+-]", "_", stam)
    stam = " ".join(stam.split()).strip(" ._-")[:100]
    return (stam or "document") + EXTENSIE[content_type]


def _grootte(aantal: int) -> str:
    return f"{aantal / (1024 * 1024):.1f} MB".replace(".", ",")


def _keuring(bestanden: list[File]) -> list[tuple[File, str]]:
    """Each file with its content type, or every reason a file is refused,
    naming the file (to the coordinator who chose it, never to the log)."""
    fouten, goed = [], []
    if not bestanden:
        raise ValidationError({"bestanden": "Kies een of meer bestanden."})
    if len(bestanden) > settings.DOCUMENTEN_PER_KEER:
        raise ValidationError(
            {
                "bestanden": f"Hoogstens {settings.DOCUMENTEN_PER_KEER} bestanden tegelijk; u "
                f"koos er {len(bestanden)}."
            }
        )
    for bestand in bestanden:
        naam = bestand.name or "bestand"
        if not bestand.size:
            fouten.append(f"{naam}: het bestand is leeg.")
        elif bestand.size > max_bytes():
            fouten.append(
                f"{naam}: het bestand is {_grootte(bestand.size)}; hoogstens "
                f"{settings.DOCUMENT_MAX_MB} MB per bestand."
            )
        elif (soort := inhoud_soort(bestand)) is None:
            fouten.append(f"{naam}: dit is geen {TOEGESTAAN}. Alleen die kunnen worden bewaard.")
        else:
            goed.append((bestand, soort))
    if fouten:
        raise ValidationError({"bestanden": [*fouten, "Er is niets bewaard."]})
    return goed


def _sha256(bestand: File) -> str:
    digest = hashlib.sha256()
    for chunk in bestand.chunks():
        digest.update(chunk)
    bestand.seek(0)
    return digest.hexdigest()


def _professional(door: User) -> None:
    if not door.is_coordinator:
        raise TransitionError("Alleen een professionele coördinator werkt met documenten.")


def _dossier(
    door: User, gezin: Gezin | None, gezinslid: Gezinslid | None, koppeling: Koppeling | None
) -> tuple[Gezin | Koppeling, dict]:
    """Lock the file the documents go into, as ``door`` sees it: the family
    (also for a member's documents, so that the member cannot be removed
    meanwhile) or the koppeling, so that nothing lands while the family is
    erased or the koppeling closed. Returns the locked row and the fields."""
    if koppeling is not None:
        try:
            current = (
                Koppeling.objects.visible_to(door)
                .select_for_update(no_key=True)
                .select_related("organisatie")
                .get(pk=koppeling.pk)
            )
        except ObjectDoesNotExist as error:
            raise TransitionError("Deze koppeling bestaat niet of is niet van u.") from error
        current.check_step("document")
        return current, {"koppeling": current}
    gezin_id = gezin.pk if gezin is not None else gezinslid.gezin_id
    try:
        current = (
            Gezin.objects.visible_to(door)
            .select_for_update(no_key=True)
            .select_related("organisatie")
            .get(pk=gezin_id)
        )
    except ObjectDoesNotExist as error:
        raise TransitionError("Dit gezin bestaat niet of is niet van u.") from error
    if refusal := current.niet_geanonimiseerd():
        raise TransitionError(refusal)
    if gezinslid is None:
        return current, {"gezin": current}
    try:
        lid = current.leden.get(pk=gezinslid.pk)
    except ObjectDoesNotExist as error:
        raise ValidationError({"bij": "Dit gezinslid hoort niet (meer) bij het gezin."}) from error
    return current, {"gezinslid": lid}


@transaction.atomic
def document_toevoegen(
    *,
    door: User,
    soort: str,
    bestanden: list[File],
    titel: str = "",
    gezin: Gezin | None = None,
    gezinslid: Gezinslid | None = None,
    koppeling: Koppeling | None = None,
) -> list[Document]:
    """Keep one or several files in the file of a family, one of its members
    or a koppeling (exactly one of them), all with the same kind and title.
    All or nothing: one file that is refused (not a PDF, JPEG, PNG or DOCX by
    its content, empty, too big) and none is kept. A VOG letter only in an
    organisation that keeps them, and only with the member it is about.
    Nothing is added to a closed koppeling or an anonymised family."""
    if sum(dossier is not None for dossier in (gezin, gezinslid, koppeling)) != 1:
        raise ValueError("Een document hoort bij een gezin, een gezinslid of een koppeling.")
    _professional(door)
    parent, bij = _dossier(door, gezin, gezinslid, koppeling)
    if soort not in Document.Soort.values:
        raise ValidationError({"soort": "Kies wat voor document het is."})
    if soort == Document.Soort.VOG_BRIEF:
        if not parent.organisatie.vog_brieven_bewaren:
            raise ValidationError(
                {
                    "soort": "Uw organisatie bewaart geen VOG-brieven: de status en de datums van "
                    "de VOG volstaan. De beheerder kan het bewaren aanzetten."
                }
            )
        if gezinslid is None:
            raise ValidationError({"bij": "Een VOG-brief hoort bij een gezinslid: kies bij wie."})
    goed = _keuring(bestanden)
    documenten, opgeslagen = [], []
    try:
        for bestand, content_type in goed:
            document = Document(
                organisatie_id=parent.organisatie_id,
                **bij,
                soort=soort,
                titel=titel.strip(),
                bestandsnaam=veilige_naam(bestand.name, content_type),
                content_type=content_type,
                grootte=bestand.size,
                sha256=_sha256(bestand),
                door=door,
            )
            document.bestand.save(bestand.name, bestand, save=False)
            opgeslagen.append(document.bestand.name)
            document.full_clean()
            document.save()
            documenten.append(document)
    except BaseException:
        # The rows go with the transaction; the files written so far with them.
        _bestanden_weg(opgeslagen)
        raise
    waar = audit.label(parent if koppeling is not None else bij.get("gezinslid", parent))
    for document in documenten:
        audit.aangemaakt(
            door=door, obj=document, toelichting=f"{document.get_soort_display()} bij {waar}"
        )
    return documenten


@transaction.atomic
def document_verwijderen(*, door: User, document: Document, reden: str) -> None:
    """Take a document out of the file (uploaded by mistake, or twice), with
    a reason from ``Document.Reden``; its file goes once that is committed.
    Also from a closed koppeling: removing adds nothing."""
    _professional(door)
    if reden not in Document.Reden.values:
        raise ValidationError({"reden": "Kies waarom het document weg moet."})
    try:
        current = Document.objects.visible_to(door).select_for_update().get(pk=document.pk)
    except ObjectDoesNotExist as error:
        raise TransitionError("Dit document bestaat niet (meer) of is niet van u.") from error
    waar = (
        f"koppeling nr. {current.koppeling_id}"
        if current.koppeling_id
        else f"gezinslid nr. {current.gezinslid_id}"
        if current.gezinslid_id
        else f"gezin nr. {current.gezin_id}"
    )
    audit.verwijderd(
        door=door,
        obj=current,
        wat=f"{current.get_soort_display()} bij {waar}; reden: {Document.Reden(reden).label}",
    )
    documenten_weg(Document.objects.filter(pk=current.pk))


def documenten_weg(documenten) -> int:
    """Delete these documents, their files once the transaction commits (or
    at once outside one). For a removal and for a family's erasure."""
    namen = list(documenten.values_list("bestand", flat=True))
    aantal, _ = documenten.delete()
    transaction.on_commit(lambda: _bestanden_weg(namen))
    return aantal


def _bestanden_weg(namen: Iterable[str]) -> None:
    for naam in namen:
        try:
            opslag.delete(naam)
        except Exception as error:
            # The stored name is random: it names nobody.
            logger.error("Bestand %s niet verwijderd: %s", naam, type(error).__name__)


def soorten(*, organisatie, bij_gezinslid: bool) -> list[tuple[str, str]]:
    """The kinds a form offers: a VOG letter only where the organisation keeps
    them and the form can say whose it is."""
    return [
        (value, label)
        for value, label in Document.Soort.choices
        if value != Document.Soort.VOG_BRIEF or (organisatie.vog_brieven_bewaren and bij_gezinslid)
    ]
