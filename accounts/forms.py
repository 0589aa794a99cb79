from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, AuthenticationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm

from accounts.models import User


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


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": forms.EmailField}
