from django.contrib import admin

from accounts.admin import OrganisatieScopedAdmin
from screening.models import Criterium


@admin.register(Criterium)
class CriteriumAdmin(OrganisatieScopedAdmin):
    list_display = ("tekst", "volgorde", "actief")
    list_editable = ("volgorde", "actief")
    fields = ("organisatie", "tekst", "volgorde", "actief")
