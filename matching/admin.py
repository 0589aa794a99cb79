from django.contrib import admin

from accounts.admin import OrganisatieScopedAdmin
from matching.models import EindReden

# Koppelingen and what is recorded under them (contactmomenten, signals,
# notes) are family data, not in the back office: a beheerder without a role
# sees none. Reasons to end a koppeling are organisation settings.


@admin.register(EindReden)
class EindRedenAdmin(OrganisatieScopedAdmin):
    list_display = ("tekst", "code", "volgorde", "actief")
    list_editable = ("volgorde", "actief")
    fields = ("organisatie", "tekst", "code", "volgorde", "actief")
    prepopulated_fields = {"code": ("tekst",)}

    # Ended koppelingen refer to a reason by its code: retire it, don't delete it.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False
