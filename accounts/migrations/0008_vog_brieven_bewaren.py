from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_vrijwillige_coordinator'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisatie',
            name='vog_brieven_bewaren',
            field=models.BooleanField(default=False, help_text='Coördinatoren kunnen dan ook de brief van een VOG als document bij een gezinslid bewaren. Nodig is dat niet: de status en de datums van de VOG volstaan.', verbose_name='VOG-brieven bewaren'),
        ),
    ]
