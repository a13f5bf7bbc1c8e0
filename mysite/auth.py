"""Admin sign-in throttling: django-axes' lockout check, first in AUTHENTICATION_BACKENDS."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.models import User


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuse a locked-out account or client; a login without a request has no client to throttle."""

    def authenticate(self, request, *args, **kwargs):
        # Sign-ins over HTTP always carry the request; only code (a shell, the test client's
        # login()) authenticates without one, and axes would raise instead of passing it on.
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def attempted_username(request, credentials=None):
    """
    The username of a sign-in attempt, as axes records it, cut to the longest a User can have.

    Axes keeps it in a 255-character column: a longer one, which anybody can type, would make
    recording the failure itself fail with a 500.
    """
    data = credentials or getattr(request, "POST", {})
    username = data.get(settings.AXES_USERNAME_FORM_FIELD)
    return username[: User._meta.get_field(User.USERNAME_FIELD).max_length] if username else username
