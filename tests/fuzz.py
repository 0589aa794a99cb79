"""Pieces of the fuzz test (tests/test_fuzz.py): the forms and links of a page,
the nasty values to send, and a short account of what broke where."""

from __future__ import annotations

import datetime
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from hypothesis import strategies as st

PROJECT = Path(__file__).resolve().parent.parent
TODAY = datetime.date.today().isoformat()

# Values that broke, or could break, a parser, a converter or the database.
DATES = [
    "0001-01-01",
    "9999-12-31",
    "2026-02-31",
    "31-02-2026",
    "2026-13-01",
    "0000-00-00",
    "10000-01-01",
    "01-01-0001",
    "31-12-9999",
]
NUMBERS = [
    "²",
    "-1",
    "0",
    "1.5",
    "1,5",
    "2147483648",
    "-9223372036854775809",
    "99999999999999999999999999",
    "1e400",
    "NaN",
    "inf",
    "0x1F",
    "½",
    "٣",
    "Ⅻ",
]
TEXTS = [
    "",
    " ",
    "\x00",
    "1\x00",
    "a\x00b",
    "x" * 5000,
    "é" * 5000,
    "👩‍👩‍👧‍👦 🏳️‍🌈",
    "\u202eטקסט עברי\u202c",
    "مرحبا",
    "e\u0301\u0302\u0303\u0304",
    "\ufeff\u200b",
    "\r\n\t",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "%_\\",
    "../../etc/passwd",
    "None",
    "[]",
]
NASTY = TEXTS + NUMBERS + DATES
# One of each kind of trouble, for all of a list's parameters at once.
SHARP = ["²", "-1", "99999999999999999999", "0001-01-01", "9999-12-31", "x" * 5000, "\x00"]
# Formset counts stay small: for a large TOTAL_FORMS Django builds up to 2,000
# forms, which is slow but not wrong.
MANAGEMENT = ["", "-1", "x", "½", "1.5", "1\x00", "7"]
DATE_HINTS = ("datum", "_op", "week", "einde", "van", "tot", "geboorte", "timestamp", "date")
NUMBER_HINTS = ("versie", "pagina", "jaar", "kwartaal", "uren", "wijk", "coordinator", "id", "_num")

# A plausible value for an empty field, so that the rest of a form can get
# past validation and into the service behind it.
SAMPLE_BY_TYPE = {
    "date": TODAY,
    "number": "1",
    "email": "fuzz@example.nl",
    "tel": "06 12345678",
    "url": "https://example.nl/",
    "password": "een-goed-wachtwoord-42",
}
SAMPLE_BY_NAME = {
    "postcode": "7551 AB",
    "huisnummer": "12",
    "telefoon": "06 12345678",
    "email": "fuzz@example.nl",
    "username": "carla@humanitas.example",
}


@dataclass
class Field:
    name: str
    kind: str  # the input's type, or "select" or "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    multiple: bool = False
    required: bool = False

    def valid(self) -> list[list[str]]:
        """Submissions of this field a browser could make."""
        if self.options:
            single = [[option] for option in self.options]
            if self.multiple:
                return [self.selected, [], self.options, *single]
            return single
        if self.value:
            return [[self.value]]
        sample = next(
            (value for key, value in SAMPLE_BY_NAME.items() if key in self.name.lower()),
            SAMPLE_BY_TYPE.get(self.kind, "Tekst"),
        )
        return [[sample]] if self.required else [[sample], [""]]

    def values(self) -> list[str]:
        return [value for submission in self.valid() for value in submission]

    def default(self) -> list[str]:
        """What someone submits who leaves the defaults and fills in what is required."""
        chosen = [option for option in self.selected if option]
        if chosen or self.options == ["on"]:  # a yes/no checkbox stays as it is
            return chosen
        if self.options:
            return [next((option for option in self.options if option), "")]
        return self.valid()[0] if self.value or self.required else [""]


