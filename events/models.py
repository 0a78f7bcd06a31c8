"""The supply side: venues, their seating plans, events, performances and price zones.

This app knows nothing about sales; `sales` builds its inventory from these rows.
"""

import functools
import unicodedata
import zoneinfo
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils import formats, timezone, translation
from django.utils.formats import number_format
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# Names people read in lists (venues, shows, sections, zones, price types, customers) sort
# by an ICU collation, as French and English readers expect: accents with their letters
# (Élise before Eric, not after Zoé), capitals with small letters, numbers by value
# (Salle 2 before Salle 10). Created by a migration; deterministic, so equality, unique
# constraints and LIKE behave as with any other collation.
NAMES = "names"



def storable_text(value: str) -> bool:
    """Text PostgreSQL stores: no lone surrogate (JSON may escape one, "\\ud800", which is
    no character) and no NUL."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


EARLIEST = datetime(2000, 1, 1, tzinfo=zoneinfo.ZoneInfo("UTC"))
REACH_DAYS = 3653  # ten years


def in_reach(value: datetime | None) -> None:
    """A time a box office sells for: from the year 2000 to ten years from now. Refuses a
    slip such as the year 9999, which no clock can show once it is moved to another zone
    (every page showing it would fail)."""
    if value is None:
        return
    shown = value.strftime("%Y-%m-%d %H:%M")  # as typed, in its own zone: never converted
    if value < EARLIEST:
        raise ValidationError(_("The date %(date)s is before the year 2000."), code="too_early",
                              params={"date": shown})
    if value > timezone.now() + timedelta(days=REACH_DAYS):
        raise ValidationError(_("The date %(date)s is more than ten years away."), code="too_far",
                              params={"date": shown})

class Channel(models.TextChoices):
    """The doors tickets are sold through. Each one's rules are its policy in
    `sales.channels`; here it is only the vocabulary on-sale windows are keyed by."""

    ONLINE = "online", _("Online shop")
    COUNTER = "counter", _("Box-office counter")
    PHONE = "phone", _("Telephone")


def default_time_zone() -> str:
    return settings.TIME_ZONE


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(_("%(zone)s is not a time zone; give one like America/Toronto or Europe/Paris."),
                              params={"zone": value})


def reader_language() -> str:
    """The language being written (a page's, an email's): "en" or "fr"."""
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


# The project's languages (settings.LANGUAGES), named as the language being written names
# them ("français", "anglais" in French), for the fields that keep one of them: an admin
# shows or offers a language by its name, never by its code.
_LANGUAGE_NAMES = {"en": _("English"), "fr": _("French")}
LANGUAGE_CHOICES = [(code, _LANGUAGE_NAMES.get(code, name)) for code, name in settings.LANGUAGES]


def project_language(code: str | None) -> str | None:
    """`code` (a language code, "fr-ca") as one of the project's languages, or None."""
    code = (code or "")[:2]
    return code if code in dict(settings.LANGUAGES) else None


# Django's "M" is an abbreviated month with a capital (Jan, Déc): English, not French,
# which writes months lower case, and whose short forms Django gets wrong (jui. for both
# juin and juillet): French gets the whole month (3 janvier).
_MONTHS = {"fr": ("M", "F")}
# A clock's seconds after its minutes: "20:01:05"; French typography names the units after
# its "20 h 01": "20 h 01 min 05 s".
_SECONDS = {"fr": "\u00a0\\m\\i\\n\u00a0s\u00a0\\s"}


# A day and its time inside a sentence ("on %(when)s", « le %(when)s »): a style each
# language writes its own way (boxoffice/formats), "Sunday 6 December 2026 at 20:00",
# « dimanche 6 décembre 2026 à 20 h », where a sentence would read « le dim 6 décembre
# 2026 20 h » in the short one.
IN_A_SENTENCE = "SENTENCE_DATETIME_FORMAT"
# A day and its time on their own (a performance named on a page, a receipt, a ticket): the
# day's and the month's whole names, a comma before the hour, "Sunday 6 December 2026,
# 20:00", « dimanche 6 décembre 2026, 20 h », as the shop's pages write a performance.
IN_FULL = "l j F Y, H:i"


