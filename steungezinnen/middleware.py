from collections.abc import Callable

from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict

NUL = "\x00"


def _without_nul(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        for value in values:
            cleaned.appendlist(key.replace(NUL, ""), value.replace(NUL, ""))
    cleaned._mutable = False
    return cleaned


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in data.lists())


class NulBytesMiddleware:
    """Makes NUL characters harmless before any view sees them.

    A NUL is never text: no form accepts it and PostgreSQL cannot store it, so
    a lookup with one crashes instead of finding nothing. In a web address it
    can only be tampering (400); in GET and POST values it is dropped, so a
    form keeps everything else that was typed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path:
            return HttpResponseBadRequest(
                "Dit webadres bevat een teken dat niet is toegestaan.",
                content_type="text/plain; charset=utf-8",
            )
        if _has_nul(request.GET):
            request.GET = _without_nul(request.GET)
        if request.method == "POST" and _has_nul(request.POST):
            request.POST = _without_nul(request.POST)
        return self.get_response(request)


class OutOfRangeMiddleware:
    """A number or date in a web address beyond what the calendar or the
    database can hold (``?timestamp__year=99999999999`` on a back-office
    list) is bad input: a 400 with a Dutch message, not a server error.
    Forms refuse such values themselves and keep what was typed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        # A field name from the address that does not exist (the back
        # office's ``?_to_field=``) is a broken address as well.
        if isinstance(exception, FieldDoesNotExist):
            return HttpResponseBadRequest(
                "Dit webadres klopt niet.", content_type="text/plain; charset=utf-8"
            )
        # The back office's bulk actions take ids from the form unchecked
        # (``_selected_action=x``); Django's admin is not ours to rewrite.
        if isinstance(exception, ValueError) and request.path.startswith("/beheer/"):
            return HttpResponseBadRequest(
                "Dit verzoek bevat een ongeldige waarde.", content_type="text/plain; charset=utf-8"
            )
        if isinstance(exception, OverflowError):
            return HttpResponseBadRequest(
                "Een getal of datum in dit webadres is te groot of te klein.",
                content_type="text/plain; charset=utf-8",
            )
        return None
