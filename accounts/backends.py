from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class Backend(ModelBackend):
    """Django's ModelBackend, with the user's organisation in the query that
    loads the user of a request: nearly every page reads it, to scope its
    records (``visible_to``) and for the organisation's settings."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("organisatie").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
