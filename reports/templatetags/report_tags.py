from django import template
from django.utils.html import format_html, format_html_join

from reports.figures import KLEIN

register = template.Library()

# In user units of the viewBox: the chart is drawn at this size in the PDF and
# scales with the page on screen (app.css), so 12 never gets smaller than 12 px.
BAR_HEIGHT = 20
LABEL_WIDTH = 230
BAR_WIDTH = 300
FONT_SIZE = 12


@register.simple_tag
def bar_chart(regels):
    """A horizontal bar chart as inline SVG, without JavaScript. A hidden count
    (``aantal`` is None) gets no bar: its length would give the number away."""
    regels = list(regels)
    if not any((r.aantal or 0) >= KLEIN for r in regels):
        return ""  # no bar to draw: the table says it all
    largest = max((r.aantal or 0 for r in regels), default=0) or 1
    height = BAR_HEIGHT * len(regels) + 4
    rows = []
    for index, regel in enumerate(regels):
        y = index * BAR_HEIGHT + 2
        baseline = y + FONT_SIZE + 2
        shown = regel.aantal is not None and regel.aantal >= KLEIN
        width = round(BAR_WIDTH * regel.aantal / largest) if shown else 0
        rows.append(
            (
                baseline,
                FONT_SIZE,
                regel.omschrijving,
                LABEL_WIDTH,
                y + 3,
                width,
                LABEL_WIDTH + width + 4,
                baseline,
                FONT_SIZE,
                regel.waarde,
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}" font-size="{}" fill="#1e2a2e">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="14" fill="#1f5f6b"></rect>'
        '<text x="{}" y="{}" font-size="{}" fill="#1e2a2e">{}</text>',
        rows,
    )
    return format_html(
        '<svg class="chart img-fluid" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" '
        'viewBox="0 0 {} {}" role="img" aria-label="staafdiagram">{}</svg>',
        LABEL_WIDTH + BAR_WIDTH + 40,
        height,
        LABEL_WIDTH + BAR_WIDTH + 40,
        height,
        body,
    )
