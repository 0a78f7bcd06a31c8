from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from .roles import ensure_roles

        # Permissions exist only after migrate has run, so the roles are (re)granted then.
        post_migrate.connect(ensure_roles, sender=self)
        # Registers the tasks by name in every process, the web's too: services ask for
        # them by name (sales.enqueue), never by importing them.
        from . import tasks  # noqa: F401

