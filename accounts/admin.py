from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from accounts.forms import UserChangeForm, UserCreationForm
from accounts.models import AuditEntry, Organisatie, User

admin.site.site_header = "Steungezinnen – beheer"
admin.site.site_title = "Steungezinnen beheer"
admin.site.index_title = "Beheer van uw organisatie"
admin.site.site_url = "/"


class OrganisatieScopedAdmin(admin.ModelAdmin):
    """Back office scope: a beheerder works on the own organisation's records
    only; a superuser on everything.

    Beheerders have no Django permissions; the right to the back office is the
    ``is_beheerder`` flag (``User.is_staff``).
    """

    organisatie_field = "organisatie"
    superuser_only_fields: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{self.organisatie_field: request.user.organisatie_id})

    def get_exclude(self, request: HttpRequest, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser:
            excluded += self.superuser_only_fields
        return excluded

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        # What a beheerder adds belongs to their own organisation. The field
        # stays in the form (shown, not editable) so that constraints that
        # involve it, such as unique names per organisation, are validated.
        if db_field.name == "organisatie" and not request.user.is_superuser:
            kwargs["queryset"] = Organisatie.objects.filter(pk=request.user.organisatie_id)
            kwargs["initial"] = request.user.organisatie_id
            kwargs["disabled"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)


@admin.register(Organisatie)
class OrganisatieAdmin(OrganisatieScopedAdmin):
    organisatie_field = "pk"
    superuser_only_fields = ("slug",)
    list_display = ("naam", "slug")
    prepopulated_fields = {"slug": ("naam",)}

    def get_prepopulated_fields(self, request: HttpRequest, obj=None):
        return self.prepopulated_fields if request.user.is_superuser else {}

    # Organisations come and go with the installation, not with a beheerder.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(OrganisatieScopedAdmin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    superuser_only_fields = ("is_superuser", "groups", "user_permissions")
    list_display = ("email", "first_name", "last_name", "rol", "is_beheerder", "is_active")
    list_filter = ("rol", "is_beheerder", "is_active", "organisatie")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("first_name", "last_name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Persoon", {"fields": ("first_name", "last_name")}),
        ("Rol en rechten", {"fields": ("organisatie", "rol", "is_beheerder", "is_active")}),
        ("Alleen voor superusers", {"fields": ("is_superuser", "groups", "user_permissions")}),
        ("Geschiedenis", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "organisatie",
                    "rol",
                    "is_beheerder",
                    "usable_password",
                    "password1",
                    "password2",
                )
            },
        ),
    )

    def get_fieldsets(self, request: HttpRequest, obj=None):
        hidden = () if request.user.is_superuser else self.superuser_only_fields
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = tuple(f for f in options["fields"] if f not in hidden)
            if fields:
                fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    def get_list_filter(self, request: HttpRequest):
        filters = super().get_list_filter(request)
        return (
            filters
            if request.user.is_superuser
            else tuple(f for f in filters if f != "organisatie")
        )

    # Accounts are deactivated, not deleted: their audit trail must stay.
    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(AuditEntry)
class AuditEntryAdmin(OrganisatieScopedAdmin):
    list_display = (
        "timestamp",
        "user",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "ip_address",
    )
    list_filter = ("action", "object_type", ("timestamp", admin.DateFieldListFilter))
    search_fields = ("user__email", "user__last_name", "object_type", "object_id", "object_repr")
    date_hierarchy = "timestamp"
    list_select_related = ("user",)

    # Read-only for everyone, superusers included: the log is append-only.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
