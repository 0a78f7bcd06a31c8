"""How every form of the site is drawn (settings.FORM_RENDERER): Django's own templates,
with one addition. A moment typed in two boxes (a date, a time: the admin's
AdminSplitDateTime) has one label for both, tied to neither box: each box is named after
its field and its half ("Starts at — date", "Starts at — time"), in the page's language,
for screen readers and voice control."""

import copy

from django.forms import SplitDateTimeWidget
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext


class NamedBoxesBoundField(BoundField):
    def as_widget(self, widget=None, attrs=None, only_initial=False):
        widget = widget or self.field.widget
        if isinstance(widget, SplitDateTimeWidget) and not widget.is_hidden:
            widget = copy.deepcopy(widget)  # the field's own widget is not named after one page's language
            field = str(self.label)
            for box, name in zip(widget.widgets, (gettext("%(field)s — date"), gettext("%(field)s — time")),
                                 strict=True):
                box.attrs = {**box.attrs, "aria-label": name % {"field": field}}
        return super().as_widget(widget, attrs, only_initial)


class FormRenderer(DjangoTemplates):
    bound_field_class = NamedBoxesBoundField
