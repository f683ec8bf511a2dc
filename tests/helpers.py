from datetime import timedelta

from django.utils import timezone


def future_local(days=30, hour="19:30"):
    """A local date and time `days` ahead, as <input type="datetime-local"> sends it."""
    return (timezone.localdate() + timedelta(days=days)).isoformat() + "T" + hour
