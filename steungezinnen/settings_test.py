"""Test settings: the real settings, made fast and self-contained."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-use-0123456789")

from steungezinnen.settings import *  # noqa: F403

# The test server speaks plain HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_ROOT = None  # static files come from the apps' folders (finders)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Never in the repository: tests/conftest.py gives each test its own
    # temporary folder; this one is for whatever runs outside a test.
    "documenten": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.path.join(tempfile.gettempdir(), "steungezinnen-documenten")},
    },
}
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Tasks run at once, in the test's own transaction (after its commit).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
