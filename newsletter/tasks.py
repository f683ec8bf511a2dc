"""The newsletter's background work."""

from django_tasks import task

from . import services


@task()
def remove_unconfirmed():
    return services.subscribers_remove_unconfirmed()


@task()
def send_issue(issue_id):
    return services.issue_queue_emails(issue_id)


@task()
def resume_issues():
    return services.issues_resume()
