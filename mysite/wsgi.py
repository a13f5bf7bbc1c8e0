"""WSGI entry point for gunicorn (see gunicorn.conf.py and the Procfile)."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402  (settings are only ready after the line above)

# Refuse to serve without a real key: every cookie this site signs (voter, CSRF, messages) would
# otherwise be forgeable or differ between dynos. Django itself only complains at the first request.
# A short key or the development one is refused the same way (Django's own security.W009 rule).
_key = os.environ.get("DJANGO_SECRET_KEY", "")
_how = (
    "Set it to a long random value, e.g. `heroku config:set "
    "DJANGO_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')`."
)
if not settings.DEBUG and not _key:
    raise ImproperlyConfigured(f"DJANGO_SECRET_KEY is not set. {_how}")
if not settings.DEBUG and (len(_key) < 50 or _key.startswith("django-insecure")):
    raise ImproperlyConfigured(f"DJANGO_SECRET_KEY is too short or a development key. {_how}")
