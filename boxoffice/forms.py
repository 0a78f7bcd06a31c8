"""How every form of the site is drawn (settings.FORM_RENDERER): Django's own templates,
or ours in templates/ where one is redrawn, with two additions.

A moment typed in two boxes (a date, a time: the admin's AdminSplitDateTime) has one label
for both, tied to neither box: each box is named after its field and its half ("Starts at
— date", "Starts at — time"), in the page's language, for screen readers and voice
control. Its help, which Django gives no id (the field has no one box to label), is given
one, and both boxes are described by it, as Django ties a single box to its help.

The admin's links beside a chooser (add another, change, view, delete the one chosen) are
named after the table they link to by its admin, with the article its name needs (« Ajouter
une autre salle »): their template (templates/admin/widgets) is handed that table, which
Django's wrapper does not give it."""

import copy

from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.forms import SplitDateTimeWidget
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext


class ChooserLinks(RelatedFieldWidgetWrapper):
    """Django's chooser with its links, its template handed the table they link to
    (`related_opts`, its model's _meta), whose admin names them."""

    def get_context(self, name, value, attrs):
        return {**super().get_context(name, value, attrs), "related_opts": self.rel.model._meta}


def _two_boxes(widget) -> bool:
    return isinstance(widget, SplitDateTimeWidget) and not widget.is_hidden


class NamedBoxesBoundField(BoundField):
    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        # The help of a moment in two boxes, unless a form ties its boxes to a help of its
        # own (events.admin's performance form): in an element of its own id. Shown as
        # Django shows help, unescaped.
        self.described_by = ""
        if (_two_boxes(field.widget) and self.help_text and self.auto_id
                and not any("aria-describedby" in box.attrs for box in field.widget.widgets)):
            self.described_by = f"{self.auto_id}_helptext"
            self.help_text = format_html('<span id="{}">{}</span>', self.described_by,
                                         mark_safe(self.help_text))  # noqa: S308 - as the admin's template shows it

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = widget or self.field.widget
        if _two_boxes(widget):
            widget = copy.deepcopy(widget)  # the field's own widget is not named after one page's language
            field = str(self.label)
            for box, name in zip(widget.widgets, (gettext("%(field)s — date"), gettext("%(field)s — time")),
                                 strict=True):
                box.attrs = {**box.attrs, "aria-label": name % {"field": field}}
                if self.described_by:
                    box.attrs["aria-describedby"] = self.described_by
        elif type(widget) is RelatedFieldWidgetWrapper:
            # The same chooser, as the admin set it up, drawn by the class that names its links.
            widget = copy.copy(widget)
            widget.__class__ = ChooserLinks
        return super().as_widget(widget, attrs, only_initial)


class FormRenderer(TemplatesSetting):
    bound_field_class = NamedBoxesBoundField
