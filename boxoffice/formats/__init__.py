"""The box office's own ways of writing a moment where Django writes one by itself (a
date and time field shown read-only in the admin, `localize`): as the box office's pages
write it (events.admin.VENUE_TIME, through events.models.when), "Sun 6 Dec 2026 10:14",
never Django's "Dec. 6, 2026, 10:14 a.m." (settings.FORMAT_MODULE_PATH). Anything not
written here is Django's own for the language."""
