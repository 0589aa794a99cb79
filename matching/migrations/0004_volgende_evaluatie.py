from django.db import migrations, models

from matching.models import volgende_evaluatie


def plannen(apps, schema_editor):
    Koppeling = apps.get_model("matching", "Koppeling")
    Evaluatie = apps.get_model("matching", "Evaluatie")
    soorten = {}
    for koppeling_id, soort in Evaluatie.objects.values_list("koppeling_id", "soort"):
        soorten.setdefault(koppeling_id, []).append(soort)
    changed = []
    for koppeling in Koppeling.objects.filter(status="actief").only(
        "status", "start_op", "proefperiode_tot"
    ):
        due = volgende_evaluatie(
            actief=True,
            start_op=koppeling.start_op,
            proefperiode_tot=koppeling.proefperiode_tot,
            soorten=soorten.get(koppeling.pk, []),
        )
        if due:
            koppeling.volgende_evaluatie_soort, koppeling.volgende_evaluatie_op = due
            changed.append(koppeling)
    Koppeling.objects.bulk_update(
        changed, ["volgende_evaluatie_soort", "volgende_evaluatie_op"], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [("matching", "0003_uren_gemeente_doel_bereikt")]

    operations = [
        migrations.AddField(
            model_name="koppeling",
            name="volgende_evaluatie_op",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="koppeling",
            name="volgende_evaluatie_soort",
            field=models.CharField(blank=True, editable=False, max_length=20),
        ),
        migrations.RunPython(plannen, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="koppeling",
            index=models.Index(
                fields=["organisatie", "status", "volgende_contact_op"], name="koppeling_contact_op"
            ),
        ),
        migrations.AddIndex(
            model_name="koppeling",
            index=models.Index(
                fields=["organisatie", "status", "volgende_evaluatie_op"],
                name="koppeling_evaluatie_op",
            ),
        ),
    ]
