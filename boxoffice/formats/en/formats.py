# The clock, 24-hour: "20:00" (events.models.when writes every "H:i" as the language's own).
TIME_FORMAT = "H:i"
# A whole hour: as any other, "20:00" (French leaves its minutes out: "20 h").
WHOLE_HOUR_FORMAT = TIME_FORMAT
# As events.admin.VENUE_TIME: "Sun 6 Dec 2026 10:14", on a 24-hour clock.
DATETIME_FORMAT = f"D j M Y {TIME_FORMAT}"
# A day and its time inside a sentence ("this ticket is for Cyrano on …", through
# events.models.when): the day's whole name, "at" before the hour: "Sunday 6 December 2026
# at 20:00".
SENTENCE_DATETIME_FORMAT = f"l j F Y \\a\\t {TIME_FORMAT}"
