"""The audit log is append-only in the database too, on PostgreSQL: no raw
SQL, shell session or bug can rewrite or remove what was logged.

TRUNCATE is left alone: `manage.py flush`, with which the test suite empties
the database after each test that commits, truncates every table, the log
included. Elsewhere than PostgreSQL the model and its queryset refuse on their
own (AuditEntry.save, .delete, AuditEntryQuerySet)."""

from django.db import migrations

CREATE = [
    """
    CREATE FUNCTION accounts_auditentry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'Het auditlog kan niet worden gewijzigd of verwijderd';
    END
    $$
    """,
    """
    CREATE TRIGGER accounts_auditentry_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_append_only()
    """,
]
DROP = [
    "DROP TRIGGER accounts_auditentry_append_only ON accounts_auditentry",
    "DROP FUNCTION accounts_auditentry_append_only()",
]


def on_postgresql(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_vog_vooruit_dagen")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
