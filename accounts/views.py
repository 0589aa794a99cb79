from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from accounts.forms import BackgroundPasswordResetForm, LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = BackgroundPasswordResetForm
    success_url = reverse_lazy("accounts:password-reset-done")
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password-change-done")
