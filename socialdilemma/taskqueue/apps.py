from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskQueueConfig(AppConfig):
    """The task queue's own parts: the outbox of every email the site sends, the schedule of timed jobs
    and the queue's monitoring. The queue itself is django-tasks with its database backend."""

    name = "socialdilemma.taskqueue"
    label = "taskqueue"
    verbose_name = _("Emails and background work")

    def ready(self):
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        # The library's task list speaks only English and shows raw arguments; staff see the emails
        # (our admin) and operators the queue's figures (manage.py queue_status) instead.
        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
