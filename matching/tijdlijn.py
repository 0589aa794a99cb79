"""What matching adds to a family's timeline (gezinnen.tijdlijn): the notes
of the family and of its koppelingen, the contactmomenten and signals of its
koppelingen, the documents added to its file (its own, its members' and its
koppelingen's) and the mail sent about it; and above it the form for a new
note and the buttons for a mail. Registered in MatchingConfig.ready."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from gezinnen.models import Gezin
from gezinnen.tijdlijn import Gebeurtenis, Invoer, begin_van
from matching.forms import NotitieForm
from matching.models import Bericht, Contactmoment, Document, Koppeling, Notitie, Signaal

ALLEEN_PROFESSIONALS = "alleen professionals"
# The form for a note: above the family's timeline, on the koppeling's page
# and on the page of its own (matching.notitie_views).
FORMULIER = "matching/includes/notitie_form.html"


def als_gebeurtenis(notitie: Notitie, *, op_koppeling: bool = False) -> Gebeurtenis:
    """A note as a line of a timeline: on the family's page it says which
    koppeling it is about; on the koppeling's own pages that goes without saying."""
    titel = url = ""
    if notitie.koppeling_id and not op_koppeling:
        titel = f"bij koppeling nr. {notitie.koppeling_id}"
        url = reverse("matching:detail", args=[notitie.koppeling_id])
    elif not op_koppeling:
        titel = "bij het gezin"
    return Gebeurtenis(
        notitie.op,
        "Notitie",
        titel,
        notitie.tekst,
        notitie.door,
        url=url,
        kenmerk=ALLEEN_PROFESSIONALS if notitie.alleen_professionals else "",
    )


def notities(gezin: Gezin, user: User):
    rijen = Notitie.objects.visible_to(user).over_gezin(gezin.pk).select_related("door")
    return rijen, als_gebeurtenis


def _koppelingen(gezin: Gezin, user: User):
    return Koppeling.objects.visible_to(user).filter(
        Q(vraaggezin_id=gezin.pk) | Q(steungezin_id=gezin.pk)
    )


def contactmomenten(gezin: Gezin, user: User):
    def regel(contact: Contactmoment) -> Gebeurtenis:
        return Gebeurtenis(
            begin_van(contact.datum),
            "Contactmoment",
            f"{contact.get_hoe_display()} met {contact.get_met_display()}: "
            f"{contact.get_verloop_display()} (koppeling nr. {contact.koppeling_id})",
            contact.notities,
            contact.door,
            url=reverse("matching:detail", args=[contact.koppeling_id]),
            alleen_dag=True,
        )

    rijen = Contactmoment.objects.filter(koppeling__in=_koppelingen(gezin, user)).select_related(
        "door"
    )
    return rijen, regel


def signalen(gezin: Gezin, user: User):
    def regel(signaal: Signaal) -> Gebeurtenis:
        return Gebeurtenis(
            signaal.gemeld_op,
            "Signaal",
            f"{signaal.get_status_display()} (koppeling nr. {signaal.koppeling_id})",
            signaal.omschrijving,
            signaal.gemeld_door,
            url=reverse("matching:signaal", args=[signaal.pk]),
        )

    rijen = Signaal.objects.filter(koppeling__in=_koppelingen(gezin, user)).select_related(
        "gemeld_door"
    )
    return rijen, regel


def documenten(gezin: Gezin, user: User):
    """The documents in the family's file as they were added, for those who
    may see them (coordinators: Document.objects.visible_to). The line links
    to the download, which audits it; a removed document leaves no line,
    its removal is in the audit log."""

    def regel(document: Document) -> Gebeurtenis:
        titel = document.get_soort_display()
        if document.titel:
            titel = f"{titel}: {document.titel}"
        return Gebeurtenis(
            document.op,
            "Document",
            f"{titel} (bij {document.bij})",
            document.bestandsnaam,
            document.door,
            url=reverse("matching:document", args=[document.pk]),
        )

    rijen = (
        Document.objects.visible_to(user)
        .over_gezin(gezin.pk)
        .select_related("door", "gezinslid")
        .defer("sha256")
    )
    return rijen, regel


def notitie_invoer(gezin: Gezin, user: User) -> Invoer | None:
    """The form for a note above the family's timeline, while one can be added."""
    if not user.is_coordinator or gezin.niet_geanonimiseerd():
        return None
    return Invoer(
        FORMULIER,
        NotitieForm(door=user, bij_koppeling=False),
        reverse("matching:gezin-notitie", args=[gezin.pk]),
    )


def berichten(gezin: Gezin, user: User):
    """The mail sent about the family: to it, or to its referrer. The
    address shows, since only professional coordinators see these lines."""

    def regel(bericht: Bericht) -> Gebeurtenis:
        over = f" (koppeling nr. {bericht.koppeling_id})" if bericht.koppeling_id else ""
        return Gebeurtenis(
            bericht.op,
            "Mail",
            f"{bericht.get_soort_display().capitalize()}, aan {bericht.get_aan_display()}{over}",
            f"{bericht.onderwerp} · {bericht.adres}" if bericht.adres else bericht.onderwerp,
            bericht.door,
            url=reverse("matching:detail", args=[bericht.koppeling_id])
            if bericht.koppeling_id
            else "",
        )

    return Bericht.objects.visible_to(user).filter(gezin_id=gezin.pk).select_related("door"), regel


BERICHT_KNOPPEN = "matching/includes/bericht_knoppen.html"


def bericht_invoer(gezin: Gezin, user: User) -> Invoer | None:
    """The buttons for a mail to the family, above its timeline."""
    if not user.is_coordinator or gezin.niet_geanonimiseerd():
        return None
    return Invoer(BERICHT_KNOPPEN, None, "")
