# As events.admin.VENUE_TIME in French (events.models.when: the whole month, Django's short
# forms being wrong): "dim 6 décembre 2026 10:14".
DATETIME_FORMAT = "D j F Y H:i"
