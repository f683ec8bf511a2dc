"""The screenings' background work. Tasks receive plain values and look the current state up."""

from django_tasks import task

from . import services


@task()
def send_host_links(email, language=None):
    return services.screenings_send_links_to(email=email, language=language)


@task()
def remove_personal_data():
    return {
        "anonymised": services.screenings_remove_personal_data(),
        "unconfirmed_deleted": services.screenings_remove_unconfirmed(),
    }


@task()
def remove_unconfirmed_guests():
    return services.guests_remove_unconfirmed()


@task()
def send_reminders():
    return services.screenings_send_reminders()


@task()
def request_reports():
    return services.screenings_request_reports()
