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


class AppCodeForm(forms.Form):
    """A code from the authenticator app: six digits, spaces allowed. Only
    the form is checked here; whether the code is right is the service's
    (``accounts.tweestaps``)."""

    code = forms.CharField(
        label="Code uit de app",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError("Vul de 6 cijfers in die de app nu toont.")
        return code


class HerstelcodeForm(forms.Form):
    """One of the recovery codes: 8 letters and digits, as printed (case,
    spaces and dashes do not matter)."""

    herstelcode = forms.CharField(
        label="Herstelcode",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "size": 12,
            }
        ),
    )

    def clean_herstelcode(self) -> str:
        code = "".join(self.cleaned_data["herstelcode"].replace("-", " ").split()).lower()
        if not (len(code) == 8 and code.isascii() and code.isalnum()):
            raise forms.ValidationError(
                "Een herstelcode bestaat uit 8 letters en cijfers, zoals op uw lijst."
            )
        return code
