from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import OrganisatieScopedAdmin
from gezinnen.models import Wijk

# Families are not in the back office: a beheerder without a role sees no
# family data. Wijken are organisation settings.


@admin.register(Wijk)
class WijkAdmin(OrganisatieScopedAdmin):
    list_display = ("naam", "gemeente", "postcodes", "buren")
    list_filter = ("gemeente",)
    search_fields = ("naam", "gemeente", "postcodes")
    filter_horizontal = ("aangrenzend",)
    fields = ("organisatie", "naam", "gemeente", "postcodes", "aangrenzend")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("aangrenzend")

    @admin.display(description="aangrenzende wijken")
    def buren(self, wijk: Wijk) -> str:
        return ", ".join(str(w) for w in wijk.aangrenzend.all())

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "aangrenzend" and not request.user.is_superuser:
            kwargs["queryset"] = Wijk.objects.filter(organisatie_id=request.user.organisatie_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
