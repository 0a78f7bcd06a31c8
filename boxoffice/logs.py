"""What the log keeps (settings.LOGGING)."""

from django.core.exceptions import PermissionDenied


def refusals_in_one_line(record) -> bool:
    """A logging filter: a page refused to someone (403, PermissionDenied) is logged as
    Django words it, without the traceback Django adds. Staff open each other's pages by
    mistake all day; the tracebacks left in the log are then the errors worth reading."""
    if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
        record.exc_info, record.exc_text = None, None
    return True
