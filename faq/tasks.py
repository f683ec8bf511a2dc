"""The FAQ's background work, run by the scheduler (settings.PERIODIC_TASKS)."""

from django_tasks import task

from . import services


@task()
def remove_old_unanswered_searches():
    return services.faq_unanswered_searches_remove_old()
