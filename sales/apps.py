from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save, pre_save
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
            pre_save.connect(note_new_password, sender=model,
                             dispatch_uid=f"note_new_password:{model._meta.label}")
            post_save.connect(revoke_token_on_new_password, sender=model,
                              dispatch_uid=f"revoke_token_on_new_password:{model._meta.label}")
        from .models import WaitingRoom

        post_save.connect(forget_no_room, sender=WaitingRoom, dispatch_uid="forget_no_room")
        # Registers the tasks by name in every process, the web's too: services ask for
        # them by name (sales.enqueue), never by importing them.
        from . import tasks  # noqa: F401


PASSWORD_CHANGED = "_password_changed_by_this_save"


def note_new_password(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Whether this save writes another password than the one stored: set_password(), and
    also set_unusable_password() (the admin's "password-based authentication: disabled"),
    which sets no raw password to tell it by. Saves that do not write the password (a
    sign-in's last_login) read nothing."""
    changed = False
    if not raw and instance.pk is not None and (update_fields is None or "password" in update_fields):
        stored = type(instance)._base_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
        changed = stored is not None and stored != instance.password
    setattr(instance, PASSWORD_CHANGED, changed)


def revoke_token_on_new_password(sender, instance, created=False, **kwargs) -> None:
    """A new password, or none usable, wherever it is set (the staff accounts page, the
    admin's user and staff account pages, `changepassword`), revokes the account's API
    token, as it ends its sessions (their auth hash is the password's): the password is
    often changed because the account was taken. The staff member is given a new token
    as the first one was."""
    from rest_framework.authtoken.models import Token

    changed = instance.__dict__.pop(PASSWORD_CHANGED, False)
    if created or not (changed or getattr(instance, "_password", None) is not None):
        return
    Token.objects.filter(user=instance).delete()


def forget_no_room(sender, instance, **kwargs) -> None:
    """A waiting room saved, by the admin or not: this process no longer remembers that
    its performance had none (sales.waiting_room._restored)."""
    from . import waiting_room

    waiting_room.room_saved(instance.performance_id)
