from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.html import escape, format_html, format_html_join
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import audit, mail, tweestaps
from accounts.forms import UserChangeForm, UserCreationForm
from accounts.models import AuditEntry, MailTekst, Organisatie, User
from gezinnen.models import today
from screening.stand import organisatie_bijwerken

# django-otp's own pages for devices would change and delete them unlogged;
# the back office resets someone's two-factor setup through the user list.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)

admin.site.site_header = "Steungezinnen – beheer"
admin.site.site_title = "Steungezinnen beheer"
admin.site.index_title = "Beheer van uw organisatie"
admin.site.site_url = "/"


def record_label(object_type: str, object_id: object) -> str:
    """Which record, not whose: "vraaggezin nr. 12". The back office is not
    where families are read, so it names records by type and number only."""
    if not object_type:
        return ""
    try:
        soort = apps.get_model(object_type)._meta.verbose_name
    except (LookupError, ValueError):
        soort = object_type
    return f"{soort} nr. {object_id}"


def _rights(user: User) -> dict[str, str]:
    """Someone's rights as the audit log shows them, by field name."""
    yes_no = {True: "ja", False: "nee"}
    return {
        "rol": user.get_rol_display() or "geen",
        "is_beheerder": yes_no[user.is_beheerder],
        "is_active": yes_no[user.is_active],
        "organisatie": str(user.organisatie or "geen"),
        "is_superuser": yes_no[user.is_superuser],
    }