def written_style(style: str, whole_hour: bool = False) -> str:
    """Django's date format `style` as the active language writes it: its months (_MONTHS)
    and its clock, the language's TIME_FORMAT (boxoffice/formats) for each "H:i": "20:30"
    in English, "20 h 30" in French; for a `whole_hour`, its WHOLE_HOUR_FORMAT: "20:00",
    "20 h". A named style (IN_A_SENTENCE) is the language's own, written there whole."""
    language = reader_language()
    clock = formats.get_format("TIME_FORMAT", lang=language)
    hour = formats.get_format("WHOLE_HOUR_FORMAT", lang=language) if whole_hour else clock
    if style.endswith("_FORMAT"):
        return formats.get_format(style, lang=language).replace(clock, hour)
    if language in _MONTHS:
        style = style.replace(*_MONTHS[language])
    return style.replace("H:i:s", clock + _SECONDS.get(language, ":s")).replace("H:i", hour)


def when(moment, style: str = "D j M Y H:i") -> str:
    """`moment` written in Django's date format `style`, as the active language writes it
    (written_style), on its own clock (the template filter puts it on the template's
    first)."""
    if moment is None or moment == "":
        return ""
    try:
        return formats.date_format(moment, written_style(style, whole_hour=getattr(moment, "minute", None) == 0))
    except (AttributeError, TypeError):  # not a date: nothing, as Django's date filter writes
        return ""


