from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, AuthenticationForm, PasswordResetForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.template import loader

from accounts.models import User
from accounts.tasks import mail_na_commit


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": (
            "Deze combinatie van e-mailadres en wachtwoord kennen we niet. "
            "Let op: het wachtwoord is hoofdlettergevoelig."
        ),
        "inactive": "Dit account is niet actief. Neem contact op met de beheerder.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "E-mailadres"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})


class BackgroundPasswordResetForm(PasswordResetForm):
    """The reset mail leaves as a background task: a mail server that is down
    shows the same "sent" page and the mail is tried again later.

    An address without an account goes through the same steps as one with an
    account (one lookup, a token, the mail's templates rendered) for an
    unsaved stand-in, and only the mail itself is left out: neither the answer
    nor the time it takes tells who has an account here."""

    def get_users(self, email: str) -> list[User]:
        # The same normalised address and exact match as the login, so a
        # look-alike address is no account (see UserManager.normalize_email).
        address = User.objects.normalize_email(email)
        users = [
            user
            for user in User.objects.filter(email=address, is_active=True)
            if user.has_usable_password()
        ]
        return users or [User(email=address)]

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else ""
        )
        if context["user"].pk is not None:  # not the stand-in for an unknown address
            mail_na_commit(subject, body, [to_email], html)


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": forms.EmailField}
