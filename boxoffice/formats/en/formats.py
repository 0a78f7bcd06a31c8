# As events.admin.VENUE_TIME: "Sun 6 Dec 2026 10:14", on a 24-hour clock.
DATETIME_FORMAT = "D j M Y H:i"
