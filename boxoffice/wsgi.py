import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boxoffice.settings")
django_application = get_wsgi_application()


def _require_secret_key() -> None:
    """A web server without a secret key refuses to start, saying which variable to set."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.SECRET_KEY  # noqa: B018 - Django refuses an empty key when it is read
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off") from exc


_require_secret_key()

# The URLs, and with them every view, are loaded here rather than at the first request: a
# server takes connections once this module is loaded (granian's workers each open their
# own socket then, and the kernel hands a fresh one its share of the new connections at
# once), so a worker started or replaced during a sale would otherwise keep its first
# callers, and the health checks, waiting on the imports: one to two seconds on a busy host.
from django.urls import resolve  # noqa: E402

resolve("/healthz")

# The waiting room's page is served in front of Django (Redis only, no middleware stack):
# it is what a flash crowd polls. Everything else is Django's.
from boxoffice.safety import whole_bodies  # noqa: E402
from sales.channels.shop.queue import fast_path  # noqa: E402 - needs the settings loaded above

application = whole_bodies(fast_path(django_application))
