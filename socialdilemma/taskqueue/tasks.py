"""The task queue's own tasks. Tasks receive ids and look the current state up when they run."""

from django_tasks import task

from . import services


@task()
def deliver_emails(email_ids):
    return services.emails_deliver(email_ids)


@task()
def prune():
    emails, tasks = services.queue_prune()
    return {"emails": emails, "tasks": tasks}
