# The clock, 24-hour: "20:00" (events.models.when writes every "H:i" as the language's own).
TIME_FORMAT = "H:i"
# As events.admin.VENUE_TIME: "Sun 6 Dec 2026 10:14", on a 24-hour clock.
DATETIME_FORMAT = f"D j M Y {TIME_FORMAT}"
