from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from .roles import ensure_roles

        # Permissions exist only after migrate has run, so the roles are (re)granted then.
        post_migrate.connect(ensure_roles, sender=self)
        # The user model, and the proxy the staff accounts page saves users through
        # (StaffMember): a proxy's saves are sent with the proxy as their sender.
        from django.contrib.auth import get_user_model

        from .models import StaffMember

        for model in (get_user_model(), StaffMember):
            post_save.connect(revoke_token_on_new_password, sender=model,
                              dispatch_uid=f"revoke_token_on_new_password:{model._meta.label}")
        from .models import WaitingRoom

        post_save.connect(forget_no_room, sender=WaitingRoom, dispatch_uid="forget_no_room")
        # Registers the tasks by name in every process, the web's too: services ask for
        # them by name (sales.enqueue), never by importing them.
        from . import tasks  # noqa: F401


def revoke_token_on_new_password(sender, instance, **kwargs) -> None:
    """A new password, wherever it is set (the staff accounts page, the admin, a reset,
    `changepassword`), revokes the account's API token, as it ends its sessions: the
    password is often changed because the account was taken."""
    from rest_framework.authtoken.models import Token

    if getattr(instance, "_password", None) is None:  # set_password() was not called before this save
        return
    Token.objects.filter(user=instance).delete()


def forget_no_room(sender, instance, **kwargs) -> None:
    """A waiting room saved, by the admin or not: this process no longer remembers that
    its performance had none (sales.waiting_room._restored)."""
    from . import waiting_room

    waiting_room.room_saved(instance.performance_id)
