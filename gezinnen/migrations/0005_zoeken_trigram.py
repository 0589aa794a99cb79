"""Trigram indexes for searching families and members (GezinQuerySet.search,
GezinslidQuerySet.search: the list filters and the search box of the
navigation), on PostgreSQL only.

Django writes ``icontains`` as ``UPPER(col::text) LIKE UPPER('%term%')``,
which a GIN index on ``UPPER(col)`` with ``gin_trgm_ops`` serves whatever
part of the value the term is; ``startswith`` on the postcode is a plain
``LIKE 'term%'``. The indexes are SQL of their own rather than Meta.indexes:
SQLite, which ``make run`` uses, has neither the extension nor GIN, and it
rebuilds a table with all its Meta indexes whenever a later migration alters
a column. There the same queries simply scan.

The extension is made here too, not with django.contrib.postgres'
TrigramExtension: undoing that one queries pg_extension on SQLite as well.
Undoing this migration leaves the extension: something else may use it."""

from django.db import migrations

INDEXES = {
    "gezin_naam_trgm": ("gezinnen_gezin", "UPPER(naam)"),
    "gezin_telefoon_trgm": ("gezinnen_gezin", "UPPER(telefoon)"),
    "gezin_email_trgm": ("gezinnen_gezin", "UPPER(email)"),
    "gezin_postcode_trgm": ("gezinnen_gezin", "postcode"),
    "gezinslid_voornaam_trgm": ("gezinnen_gezinslid", "UPPER(voornaam)"),
    "gezinslid_achternaam_trgm": ("gezinnen_gezinslid", "UPPER(achternaam)"),
}
CREATE = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    f"CREATE INDEX {name} ON {table} USING gin (({expression}) gin_trgm_ops)"
    for name, (table, expression) in INDEXES.items()
]
DROP = [f"DROP INDEX {name}" for name in INDEXES]


def on_postgresql(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("gezinnen", "0004_wijkperiode")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
