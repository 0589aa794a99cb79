from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from accounts import audit
from accounts.forms import BackgroundPasswordResetForm, LoginForm
from accounts.models import User
from accounts.ratelimit import within_limit

# Reset mails an hour: per address, so nobody's mailbox is flooded, and per
# client address, so nobody mails the whole staff.
RESET_LIMIT_PER_ADDRESS = 3
RESET_LIMIT_PER_IP = 10


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = BackgroundPasswordResetForm
    success_url = reverse_lazy("accounts:password-reset-done")
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"

    def form_valid(self, form: BackgroundPasswordResetForm) -> HttpResponseRedirect:
        address = User.objects.normalize_email(form.cleaned_data["email"])
        # Both are counted on every request, known address or not.
        for_address = within_limit(
            self.request,
            "wachtwoord-vergeten-adres",
            limit=RESET_LIMIT_PER_ADDRESS,
            seconds=3600,
            by=address,
        )
        for_ip = within_limit(
            self.request, "wachtwoord-vergeten-ip", limit=RESET_LIMIT_PER_IP, seconds=3600
        )
        if for_address and for_ip:
            # get_users stands in an unsaved user for an unknown address.
            for user in form.get_users(address):
                audit.wachtwoord(
                    door=None,
                    gebruiker=user if user.pk else None,
                    gebeurtenis="herstel aangevraagd",
                )
            return super().form_valid(form)
        # Over a limit: the same "sent" page, without a mail.
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form) -> HttpResponseRedirect:
        response = super().form_valid(form)
        audit.wachtwoord(door=form.user, gebruiker=form.user, gebeurtenis="hersteld")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password-change-done")

    def form_valid(self, form) -> HttpResponseRedirect:
        response = super().form_valid(form)
        audit.wachtwoord(door=form.user, gebruiker=form.user, gebeurtenis="gewijzigd")
        return response