def clock_change(typed: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """"" if the time `typed` (naive, as read on `zone`'s clock) happens there once; else
    why not, in the reader's language: the clocks jump over it (spring), or go back over
    it, which it then happens twice (autumn). Said with the day, the change and what to
    choose instead, for a person who typed it."""
    before = typed.replace(tzinfo=zone, fold=0).utcoffset()
    after = typed.replace(tzinfo=zone, fold=1).utcoffset()
    if before == after:
        return ""
    # The moment of the change: the first second on the clock's new offset, within a day.
    aimed = int((typed - before).replace(tzinfo=UTC).timestamp())
    low, high = aimed - 86400, aimed + 86400
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    change = datetime.fromtimestamp(high, UTC).replace(tzinfo=None)
    was, becomes = change + before, change + after
    said = {"day": when(typed.date(), "j F Y"), "zone": zone.key, "from": when(was, "H:i"),
            "to": when(becomes, "H:i"), "time": when(typed, "H:i")}
    if after > before:
        return translation.gettext("On %(day)s the clocks of %(zone)s jump from %(from)s to %(to)s: %(time)s does "
                                   "not exist there. Choose another time.") % said
    return translation.gettext("On %(day)s the clocks of %(zone)s go back from %(from)s to %(to)s: %(time)s happens "
                               "twice there. Choose a time before %(to)s or from %(from)s on.") % said


def in_reader_language(obj, field: str) -> str:
    """`field` of `obj` in the language being written: its version for that language
    (`field`_fr, say) if the organizer wrote one, else the text as typed."""
    return getattr(obj, f"{field}_{reader_language()}", "") or getattr(obj, field)


# Invisible characters that reorder or hide text (direction marks, overrides and isolates,
# zero-width spaces, a byte-order mark): a name holding one reads otherwise than it is on a
# ticket, a list or an email. Joiners (U+200C, U+200D), which some scripts need, are kept.
HIDDEN = frozenset("\u200b\u200e\u200f\u061c\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unprintable(text: str, *, lines: bool = False) -> bool:
    """Does `text` hold what no name, phone number or note people type holds: a control
    character (a NUL, a bell, an escape, a tab, a line break unless `lines` allows them),
    Unicode's line or paragraph separator (which some readers break lines at) or a hidden
    character (HIDDEN)? Printed slips, PDF tickets, spreadsheets and email headers choke on
    them. The one test of typed text, whichever door it came through."""
    return any((unicodedata.category(c) in {"Cc", "Zl", "Zp"} and not (lines and c in "\r\n")) or c in HIDDEN
               for c in text)


def one_line(value: str) -> None:
    """A name shown on one line (an email's subject, a ticket, a list): nothing unprintable
    (a line break, a tab, a hidden character), which a pasted text may carry and an email
    header refuses."""
    if unprintable(value):
        raise ValidationError(_("Write this on one line, without line breaks or tabs."))


class Venue(models.Model):
    name = models.CharField(max_length=200, unique=True, db_collation=NAMES, verbose_name=_("name"),
                            validators=[one_line])
    address = models.CharField(max_length=300, blank=True, verbose_name=_("address"), validators=[one_line])
    # Every time of a performance here is shown on this clock (the shop, the emails, the
    # tickets, the admin), whatever the server's.
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone,
                                 validators=[validate_time_zone],
                                 help_text=_("The venue's clock, e.g. America/Toronto: its performances' times are "
                                             "shown and entered in it."))
    # What the counter and the phone console offer first for a buyer's emails and tickets.
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES,
                                default=settings.LANGUAGE_CODE,
                                help_text=_("The language the counter and the phone offer first for a buyer's "
                                            "emails, tickets and receipts."))

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Section(models.Model):
    class Kind(models.TextChoices):
        SEATED = "seated", _("Seated (numbered seats)")
        STANDING = "standing", _("Standing (a capacity)")

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="sections", verbose_name=_("venue"))
    name = models.CharField(max_length=100, db_collation=NAMES, verbose_name=_("name"), validators=[one_line])
    # Seated or standing: a type of section, « type » in French (« genre » is a kind of payment's).
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SEATED,
                            verbose_name=pgettext_lazy("section", "kind"))
    # Standing sections only: how many people it holds.
    capacity = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("capacity"))
    # Lower is better: best-available tries sections in this order.
    rank = models.PositiveIntegerField(default=0, verbose_name=pgettext_lazy("ordering", "rank"))

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["venue", "rank", "name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="section_unique_name"),
            models.CheckConstraint(
                condition=Q(kind="seated", capacity__isnull=True)
                | Q(kind="standing", capacity__gt=0),
                name="section_standing_has_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue} / {self.name}"

    def clean(self):
        # Said on the field, in the organizer's words, before the database's constraint would.
        if self.kind == self.Kind.STANDING and not self.capacity:
            raise ValidationError({"capacity": _("A standing section holds a number of people: give its capacity.")})
        if self.kind == self.Kind.SEATED and self.capacity is not None:
            raise ValidationError({"capacity": _("A seated section holds its seats: leave its capacity empty.")})


class Seat(models.Model):
    """A physical numbered seat. x/y are plan coordinates for drawing the map."""

    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="seats")
    # Printed on tickets and written into calendars: on one line, as a plan's import wants
    # them (events.seating).
    row = models.CharField(_("row"), max_length=10, validators=[one_line])
    number = models.CharField(_("number"), max_length=10, validators=[one_line])
    # Order of the row from the stage (0 = front) and of the seat within its row:
    # adjacency and "best" are computed from these, not from the labels.
    row_index = models.PositiveIntegerField(_("row index"), default=0)
    position = models.PositiveIntegerField(_("position"), default=0)
    x = models.FloatField(_("x"), default=0)
    y = models.FloatField(_("y"), default=0)
    wheelchair = models.BooleanField(_("wheelchair"), default=False, help_text=_("Wheelchair space"))
    companion = models.BooleanField(_("companion"), default=False,
                                    help_text=_("Companion seat, beside a wheelchair space"))
    restricted_view = models.BooleanField(_("restricted view"), default=False)

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["section", "row_index", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "row", "number"], name="seat_unique_label"),
        ]

    def __str__(self) -> str:
        return _("%(section)s row %(row)s seat %(number)s") % {
            "section": self.section.name, "row": self.row, "number": self.number}