def _field_name(name: str) -> str:
    return str(User._meta.get_field(name).verbose_name)


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

    def get_changelist_form(self, request: HttpRequest, **kwargs):
        # The editable cells of a list (list_editable) have no label of their
        # own: each is named by its column and its row, "Volgorde: Verhuisd".
        form_class = super().get_changelist_form(request, **kwargs)

        class LabelledRow(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    field.widget.attrs["aria-label"] = f"{field.label}: {self.instance}"

        return LabelledRow

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

    # The settings the screening rules read: a change redoes the stored
    # verdicts of every steungezin of the organisation, in the same transaction.
    SCREENINGSREGELS = {"vog_geldig_jaren", "vog_vooruit_dagen"}

    def save_model(self, request: HttpRequest, obj: Organisatie, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and self.SCREENINGSREGELS & set(form.changed_data):
            organisatie_bijwerken(obj.pk, today())

    # Organisations come and go with the installation, not with a beheerder.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(MailTekst)
class MailTekstAdmin(OrganisatieScopedAdmin):
    """The organisation's own texts of the mails to families and referrers,
    with the variables they may use and a preview of the mail as it goes."""

    list_display = ("soort", "onderwerp")
    fields = ("organisatie", "soort", "onderwerp", "tekst", "variabelen", "voorbeeld")
    readonly_fields = ("variabelen", "voorbeeld")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        # A new text starts from the standard one (?soort= picks the mail).
        initial = super().get_changeform_initial_data(request)
        soort = initial.get("soort")
        if soort not in MailTekst.Soort.values:
            soort = MailTekst.Soort.BEVESTIGING_STEUNGEZIN
        onderwerp, tekst = mail.STANDAARD[soort]
        return {"soort": soort, "onderwerp": onderwerp, "tekst": tekst, **initial}

    @admin.display(description="variabelen")
    def variabelen(self, obj: MailTekst | None) -> str:
        if obj is not None and obj.soort:
            return self._lijst(MailTekst.variabelen(obj.soort).items())
        # A new text: per kind of mail, since a kind has variables of its own.
        return format_html_join(
            "",
            "<p>{}:</p>{}",
            (
                (label, self._lijst(MailTekst.variabelen(soort).items()))
                for soort, label in MailTekst.Soort.choices
            ),
        )

    @staticmethod
    def _lijst(items) -> str:
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li><code>{{{}}}</code>: {}</li>", items)
        )

    @admin.display(description="voorbeeld")
    def voorbeeld(self, obj: MailTekst | None) -> str:
        if obj is None or obj.pk is None:
            return "Na het opslaan staat hier de mail zoals die verstuurd wordt."
        bericht = mail.voorbeeld(obj.organisatie, obj.soort, (obj.onderwerp, obj.tekst))
        # escape, not format_html's conditional escape: the plain text comes
        # from a template without autoescaping and is marked safe, so the
        # beheerder's text would otherwise be HTML inside the back office.
        return format_html(
            '<p><strong>Onderwerp:</strong> {}</p><pre class="app-mailvoorbeeld">{}</pre>',
            escape(bericht.onderwerp),
            escape(bericht.tekst),
        )


@admin.register(User)
class UserAdmin(OrganisatieScopedAdmin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    superuser_only_fields = ("is_superuser", "groups", "user_permissions")
    list_display = ("email", "first_name", "last_name", "rol", "is_beheerder", "is_active")
    list_filter = ("rol", "is_beheerder", "is_active", "organisatie")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("first_name", "last_name")
    readonly_fields = ("last_login", "date_joined", "tweestapsverificatie")
    actions = ["tweestaps_terugzetten"]
    fieldsets = (
        (None, {"fields": ("email", "password", "tweestapsverificatie")}),
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

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            # The add form has no superuser box, so a new user is never a
            # superuser and needs an organisation. The form cannot validate
            # the constraint that says so without that box.
            form.base_fields["organisatie"].required = True
        return form

    def get_list_filter(self, request: HttpRequest):
        filters = super().get_list_filter(request)
        return (
            filters
            if request.user.is_superuser
            else tuple(f for f in filters if f != "organisatie")
        )

    def get_queryset(self, request: HttpRequest):
        # A beheerder who could edit a superuser could take over the whole
        # installation: superusers are out of their sight, like other
        # organisations' users.
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)

    @admin.display(description="tweestapsverificatie")
    def tweestapsverificatie(self, user: User) -> str:
        if tweestaps.app_van(user) is not None:
            return f"ingesteld, nog {tweestaps.herstelcodes_over(user)} herstelcodes"
        if tweestaps.tweestaps_verplicht(user):
            return "verplicht, nog niet ingesteld: gebeurt bij de volgende keer inloggen"
        return "niet ingesteld"

    @admin.action(
        description="Tweestapsverificatie terugzetten (telefoon kwijt)", permissions=["change"]
    )
    def tweestaps_terugzetten(self, request: HttpRequest, queryset) -> None:
        """For someone who lost both phone and recovery codes: the next login
        sets the app up anew. The queryset is the beheerder's reach already."""
        reset, skipped = [], []
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(
                    request,
                    "Uw eigen tweestapsverificatie regelt u op de pagina Tweestapsverificatie.",
                    messages.WARNING,
                )
            elif tweestaps.tweestaps_terugzetten(door=request.user, gebruiker=user):
                reset.append(str(user))
            else:
                skipped.append(str(user))
        if reset:
            self.message_user(
                request,
                "Teruggezet voor " + ", ".join(reset) + ". Bij de volgende keer inloggen "
                "stellen zij de app opnieuw in, als het voor hen verplicht is.",
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request, "Niet ingesteld, niets teruggezet: " + ", ".join(skipped) + "."
            )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # Nobody changes their own rights: a beheerder neither locks themselves
        # out nor gives themselves a role, and with it the families' files.
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            readonly += ("organisatie", "rol", "is_beheerder", "is_active")
            readonly += self.superuser_only_fields
        return readonly

    def _in_reach(self, request: HttpRequest, obj: User | None) -> bool:
        # The queryset is the rule; views that fetch through it 404 already.
        return obj is None or request.user.is_superuser or self.get_queryset(request).contains(obj)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._in_reach(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._in_reach(request, obj)

    # Accounts are deactivated, not deleted: their audit trail must stay.
    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        """Save, and log who gave whom which rights: old → new for the rights,
        the names of the other fields that changed."""
        # Locked, so that the change logged is the one this save makes, also
        # when two beheerders save the same user at once.
        before = _rights(User.objects.select_for_update().get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        after = _rights(obj)
        if before is None:
            rights = "; ".join(f"{_field_name(name)} {value}" for name, value in after.items())
            audit.account_aangemaakt(door=request.user, gebruiker=obj, rechten=rights)
            return
        changes = [
            f"{_field_name(name)} {before[name]} → {after[name]}"
            for name in after
            if before[name] != after[name]
        ]
        others = [_field_name(name) for name in form.changed_data if name not in after]
        if changes:
            if others:
                changes.append("ook gewijzigd: " + ", ".join(others))
            audit.rechten_gewijzigd(
                door=request.user, gebruiker=obj, wijzigingen="; ".join(changes)
            )
        else:
            audit.gewijzigd(
                door=request.user,
                obj=obj,
                wat=f"{audit.label(obj)}: "
                + ("gewijzigd: " + ", ".join(others) if others else "niets gewijzigd"),
            )

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = ""):
        # Django's view saves the password without telling anyone; the stored
        # hash, before and after, tells whether it did.
        with transaction.atomic():
            target = self.get_object(request, unquote(id))
            response = super().user_change_password(request, id, form_url)
            if target is not None and request.method == "POST":
                before = target.password
                target.refresh_from_db(fields=["password"])
                if target.password != before:
                    audit.wachtwoord(
                        door=request.user,
                        gebruiker=target,
                        gebeurtenis="ingesteld door beheerder"
                        if target.has_usable_password()
                        else "uitgezet door beheerder",
                    )
        return response


class SoortGegevenFilter(admin.SimpleListFilter):
    """The kinds of record the log can name, from the models rather than from
    the log: listing the kinds present would read the whole table."""

    title = "soort gegeven"
    parameter_name = "object_type"
    apps_logged = ("accounts", "gezinnen", "screening", "matching")
    not_logged = ("accounts.auditentry", "accounts.auditgezin")

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        models = [
            model
            for app in self.apps_logged
            for model in apps.get_app_config(app).get_models()
            if model._meta.label_lower not in self.not_logged
        ]
        return sorted(
            ((m._meta.label_lower, str(m._meta.verbose_name)) for m in models),
            key=lambda lookup: lookup[1],
        )

    def queryset(self, request: HttpRequest, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


class TotHoogstensPaginator(Paginator):
    """Counts the log up to LIMIT entries: a COUNT(*) of a log that only grows
    reads all of it, on every page. Beyond the limit the page says "meer
    dan" and offers the first LIMIT entries; the filters reach older ones."""

    LIMIT = 10_000

    @cached_property
    def counted(self) -> int:
        return self.object_list.order_by()[: self.LIMIT + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.LIMIT)

    @property
    def meer_dan_limit(self) -> bool:
        return self.counted > self.LIMIT


@admin.register(AuditEntry)
class AuditEntryAdmin(OrganisatieScopedAdmin):
    """The log as the back office shows it: which record, never whose. The
    stored description (``object_repr``) of a family record is the family's
    name, and so is much of the detail of one ("VOG Anna Jansen"); the back
    office is not where families are read, whoever logs in to it."""

    list_display = ("timestamp", "user", "action", "gegeven", "toelichting", "ip_address")
    fields = ("timestamp", "user", "organisatie", "action", "gegeven", "toelichting", "ip_address")
    readonly_fields = ("gegeven", "toelichting")
    # No filter or date hierarchy that reads its choices from the log: each
    # would scan the whole table on every page.
    list_filter = ("action", SoortGegevenFilter, ("timestamp", admin.DateFieldListFilter))
    # By who, type and number: names of families are not searchable here.
    search_fields = ("user__email", "user__last_name", "object_type", "=object_id")
    list_select_related = ("user",)
    # A filtered page counts its own rows only, not the whole log as well.
    show_full_result_count = False
    paginator = TotHoogstensPaginator

    @admin.display(description="gegeven", ordering="object_type")
    def gegeven(self, entry: AuditEntry) -> str:
        return record_label(entry.object_type, entry.object_id)

    @admin.display(description="toelichting")
    def toelichting(self, entry: AuditEntry) -> str:
        # Back-office records (users) and entries without a record (logins,
        # exports of lists) carry no family data in their detail.
        if entry.object_type.partition(".")[0] in ("", "accounts"):
            return entry.detail
        return "alleen in de app"

    # Read-only for everyone, superusers included: the log is append-only.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
