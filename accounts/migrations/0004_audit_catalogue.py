"""The audit catalogue: more kinds of event, the families an entry concerns
(append-only like the entries, on PostgreSQL by a trigger), and the stored
data brought in line with it: entries name records by type and number, and
stored e-mail addresses are in the one form the login looks them up by."""

import unicodedata

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Concat


APPEND_ONLY = [
    """
    CREATE TRIGGER accounts_auditgezin_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditgezin
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_append_only()
    """,
]
APPEND_ONLY_UNDO = ["DROP TRIGGER accounts_auditgezin_append_only ON accounts_auditgezin"]


def on_postgresql(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


def normalise(email: str) -> str:
    # As accounts.models.UserManager.normalize_email, frozen here.
    folded = unicodedata.normalize("NFKC", email or "").casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def normalise_emails(apps, schema_editor) -> None:
    """Addresses stored before the login normalised them: stored as it now
    looks them up, unless that form already belongs to another account (the
    two must then be merged by hand; both stay reachable by their own form)."""
    User = apps.get_model("accounts", "User")
    taken = set(User.objects.values_list("email", flat=True))
    for user in User.objects.only("pk", "email"):
        wanted = normalise(user.email)
        if wanted != user.email and wanted not in taken:
            User.objects.filter(pk=user.pk).update(email=wanted)
            taken.add(wanted)


def names_out_of_the_log(apps, schema_editor) -> None:
    """Entries written before the catalogue described a record by its name
    ("Gezin Jansen"): they now say "vraaggezin nr. 12", like new entries. The
    one change ever made to the log, by this migration, with the trigger off."""
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    if not AuditEntry.objects.exists():
        return
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        # PostgreSQL switches a trigger off only with no checks pending on the
        # table: the deferred foreign-key checks are run first.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(
            "ALTER TABLE accounts_auditentry DISABLE TRIGGER accounts_auditentry_append_only"
        )
    for object_type in AuditEntry.objects.exclude(object_type="").values_list(
        "object_type", flat=True
    ).distinct():
        try:
            soort = apps.get_model(object_type)._meta.verbose_name
        except (LookupError, ValueError):
            continue
        # QuerySet.update of the model is refused; the historical model's
        # manager is a plain one.
        AuditEntry.objects.filter(object_type=object_type).update(
            object_repr=Concat(Value(f"{soort} nr. "), F("object_id"))
        )
    # Details that named a member: "VOG Anna Jansen: ...", "training ...: names".
    for entry in AuditEntry.objects.filter(object_type="gezinnen.steungezin"):
        if entry.detail.startswith("VOG ") and ":" in entry.detail:
            detail = "VOG: " + entry.detail.split(":", 1)[1].strip()
        elif entry.detail.startswith("training "):
            detail = "training: deelname vastgelegd"
        else:
            continue
        AuditEntry.objects.filter(pk=entry.pk).update(detail=detail)
    if postgresql:
        schema_editor.execute(
            "ALTER TABLE accounts_auditentry ENABLE TRIGGER accounts_auditentry_append_only"
        )
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_auditlog_append_only'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('view', 'bekeken'), ('create', 'aangemaakt'), ('change', 'gewijzigd'), ('delete', 'verwijderd'), ('export', 'geëxporteerd'), ('login', 'ingelogd'), ('login_failed', 'inloggen mislukt'), ('erase', 'geanonimiseerd'), ('rights', 'rechten gewijzigd'), ('password', 'wachtwoord'), ('two_factor', 'tweestapsverificatie')], max_length=20, verbose_name='actie'),
        ),
        migrations.CreateModel(
            name='AuditGezin',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('gezin_id', models.PositiveIntegerField(db_index=True, verbose_name='gezin nr.')),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='gezinnen', to='accounts.auditentry', verbose_name='auditregel')),
            ],
            options={
                'verbose_name': 'gezin in het auditlog',
                'verbose_name_plural': 'gezinnen in het auditlog',
                'constraints': [models.UniqueConstraint(fields=('entry', 'gezin_id'), name='audit_gezin_eenmaal')],
            },
        ),
        migrations.RunPython(on_postgresql(APPEND_ONLY), on_postgresql(APPEND_ONLY_UNDO)),
        migrations.RunPython(normalise_emails, migrations.RunPython.noop),
        migrations.RunPython(names_out_of_the_log, migrations.RunPython.noop),
    ]
