from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


def coordinator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For pages only a professional coordinator may use: anyone else who is
    logged in gets a 404, as if the page did not exist."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_coordinator and request.user.sees_family_data):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def team_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For pages both coordinators and volunteer coordinators use (each then
    sees only what ``visible_to`` gives them); anyone else gets a 404."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.sees_family_data:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
