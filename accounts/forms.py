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
    shows the same "sent" page and the mail is tried again later."""

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
