from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User

HOME_TEMPLATES = {
    User.Rol.COORDINATOR: "home/coordinator.html",
    User.Rol.VRIJWILLIG_COORDINATOR: "home/vrijwillig_coordinator.html",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own start page; without a role, the page that
    says so (and points a beheerder to the back office)."""
    template = HOME_TEMPLATES.get(request.user.rol, "home/zonder_rol.html")
    return render(request, template)