@dataclass
class Form:
    method: str
    action: str
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def key(self) -> tuple:
        return (self.method, self.action, tuple(sorted(self.fields)), tuple(self.buttons))

    def default(self) -> dict[str, list[str]]:
        data = {name: f.default() for name, f in self.fields.items()}
        if self.buttons and self.buttons[0][0]:
            data[self.buttons[0][0]] = [self.buttons[0][1]]
        return data

    def extremes(self) -> list[dict[str, list[str]]]:
        """The form as it comes, with one date at a time on a valid extreme."""
        return [
            {**self.default(), name: [day]}
            for name, f in self.fields.items()
            if f.kind == "date"
            for day in ("0001-01-01", "9999-12-31")
        ]


class PageParser(HTMLParser):
    """The forms of a page and the query strings of its links."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.queries: list[tuple[str, dict[str, str]]] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: dict | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {name: (value or "") for name, value in attrs}
        if tag == "a" and "href" in a:
            target = urlsplit(urljoin(self.url, a["href"]))
            if target.query and not target.scheme.startswith("mailto"):
                self.queries.append((target.path, dict(parse_qsl(target.query))))
        elif tag == "form":
            self._form = Form(
                method=(a.get("method") or "get").lower(),
                action=urlsplit(urljoin(self.url, a.get("action") or self.url)).path,
                multipart=a.get("enctype") == "multipart/form-data",
            )
        if self._form is None or (tag != "option" and not a.get("name")):
            return
        fields, name = self._form.fields, a.get("name", "")
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image"):
                self._form.buttons.append((name, a.get("value", "")))
            elif kind in ("radio", "checkbox"):
                choice = fields.setdefault(name, Field(name, kind, multiple=kind == "checkbox"))
                choice.options.append(a.get("value") or "on")
                if "checked" in a:
                    choice.selected.append(a.get("value") or "on")
            elif kind not in ("button", "reset", "file"):
                fields[name] = Field(name, kind, a.get("value", ""), required="required" in a)
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            self._form.buttons.append((name, a.get("value", "")))
        elif tag == "select":
            self._select = fields[name] = Field(
                name, "select", multiple="multiple" in a, required="required" in a
            )
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea":
            self._textarea = fields[name] = Field(name, "textarea", required="required" in a)

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        elif self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value = self._option["value"]
            value = self._option["text"].strip() if value is None else value
            self._select.options.append(value)
            if self._option["selected"]:
                self._select.selected.append(value)
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that Django puts after <textarea>.
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def parse_page(url: str, html: str) -> PageParser:
    parser = PageParser(url)
    parser.feed(html)
    parser.close()
    return parser


def _one(value) -> list[str]:
    return [str(value)]


# The strategies every field shares; made once, as Hypothesis checks each new one.
# Hypothesis starts from the first choice of each: the most likely trouble.
ANY_FIELD = [
    st.sampled_from(NASTY).map(_one),
    st.text(max_size=30).map(_one),
    st.integers(min_value=-(10**20), max_value=10**20).map(_one),
    st.dates().map(lambda day: [day.isoformat()]),
    st.none(),
]
DATE_FIELD = [st.sampled_from(DATES).map(_one)] * 2
NUMBER_FIELD = [st.sampled_from(NUMBERS).map(_one)] * 2
MANAGEMENT_FIELD = st.sampled_from(MANAGEMENT).map(_one)


def bad_values(f: Field, foreign_ids: list[str]):
    """One field's values as a tamperer might send them; None leaves it out.
    What a field of its kind is most likely to choke on comes first, and twice."""
    if f.name.endswith("_FORMS"):
        return MANAGEMENT_FIELD
    options = f.values()
    name = f.name.lower()
    dated = f.kind == "date" or any(hint in name for hint in DATE_HINTS)
    numbered = f.kind == "number" or any(hint in name for hint in NUMBER_HINTS)
    numbered = numbered or (bool(options) and all(o.isdigit() for o in options if o))
    strategies = [
        *(DATE_FIELD if dated else []),
        *(NUMBER_FIELD if numbered else []),
        *ANY_FIELD,
        st.lists(st.sampled_from(NASTY + options), min_size=2, max_size=3),
        st.sampled_from(options).map(lambda v: [v + "\x00"]),
    ]
    if foreign_ids:
        strategies.append(st.sampled_from(foreign_ids).map(_one))
    return st.one_of(strategies)


def submissions(form: Form, foreign_ids: list[str]):
    """The form as a browser would send it, tampered: every field, one or some
    of the fields a person types in, some hidden ones, or none."""
    hidden = [name for name, f in form.fields.items() if f.kind == "hidden"]
    visible = [name for name, f in form.fields.items() if f.kind != "hidden"]
    modes = ["all", *["one", "some"] * bool(visible), *["hidden"] * 2 * bool(hidden), "valid"]
    valid = {name: st.sampled_from(f.valid()) for name, f in form.fields.items()}
    bad = {name: bad_values(f, foreign_ids) for name, f in form.fields.items()}

    @st.composite
    def submission(draw) -> dict[str, list[str]]:
        tampered = {
            "all": lambda: set(form.fields),
            "one": lambda: {draw(st.sampled_from(visible))},
            "some": lambda: {name for name in visible if draw(st.booleans())},
            "hidden": lambda: {name for name in hidden if draw(st.booleans())},
            "valid": lambda: set(),
        }[draw(st.sampled_from(modes))]()
        data = {}
        for name in form.fields:
            value = draw(bad[name] if name in tampered else valid[name])
            if value is not None:
                data[name] = value
        if form.buttons:
            button, value = draw(st.sampled_from(form.buttons))
            if button:
                data[button] = [value]
        return data

    return submission()


def queries(params: dict[str, Field], own: list[str], examples: list[dict], foreign_ids):
    """A query string: every parameter of the page's own (or, without those,
    every one the project reads) tampered; or none or one of the page's links
    with 1–3 parameters (the page's own ones half of the time) set to valid or
    tampered values."""
    bad = {name: bad_values(f, foreign_ids) for name, f in params.items()}
    either = {name: st.one_of(bad[name], st.sampled_from(f.valid())) for name, f in params.items()}
    pick = st.sampled_from(list(params))
    if own:
        pick = st.one_of(st.sampled_from(own), pick)
    links = st.sampled_from([{}, *examples])

    @st.composite
    def query(draw) -> dict[str, list[str]]:
        if draw(st.booleans()):
            data = {key: [value] for key, value in draw(links).items()}
            changes = {name: draw(either[name]) for name in draw(st.lists(pick, max_size=3))}
        else:
            data, changes = {}, {name: draw(bad[name]) for name in own or params}
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        return data

    return query()


def _short(frame) -> str:
    path = Path(frame.filename)
    if "site-packages" in path.parts:
        path = Path(*path.parts[path.parts.index("site-packages") + 1 :])
    elif path.is_relative_to(PROJECT):
        path = path.relative_to(PROJECT)
    return f"{path}:{frame.lineno}"


def where(exc_info) -> tuple[str, str]:
    """The project lines an error passed through (Django's admin lines if
    there are none), and the line that raised it."""
    frames = traceback.extract_tb(exc_info[2])
    ours = [
        _short(f)
        for f in frames
        if f.filename.startswith(str(PROJECT)) and "site-packages" not in f.filename
    ]
    if not ours:
        ours = [_short(f) for f in frames if "/django/contrib/" in f.filename][-1:]
    return " → ".join(ours) or "?", _short(frames[-1])


def changes(baseline: dict, data: dict) -> dict:
    """What differs from the baseline; a field left out becomes None."""
    left_out = {name: None for name in baseline if name not in data}
    return {**left_out, **{k: v for k, v in data.items() if baseline.get(k) != v}}


def shorten(data) -> str:
    """The values sent, each cut short; without the CSRF token."""
    if not isinstance(data, dict):
        return repr(data)
    cut = {
        key: values and [v if len(v) <= 40 else f"{v[:20]}…({len(v)} chars)" for v in values]
        for key, values in data.items()
        if key != "csrfmiddlewaretoken"
    }
    text = repr(cut)
    return text if len(text) <= 700 else text[:700] + "…"
