"""Admin sign-in throttling: django-axes' lockout check, first in AUTHENTICATION_BACKENDS."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuse a locked-out account or client; a login without a request has no client to throttle."""

    def authenticate(self, request, *args, **kwargs):
        # Sign-ins over HTTP always carry the request; only code (a shell, the test client's
        # login()) authenticates without one, and axes would raise instead of passing it on.
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
