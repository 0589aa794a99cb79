from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import audit
from accounts.models import User
from gezinnen.models import today
from matching import bewaren, dashboard
from matching.models import Signaal

# The dashboard names the families whose data go within this many days.
ANONIMISEREN_VOORUIT_DAGEN = 30

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
        due = dashboard.coordinator_due(user, today(), mine=mine)
        anonimiseren = bewaren.te_anonimiseren(
            user.organisatie, today(), binnen_dagen=ANONIMISEREN_VOORUIT_DAGEN
        )
        audit.lijst_bekeken(
            door=user,
            wat="dashboard",
            records=_shown(due) + [termijn.gezin for termijn in anonimiseren],
        )
        context = {
            "due": due,
            "anonimiseren": anonimiseren,
            "anonimiseren_dagen": ANONIMISEREN_VOORUIT_DAGEN,
            "mine": mine,
            "figures": dashboard.figures(user),
            "wijken": dashboard.vraag_en_aanbod(user),
        }
    elif user.is_vrijwillig_coordinator and user.sees_family_data:
        koppelingen = dashboard.mijn_koppelingen(user)
        audit.lijst_bekeken(door=user, wat="startpagina", records=koppelingen)
        context = {"koppelingen": koppelingen}
    return render(request, template, context)


def _shown(due: dashboard.Due) -> list:
    """The families and koppelingen the dashboard names: the first of each
    row, and for a signal its koppeling."""
    shown = []
    for name in due.__dataclass_fields__:
        for row in getattr(due, name):
            item = row[0] if isinstance(row, tuple) else row
            shown.append(item.koppeling if isinstance(item, Signaal) else item)
    return shown
