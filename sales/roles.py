"""Staff roles are groups: organizer (the admin), counter clerk, phone operator, door staff."""

from django.contrib.auth.models import Group, Permission

from .policy import COUNTER_CLERK, DOOR_STAFF, ORGANIZER, PHONE_OPERATOR

# The organizer sets everything up in the admin and reads what sold.
# An on-sale's waiting room and ballot are part of that set-up, and so is pricing: price
# types and their prices, who sells with the taxes and fees, promo codes, presales.
ORGANIZER_PERMISSIONS = {
    "events": {"venue", "section", "seat", "event", "performance", "onsalewindow", "pricezone",
               "pricetype", "price"},
    "sales": {"waitingroom", "ballot", "draw", "organizer", "taxrate", "feerule", "promocode", "presale", "presalecode",
              "staffmember"},
}
ORGANIZER_VIEW_ONLY = {"sales": {"hold", "place", "order", "ticket", "payment", "shift", "performancedashboard",
                                 "customer", "placeevent", "orderevent", "ballotentry"}}
# Block/allocate seats and refund orders go through admin actions needing these.
ORGANIZER_EXTRA = [("sales", "change_place"), ("sales", "change_order")]


def ensure_roles(**kwargs) -> None:
    organizer, _ = Group.objects.get_or_create(name=ORGANIZER)
    Group.objects.get_or_create(name=COUNTER_CLERK)
    Group.objects.get_or_create(name=PHONE_OPERATOR)
    Group.objects.get_or_create(name=DOOR_STAFF)
    perms = []
    for app, models in ORGANIZER_PERMISSIONS.items():
        perms += Permission.objects.filter(content_type__app_label=app,
                                           content_type__model__in=models)
    for app, models in ORGANIZER_VIEW_ONLY.items():
        perms += Permission.objects.filter(content_type__app_label=app,
                                           content_type__model__in=models,
                                           codename__startswith="view_")
    for app, codename in ORGANIZER_EXTRA:
        perms += Permission.objects.filter(content_type__app_label=app, codename=codename)
    organizer.permissions.add(*perms)
