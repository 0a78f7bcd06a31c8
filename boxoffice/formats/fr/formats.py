# French typography's clock (the Office québécois de la langue française's, the Imprimerie
# nationale's): "20 h 30", "9 h 05", the hour without a leading zero, "h" between no-break
# spaces, the minutes (two digits). events.models.when writes every "H:i" of the product's
# own formats with it.
TIME_FORMAT = "G\u00a0\\h\u00a0i"
# A whole hour without its minutes: "20 h", never "20 h 00" (events.models.when; a read-only
# moment in the admin too, through the boxoffice tags' readonly_contents, as Django's own
# output cannot leave them out).
WHOLE_HOUR_FORMAT = "G\u00a0\\h"
# As events.admin.VENUE_TIME in French (events.models.when: the whole month, Django's short
# forms being wrong): "dim 6 décembre 2026 10 h 14".
DATETIME_FORMAT = f"D j F Y {TIME_FORMAT}"
# A day and its time inside a sentence, after « le » (« ce billet est pour Cyrano le … »):
# the day's whole name, « à » before the hour: "dimanche 6 décembre 2026 à 20 h 30".
SENTENCE_DATETIME_FORMAT = f"l j F Y \\à {TIME_FORMAT}"