def local_image(value: str) -> None:
    # The pages' Content-Security-Policy loads images from this site only: an address on
    # another host would show as a broken image.
    if not value.startswith("/") or value.startswith("//"):
        raise ValidationError(_("Give an address on this site, starting with /, like /static/demo/poster.svg."))


class Event(models.Model):
    title = models.CharField(max_length=200, db_collation=NAMES, verbose_name=_("title"), validators=[one_line])
    description = models.TextField(blank=True, verbose_name=_("description"))
    description_en = models.TextField(_("description in English"), blank=True,
                                      help_text=_("If it differs from the one above: shown to English readers."))
    description_fr = models.TextField(_("description in French"), blank=True,
                                      help_text=_("If it differs from the one above: shown to French readers."))
    refund_policy = models.TextField(
        _("refund and exchange policy"), blank=True,
        help_text=_("Whether, and until when, tickets can be refunded or exchanged: shown to buyers before they "
                    "pay, on their order's page and in their confirmation email. Plain text."))
    refund_policy_en = models.TextField(_("refund and exchange policy in English"), blank=True,
                                        help_text=_("If it differs from the one above: shown to English readers."))
    refund_policy_fr = models.TextField(_("refund and exchange policy in French"), blank=True,
                                        help_text=_("If it differs from the one above: shown to French readers."))
    image_url = models.CharField(
        _("image address"), max_length=300, blank=True, validators=[local_image],
        help_text=_("An image on this site, shown on the event's pages, e.g. /static/demo/poster.svg."))

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_description(self) -> str:
        return in_reader_language(self, "description")

    @property
    def shown_refund_policy(self) -> str:
        return in_reader_language(self, "refund_policy")


RUNNING_TIME_REFUSED = _("A running time is more than 0 minutes and at most a day (1,440 minutes).")


class Performance(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="performances", verbose_name=_("event"))
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="performances", verbose_name=_("venue"))
    starts_at = models.DateTimeField(verbose_name=_("starts at"), validators=[in_reach])
    doors_open_at = models.DateTimeField(_("doors open at"), null=True, blank=True, validators=[in_reach])
    # Its end follows its start: a performance moved, or copied to another date, runs as long.
    running_minutes = models.PositiveSmallIntegerField(
        _("running time (minutes)"), null=True, blank=True,
        validators=[MinValueValidator(1, RUNNING_TIME_REFUSED), MaxValueValidator(24 * 60, RUNNING_TIME_REFUSED)],
        help_text=_("How long the show runs, intervals included: buyers read when it ends, and it ends there in "
                    "their calendar. Left empty, it is not said (a calendar gives it two hours)."))
    ticket_limit = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1)],
        help_text=_("Most tickets one order may hold."),
        verbose_name=_("ticket limit"),
    )
    # Its start before the organizer last moved it: its buyers' emails and pages say so.
    moved_from = models.DateTimeField(_("moved from"), null=True, blank=True, editable=False)
    # When it was moved: orders placed since were sold the new time, and are not told.
    moved_at = models.DateTimeField(_("moved at"), null=True, blank=True, editable=False)
    # Set once, by performance_cancel (sales.orders): nothing more is sold, and its buyers
    # are paid back.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancellation_note = models.TextField(
        _("cancellation note"), blank=True, editable=False,
        help_text=_("What the buyers are told, in their email and on their order's page."))
    cancellation_note_en = models.TextField(_("cancellation note in English"), blank=True, editable=False)
    cancellation_note_fr = models.TextField(_("cancellation note in French"), blank=True, editable=False)

    class Meta:
        verbose_name = _("performance")
        verbose_name_plural = _("performances")
        ordering = ["starts_at"]

    def __str__(self) -> str:
        # As a person reads it (admin lists, dropdowns, messages): on the venue's clock,
        # as the language being written writes a date, "Fri 17 Jan 2031 20:00".
        return f"{self.event} — {when(self.local())}"

    @property
    def shown_cancellation_note(self) -> str:
        """The cancellation note in the reader's language, if the organizer wrote it in it."""
        return in_reader_language(self, "cancellation_note")

    def clean(self):
        errors = {}
        if self.doors_open_at and self.starts_at and self.doors_open_at > self.starts_at:
            errors["doors_open_at"] = _("The doors open before the performance starts, not after.")
        if self.starts_at and self.starts_at <= timezone.now():
            before = Performance.objects.filter(pk=self.pk).values_list("starts_at", flat=True).first()
            # A past performance's other details may still be corrected (its start, as the
            # admin's field sends it back: to the second).
            if before is None or before.replace(microsecond=0) != self.starts_at.replace(microsecond=0):
                errors["starts_at"] = _("This time has passed; a performance is set to start in the future.")
        # One hall, one performance a minute: checked under the venue's lock by the form that
        # saves it (events.services.hall_claim), not here, where nothing is locked.
        if errors:
            raise ValidationError(errors)

    @property
    def ends_at(self) -> datetime | None:
        """When the show ends, if the organizer said how long it runs."""
        return self.starts_at + timedelta(minutes=self.running_minutes) if self.running_minutes else None

    def local(self, moment: datetime | None = None) -> datetime:
        """`moment` (by default the start) on the venue's clock."""
        return timezone.localtime(moment or self.starts_at, self.venue.zone)

    @property
    def local_starts_at(self) -> datetime:
        return self.local()


