"""The words of Django's admin (its messages, its sign-in, its amount fields' checks) whose
French the box office writes itself: Django's French types the elision's apostrophe straight
there (« L'objet … a été ajouté »), the rest of the admin the curly one. Named here, never
imported nor run, so that `makemessages` keeps them in locale/fr/LC_MESSAGES/django.po
(scripts/translate_fr.py fills it), which is read before Django's own catalogues."""

from django.utils.translation import gettext_noop, ngettext


def django_words():
    return [
        gettext_noop("The {name} “{obj}” was added successfully."),
        gettext_noop("Changed {fields} for {name} “{object}”."),
        gettext_noop("Please enter the correct %(username)s and password for a staff account. Note that both "
                     "fields may be case-sensitive."),
        gettext_noop("Breadcrumbs"),
        gettext_noop("Add link"),
        gettext_noop("View selected %(model)s"),
        gettext_noop("In case you’ve forgotten, you are:"),
        gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
        ngettext("Ensure that there are no more than %(max)s digit in total.",
                 "Ensure that there are no more than %(max)s digits in total.", 1),
        ngettext("Ensure that there are no more than %(max)s decimal place.",
                 "Ensure that there are no more than %(max)s decimal places.", 1),
        ngettext("Ensure that there are no more than %(max)s digit before the decimal point.",
                 "Ensure that there are no more than %(max)s digits before the decimal point.", 1),
    ]
