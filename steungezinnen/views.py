from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User
from gezinnen.models import today
from matching import dashboard

HOME_TEMPLATES = {
    User.Rol.COORDINATOR: "home/coordinator.html",
    User.Rol.VRIJWILLIG_COORDINATOR: "home/vrijwillig_coordinator.html",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own start page; without a role, the page that
    says so (and points a beheerder to the back office)."""
    user = request.user
    template = HOME_TEMPLATES.get(user.rol, "home/zonder_rol.html")
    context = {}
    if user.is_coordinator and user.sees_family_data:
        mine = request.GET.get("weergave") == "mijn"
        context = {
            "due": dashboard.coordinator_due(user, today(), mine=mine),
            "mine": mine,
            "figures": dashboard.figures(user),
            "wijken": dashboard.vraag_en_aanbod(user),
        }
    elif user.is_vrijwillig_coordinator and user.sees_family_data:
        context = {"koppelingen": dashboard.mijn_koppelingen(user)}
    return render(request, template, context)
