from datetime import timedelta

from django.utils import timezone


def future_local(days=30, hour="19:30"):
    """A local date and time `days` ahead, as <input type="datetime-local"> sends it."""
    return (timezone.localdate() + timedelta(days=days)).isoformat() + "T" + hour


def send_outbox():
    """Send every email waiting in the outbox now, as the worker would (into Django's test outbox).
    Returns the number sent."""
    from socialdilemma.taskqueue.models import Email
    from socialdilemma.taskqueue.services import emails_deliver

    waiting = Email.objects.filter(status=Email.Status.WAITING).order_by("pk").values_list("pk", flat=True)
    return emails_deliver(list(waiting))
