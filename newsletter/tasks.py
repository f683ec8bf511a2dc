"""The newsletter's background work."""

from django_tasks import task

from . import services


@task()
def remove_unconfirmed():
    return services.subscribers_remove_unconfirmed()
