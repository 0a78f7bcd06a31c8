from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales"

    def ready(self):
        from .roles import ensure_roles

        # Permissions exist only after migrate has run, so the roles are (re)granted then.
        post_migrate.connect(ensure_roles, sender=self)

        from django.db.backends.signals import connection_created

        from boxoffice.pools import lower_database_priority

        connection_created.connect(lower_database_priority, dispatch_uid="pools.lower_database_priority")
