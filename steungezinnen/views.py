from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import audit
from accounts.models import User
from gezinnen.models import today
from matching import bewaren, dashboard
from matching.models import Signaal

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
        if volledig := dashboard.lijst(
            user, request.GET.get("lijst", ""), today(), mine=mine, pagina=request.GET.get("pagina")
        ):
            return _lijst(request, volledig, mine=mine)
        due = dashboard.coordinator_due(user, today(), mine=mine)
        audit.lijst_bekeken(door=user, wat="dashboard", records=_shown(due))
        figures, wijken = dashboard.vraag_en_aanbod(user)
        context = {
            "due": due,
            "lijsten": dashboard.LIJSTEN,
            "mine": mine,
            "weergave": "&weergave=mijn" if mine else "",
            "lang_wachtend_titel": (
                f"Wachten langer dan {user.organisatie.wachttijd_limiet_weken} weken"
            ),
            "figures": figures,
            "wijken": wijken,
        }
    elif user.is_vrijwillig_coordinator and user.sees_family_data:
        koppelingen = dashboard.mijn_koppelingen(user)
        audit.lijst_bekeken(door=user, wat="startpagina", records=koppelingen)
        context = {"koppelingen": koppelingen}
    return render(request, template, context)


def _lijst(request: HttpRequest, volledig: dict, *, mine: bool) -> HttpResponse:
    """One dashboard list in full."""
    audit.lijst_bekeken(
        door=request.user,
        wat=f"dashboard: {volledig['lijst'].titel}",
        records=_named(volledig["rijen"]),
    )
    query = f"lijst={volledig['naam']}" + ("&weergave=mijn" if mine else "")
    return render(request, "home/lijst.html", {**volledig, "mine": mine, "query": query})


def _named(rows: list) -> list:
    """The families and koppelingen that rows name: the first of each row,
    and for a signal its koppeling."""
    items = [row[0] if isinstance(row, tuple) else row for row in rows]
    return [
        item.koppeling
        if isinstance(item, Signaal)
        else item.gezin
        if isinstance(item, bewaren.Termijn)
        else item
        for item in items
    ]


def _shown(due: dashboard.Due) -> list:
    """The families and koppelingen the dashboard names."""
    return [item for deel in due.delen for item in _named(deel.rijen)]
