from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts en organisaties"

    def ready(self) -> None:
        from django.contrib.auth import user_logged_in

        from accounts import audit, middleware

        audit.connect_auth_signals()
        user_logged_in.connect(middleware.on_login, dispatch_uid="session_limits_login")
