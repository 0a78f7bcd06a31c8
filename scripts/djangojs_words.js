// The words of Django's admin scripts (its date picker, its list actions' warnings, its clock
// notes) whose French the box office writes itself: Django's French types the elision's
// apostrophe straight (« Aujourd'hui »), the rest of the admin the curly one. Named here, never
// run nor served, so that `makemessages -d djangojs` keeps them in
// locale/fr/LC_MESSAGES/djangojs.po (scripts/translate_fr.py fills it), which the admin's
// JavaScript catalogue reads before Django's own.
/* global gettext, ngettext */
function djangojsWords() {
  "use strict";
  return [
    gettext("Today"),
    gettext("You have selected an action, but you haven’t saved your changes to individual fields yet. Please click OK to save. You’ll need to re-run the action."),
    gettext("You have selected an action, and you haven’t made any changes on individual fields. You’re probably looking for the Go button rather than the Save button."),
    ngettext("Note: You are %s hour ahead of server time.", "Note: You are %s hours ahead of server time.", 1),
    ngettext("Note: You are %s hour behind server time.", "Note: You are %s hours behind server time.", 1),
  ];
}
