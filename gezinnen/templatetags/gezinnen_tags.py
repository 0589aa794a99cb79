from django import template

from gezinnen.models import DAGDELEN, DAGEN

register = template.Library()

STATUS_COLOURS = {
    "aangemeld": "info",
    "intake": "primary",
    "in_screening": "primary",
    "wachtend": "warning",
    "beschikbaar": "success",
    "gekoppeld": "success",
    "afgesloten": "secondary",
    "ingetrokken": "secondary",
    "gestopt": "secondary",
    "afgewezen": "danger",
}


@register.inclusion_tag("gezinnen/includes/status_badge.html")
def status_badge(gezin):
    colour = STATUS_COLOURS.get(gezin.status, "secondary")
    return {
        "label": gezin.get_status_display(),
        "css": f"bg-{colour}-subtle text-{colour}-emphasis border border-{colour}-subtle",
    }


@register.filter
def dagdelen_rows(bound_field):
    """The checkboxes of a days-and-dayparts field, a row per day."""
    boxes = list(bound_field)
    size = len(DAGDELEN)
    return [(naam, boxes[i * size : (i + 1) * size]) for i, (_, naam) in enumerate(DAGEN)]


@register.filter
def dagdelen_grid(values):
    """A stored set of dayparts as rows of (day, [chosen per daypart])."""
    chosen = set(values or [])
    return [(naam, [f"{dag}_{deel}" in chosen for deel, _ in DAGDELEN]) for dag, naam in DAGEN]


@register.simple_tag
def dagdeel_namen():
    return [naam for _, naam in DAGDELEN]


@register.filter
def wachttijd(days):
    """'12 dagen', '3 weken', '5 maanden'."""
    if days is None:
        return ""
    if days < 14:
        return f"{days} {'dag' if days == 1 else 'dagen'}"
    if days < 9 * 7:
        return f"{days // 7} weken"
    return f"{days // 30} maanden"