def hall_taken(venue_id: int, starts_at: datetime, besides: int | None = None) -> Performance | None:
    """The performance not cancelled that starts in the venue in the same minute as
    `starts_at`, other than `besides`: the hall's seats are one set, sold once. A read
    only: a save keeps the rule with events.services.hall_claim, which locks first."""
    minute = starts_at.replace(second=0, microsecond=0)  # to its last instant: no minute added past year 9999
    return (Performance.objects.filter(venue_id=venue_id, cancelled_at__isnull=True,
                                       starts_at__range=(minute, minute.replace(second=59, microsecond=999999)))
            .exclude(pk=besides).select_related("event", "venue").first())


class OnSaleWindow(models.Model):
    """When a channel may sell a performance. No window for a channel: it may not sell."""

    performance = models.ForeignKey(
        Performance, on_delete=models.CASCADE, related_name="on_sale_windows",
        verbose_name=_("performance"),
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, verbose_name=_("channel"))
    opens_at = models.DateTimeField(verbose_name=_("opens at"), validators=[in_reach])
    closes_at = models.DateTimeField(verbose_name=_("closes at"), validators=[in_reach])

    class Meta:
        verbose_name = _("on-sale window")
        verbose_name_plural = _("on-sale windows")
        ordering = ["performance", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["performance", "channel"], name="window_one_per_channel"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")),
                                   name="window_closes_after_opening",
                                   violation_error_message=_("A sale window closes after it opens.")),
        ]

    def __str__(self) -> str:
        # On the venue's clock, as the admin's fields show the times.
        opens, closes = (timezone.localtime(t, self.performance.venue.zone) for t in (self.opens_at, self.closes_at))
        return _("%(channel)s: %(opens)s – %(closes)s") % {
            "channel": self.get_channel_display(), "opens": when(opens, "j F Y H:i"),
            "closes": when(closes, "j F Y H:i")}


# Colours for zones added without one: the default first, then others told apart at a
# glance, each dark enough for the seat map's white marks on a seat.
ZONE_COLOURS = ("#3b82f6", "#b91c1c", "#059669", "#ca8a04", "#7c3aed", "#db2777", "#0891b2", "#ea580c",
                "#4d7c0f", "#475569", "#1e3a8a", "#9d174d")


# ISO 4217 currencies whose smaller unit is not a hundredth, as card providers count
# them: none (a yen is the smallest unit), or a thousandth (a Kuwaiti fils).
MINOR_DIGITS = {
    **dict.fromkeys(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
                     "XAF", "XOF", "XPF"], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
}


