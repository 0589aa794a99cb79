from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import tweestaps_views, views

app_name = "accounts"

urlpatterns = [
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("wachtwoord-vergeten/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "wachtwoord-vergeten/verstuurd/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "wachtwoord-herstellen/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "wachtwoord-herstellen/klaar/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("wachtwoord-wijzigen/", views.PasswordChangeView.as_view(), name="password-change"),
    path(
        "wachtwoord-wijzigen/klaar/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password-change-done",
    ),
    path("tweestapsverificatie/", tweestaps_views.overzicht, name="tweestaps"),
    path("tweestapsverificatie/code/", tweestaps_views.code, name="tweestaps-code"),
    path("tweestapsverificatie/instellen/", tweestaps_views.instellen, name="tweestaps-instellen"),
    path(
        "tweestapsverificatie/herstelcodes/",
        tweestaps_views.herstelcodes,
        name="tweestaps-herstelcodes",
    ),
]
