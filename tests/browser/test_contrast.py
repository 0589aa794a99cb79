"""Field borders and focus indicators reach 3:1 against what is next to them
(WCAG 1.4.11 and 2.4.7), measured in Chromium from the computed styles. axe
measures text contrast (test_toegankelijkheid.py), not these."""

import pytest

from tests.browser.test_toegankelijkheid import logged_in

pytestmark = pytest.mark.django_db(transaction=True)

# WCAG's contrast ratio of two CSS colours, the second one behind the first:
# a translucent colour is laid over what is behind it first.
MEASURE = """([selector, focus]) => {
    const parse = text => {
        const [r, g, b, a = 1] = text.match(/[\\d.]+/g).map(Number);
        return {r, g, b, a};
    };
    const over = (top, below) => ({
        r: top.r * top.a + below.r * (1 - top.a),
        g: top.g * top.a + below.g * (1 - top.a),
        b: top.b * top.a + below.b * (1 - top.a),
        a: 1,
    });
    const background = element => {
        const layers = [];
        for (let e = element; e; e = e.parentElement) {
            const colour = parse(getComputedStyle(e).backgroundColor);
            if (colour.a > 0) layers.push(colour);
            if (colour.a === 1) break;
        }
        const white = {r: 255, g: 255, b: 255, a: 1};
        return layers.reverse().reduce((below, top) => over(top, below), white);
    };
    const luminance = c => {
        const [r, g, b] = [c.r, c.g, c.b].map(v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a, b) => {
        const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return Math.round(((light + 0.05) / (dark + 0.05)) * 100) / 100;
    };
    const element = document.querySelector(selector);
    if (!element) return null;
    const style = getComputedStyle(element);
    const outside = background(element.parentElement);
    if (!focus) {
        const border = over(parse(style.borderTopColor), outside);
        return {
            against_surrounding: ratio(border, outside),
            against_field: ratio(border, background(element)),
        };
    }
    element.focus();
    const focused = getComputedStyle(element);
    let ring = null;
    if (focused.outlineStyle !== 'none' && parseFloat(focused.outlineWidth) > 0) {
        ring = parse(focused.outlineColor);
    } else if (focused.boxShadow !== 'none') {
        ring = parse(focused.boxShadow);
    }
    if (!ring || ring.a === 0) return {ring: 0};
    return {ring: ratio(over(ring, outside), outside)};
}"""


def measure(page, checks: list[tuple[str, str, bool]]) -> tuple[list[str], list[str]]:
    """(what was measured, what falls below 3:1) for each (label, selector, focus)."""
    measured, failing = [], []
    for label, selector, focus in checks:
        result = page.evaluate(MEASURE, [selector, focus])
        if result is None:
            failing.append(f"{label}: {selector} staat niet op {page.url}")
            continue
        for what, value in result.items():
            line = f"{label} ({what}): {value}:1"
            measured.append(line)
            if value < 3:
                failing.append(line)
    return measured, failing


def test_fields_and_focus_rings_of_the_app_stand_out(page, live_server, coordinator, organisatie):
    page.goto(f"{live_server.url}/aanmelden/{organisatie.slug}/steungezin/")
    measured, failing = measure(
        page,
        [
            ("invoerveld, openbaar formulier", "main .form-control", False),
            ("focus op een invoerveld, openbaar formulier", "main .form-control", True),
        ],
    )
    logged_in(page, live_server, coordinator)
    page.goto(f"{live_server.url}/vraaggezinnen/nieuw/")
    more, worse = measure(
        page,
        [
            ("invoerveld", "main .form-control", False),
            ("keuzelijst", "main .form-select", False),
            ("vinkje", "main .form-check-input", False),
            ("focus op een invoerveld", "main .form-control", True),
            ("focus op een keuzelijst", "main .form-select", True),
            ("focus op een knop", "main .btn-primary", True),
            ("focus op een menulink", ".app-navbar .nav-link", True),
        ],
    )
    print("\n".join(measured + more))
    assert not failing + worse, "\n".join(failing + worse)


def test_fields_and_focus_rings_of_the_back_office_stand_out(
    page, live_server, superuser, log_in_verified
):
    logged_in(page, live_server, superuser, log_in_verified)
    page.goto(f"{live_server.url}/beheer/gezinnen/wijk/add/")
    measured, failing = measure(
        page,
        [
            ("invoerveld in de backoffice", "#id_naam", False),
            ("focus op een invoerveld in de backoffice", "#id_naam", True),
            ("focus op een link in de kop", "#header a", True),
            ("focus op een link in het kruimelpad", "div.breadcrumbs a", True),
            ("focus op een knop", "input[type=submit]", True),
        ],
    )
    print("\n".join(measured))
    assert not failing, "\n".join(failing)