def validate_currency(value: str) -> None:
    """A three-letter ISO 4217 code in capitals, of a currency counted in cents: amounts
    are added up by currency, and "cad" beside "CAD" would be two."""
    RegexValidator(r"^[A-Z]{3}\Z", _("Enter the currency's three-letter code in capitals, such as CAD or EUR."))(value)
    if MINOR_DIGITS.get(value, 2) != 2:  # prices, taxes and discounts are reckoned to the cent
        raise ValidationError(_("%(code)s has no cents: the box office prices to the cent, in currencies that "
                                "have them.") % {"code": value})


# Amounts as the reader writes them, here because a price zone's name writes its price so;
# sales.models takes them for a payment's name, the pages from sales.formatting with the
# rest of what they write.
def group_mark() -> str:
    """What the active language writes between a number's groups of three digits: "," in
    English, a narrow no-break space in French (which a line never breaks at)."""
    return "\u202f" if (get_language() or "en").startswith("fr") else ","


def percent(rate) -> str:
    """A tax rate as the reader writes it: 5 → "5%", 9.975 → "9.975%" in English; "5 %",
    "9,975 %" in French, the sign after a no-break space (a narrow receipt never puts the
    "%" on a line of its own); 5, not 5.000."""
    text = f"{Decimal(rate).normalize():f}"
    if (get_language() or "en").startswith("fr"):
        return text.replace(".", ",") + "\u00a0%"
    return text + "%"


# The currencies written with a symbol of their own (the dollars all with "$", as their
# countries write them at home); any other is written as its ISO code: "CHF 89.00".
SYMBOLS = {"CAD": "$", "USD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£"}


def money(amount, currency: str | None = None) -> str:
    """89.00 → "$89.00" in English, "89,00 $" in French (Québec usage); -5 → "−$5.00",
    "−5,00 $". In the `currency` given (the box office's own, settings.BOXOFFICE_CURRENCY,
    unless told): "€89.00", "89,00 €"; a currency without a symbol here by its code,
    "CHF 89.00", "89,00 CHF"."""
    if amount is None or amount == "":
        return ""
    code = (currency or settings.BOXOFFICE_CURRENCY).upper()
    mark = SYMBOLS.get(code)
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    sign, value = ("\u2212" if value < 0 else ""), abs(value)
    if (get_language() or "en").startswith("fr"):
        whole, cents = f"{value:,.2f}".split(".")
        return sign + whole.replace(",", group_mark()) + "," + cents + "\u00a0" + (mark or code)
    return f"{sign}{mark}{value:,.2f}" if mark else f"{sign}{code}\u00a0{value:,.2f}"


def default_currency() -> str:
    """A new price zone's currency: the box office's own (settings.BOXOFFICE_CURRENCY)."""
    return settings.BOXOFFICE_CURRENCY


