from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from gezinnen.models import Steungezin, Vraaggezin
from matching.models import Koppeling

HOME_TEMPLATES = {
    User.Rol.COORDINATOR: "home/coordinator.html",
    User.Rol.VRIJWILLIG_COORDINATOR: "home/vrijwillig_coordinator.html",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own start page; without a role, the page that
    says so (and points a beheerder to the back office)."""
    template = HOME_TEMPLATES.get(request.user.rol, "home/zonder_rol.html")
    if request.user.is_coordinator:
        context = coordinator_overview(request.user)
    elif request.user.is_vrijwillig_coordinator:
        context = {"koppelingen": mijn_koppelingen(request.user)}
    else:
        context = {}
    return render(request, template, context)


def mijn_koppelingen(user: User):
    """A volunteer coordinator's running matches with both families' contact details."""
    return (
        Koppeling.objects.visible_to(user)
        .lopend()
        .select_related("vraaggezin", "steungezin")
        .order_by("volgende_contact_op", "pk")
    )


def coordinator_overview(user: User) -> dict:
    """The dashboard's figures and new sign-ups, in a fixed number of queries."""
    vraag = Vraaggezin.objects.visible_to(user)
    steun = Steungezin.objects.visible_to(user)
    S, V = Steungezin.Status, Vraaggezin.Status
    figures = {
        **vraag.aggregate(
            wachtend=Count("pk", filter=Q(status__in=Vraaggezin.WAITING)),
            gekoppeld=Count("pk", filter=Q(status=V.GEKOPPELD)),
        ),
        **steun.aggregate(
            beschikbaar=Count("pk", filter=Q(status=S.BESCHIKBAAR)),
            in_screening=Count("pk", filter=Q(status=S.IN_SCREENING)),
        ),
    }
    return {
        "figures": figures,
        "nieuw_vraag": vraag.filter(status=V.AANGEMELD).order_by("aangemeld_op")[:10],
        "nieuw_steun": steun.filter(status=S.AANGEMELD).order_by("aangemeld_op")[:10],
    }
