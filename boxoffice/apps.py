from django.apps import AppConfig
from django.db.backends.signals import connection_created


class BoxOfficeConfig(AppConfig):
    """The project itself, as an app: only so that the process-wide hooks are connected
    once, here, rather than by one of the domain apps."""

    name = "boxoffice"
    verbose_name = "Box office"

    def ready(self):
        from . import signin  # noqa: F401  (connects the staff sign-in's session limits)
        from .priority import lower_database_priority

        connection_created.connect(lower_database_priority, dispatch_uid="boxoffice.lower_database_priority")
