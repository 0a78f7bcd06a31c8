import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boxoffice.settings")
django_application = get_wsgi_application()

# The waiting room's page is served in front of Django (Redis only, no middleware stack):
# it is what a flash crowd polls. Everything else is Django's.
from sales.channels.shop.queue import fast_path  # noqa: E402 - needs the settings loaded above

application = fast_path(django_application)