class PriceZone(models.Model):
    """A price for a set of places of one performance: whole sections, and/or single
    seats (a seat listed here wins over its section's zone)."""

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="price_zones",
                                    verbose_name=_("performance"))
    name = models.CharField(max_length=100, db_collation=NAMES, verbose_name=_("name"), validators=[one_line])
    price = models.DecimalField(max_digits=9, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0"))], verbose_name=_("price"))
    currency = models.CharField(max_length=3, default=default_currency, verbose_name=_("currency"),
                                validators=[validate_currency])
    color = models.CharField(max_length=7, default=ZONE_COLOURS[0], help_text=_("Colour on the seat map"),
                             verbose_name=_("colour"), validators=[RegexValidator(
                                 r"^#[0-9a-fA-F]{6}$", _("Give the colour as # and six hexadecimal digits, "
                                                         "like #3b82f6."))])
    sections = models.ManyToManyField(Section, blank=True, related_name="price_zones", verbose_name=_("sections"))
    seats = models.ManyToManyField(Seat, blank=True, related_name="price_zones", verbose_name=_("seats"))

    class Meta:
        verbose_name = _("price zone")
        verbose_name_plural = _("price zones")
        ordering = ["performance", "-price", "name"]
        constraints = [
            models.UniqueConstraint(fields=["performance", "name"], name="zone_unique_name"),
            models.CheckConstraint(condition=Q(price__gte=0), name="zone_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({money(self.price, self.currency)})"


class PriceType(models.Model):
    """A kind of ticket a performance sells (adult, child, senior, student, a comp, ...),
    with a price in each zone (Price). A performance with no price types sells at its
    zones' prices."""

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="price_types",
                                    verbose_name=_("performance"))
    name = models.CharField(_("name"), max_length=100, db_collation=NAMES, validators=[one_line])
    rank = models.PositiveSmallIntegerField(
        pgettext_lazy("ordering", "rank"), default=0,
        help_text=_("Order of the price types; the shop offers the first as the default."))
    order_limit = models.PositiveIntegerField(
        _("limit per order"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Most tickets of this type in one order; empty for no limit."))
    note = models.CharField(_("note"), max_length=200, blank=True, validators=[one_line],
                            help_text=_("Shown with the price and on the ticket, e.g. “Show student ID at the door”."))
    # The same in each language, where the organizer wrote it (in_reader_language).
    name_en = models.CharField(_("name in English"), max_length=100, blank=True, validators=[one_line])
    name_fr = models.CharField(_("name in French"), max_length=100, blank=True, validators=[one_line])
    note_en = models.CharField(_("note in English"), max_length=200, blank=True, validators=[one_line])
    note_fr = models.CharField(_("note in French"), max_length=200, blank=True, validators=[one_line])
    complimentary = models.BooleanField(
        _("complimentary"), default=False,
        help_text=_("Free tickets given by staff with a reason (press, guests); never offered to shoppers."))

    class Meta:
        verbose_name = _("price type")
        verbose_name_plural = _("price types")
        ordering = ["performance", "rank", "name"]
        constraints = [models.UniqueConstraint(fields=["performance", "name"], name="price_type_unique_name")]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        return in_reader_language(self, "name")

    @property
    def shown_note(self) -> str:
        return in_reader_language(self, "note")

    def named(self, name: str) -> bool:
        """Whether a ticket's price type name (written in the language it was sold in) is this."""
        return name in {self.name, self.name_en, self.name_fr} - {""}


class Price(models.Model):
    """What a price type costs in one zone."""

    price_type = models.ForeignKey(PriceType, on_delete=models.CASCADE, related_name="prices",
                                   verbose_name=_("price type"))
    zone = models.ForeignKey(PriceZone, on_delete=models.CASCADE, related_name="prices", verbose_name=_("zone"))
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["price_type", "zone"]
        constraints = [
            models.UniqueConstraint(fields=["price_type", "zone"], name="price_one_per_type_and_zone"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return _("%(type)s in %(zone)s: %(amount)s") % {
            "type": self.price_type, "zone": self.zone.name, "amount": money(self.amount, self.zone.currency)}

    def clean(self):
        if self.price_type_id and self.zone_id and self.price_type.performance_id != self.zone.performance_id:
            raise ValidationError(_("The zone belongs to another performance."))


# The most places a venue holds, seats and standing places together: more than the largest
# stadium, and few enough for a performance's places to be made in one request when it
# goes on sale (a standing section alone may hold 200,000; thousands of them would be
# billions of places).
MAX_PLACES = 500_000


def venue_places(venue: Venue) -> int:
    """The places a performance at `venue` is put on sale with: its seats and the
    capacity of its standing sections."""
    standing = venue.sections.filter(kind=Section.Kind.STANDING).aggregate(n=Sum("capacity"))["n"] or 0
    return Seat.objects.filter(section__venue=venue).count() + standing


def grouped(n: int) -> str:
    """A count written with its thousands grouped, as the reader's language writes them."""
    return number_format(n, force_grouping=True)
