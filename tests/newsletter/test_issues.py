"""Staff write an issue, preview it, test it, and send it once to every confirmed subscriber."""

import pytest
from django.core import mail
from django.utils import timezone

from newsletter import services
from newsletter.models import Issue, Subscriber
from socialdilemma.taskqueue.models import Email
from tests.helpers import send_outbox

pytestmark = pytest.mark.django_db


def subscriber(email, language="de", status="confirmed"):
    now = timezone.now()
    return Subscriber.objects.create(
        email=email,
        language=language,
        status=status,
        requested_at=now,
        confirmed_at=now if status == "confirmed" else None,
        consent_text="x",
        consent_version="1",
        link_key=email,
        token_hash=email,
    )


@pytest.fixture
def issue():
    return Issue.objects.create(
        subject_de="Neues vom Film",
        subject_en="News about the film",
        body_de="Hallo! [Jetzt registrieren](site:register) <script>alert(1)</script>",
        body_en="Hello! [Register now](site:register)",
    )


def test_an_issue_reaches_each_confirmed_subscriber_once_in_their_language(issue, django_capture_on_commit_callbacks):
    subscriber("de1@example.org")
    subscriber("en1@example.org", language="en")
    subscriber("offen@example.org", status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.issue_start_sending(issue)
    assert not services.issue_start_sending(issue)  # not twice
    issue.refresh_from_db()
    assert issue.status == "sent"  # the tests' task backend queues at once
    send_outbox()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"de1@example.org", "en1@example.org"}
    german = by_recipient["de1@example.org"]
    assert german.subject == "Neues vom Film" and "http://testserver/de/screenings/register/" in german.body
    html = german.alternatives[0][0]
    assert 'href="http://testserver/de/screenings/register/"' in html and "<script>" not in html
    assert by_recipient["en1@example.org"].subject == "News about the film"
    assert german.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert german.extra_headers["List-Unsubscribe"].startswith("<http://testserver/de/newsletter/unsubscribe/")


def test_an_interrupted_sending_resumes_without_sending_anyone_twice(issue):
    for n in range(1200):
        subscriber(f"leser{n}@example.org")
    Issue.objects.filter(pk=issue.pk).update(status="sending")
    # As if a first run had committed its first batch and stopped.
    services.ISSUE_BATCH, batch = 500, services.ISSUE_BATCH
    first = Subscriber.objects.order_by("pk")[:500]
    Email.objects.bulk_create(
        Email(
            cause=f"{issue.email_about}:{s.pk}",
            renderer=services.ISSUE_RENDERER,
            to=s.email,
            language="de",
            params={"issue": issue.pk, "subscriber": s.pk},
            about=issue.email_about,
            message_id=f"<{s.pk}@test>",
        )
        for s in first
    )
    assert services.issue_queue_emails(issue.pk) == 700
    assert services.issue_queue_emails(issue.pk) == 0  # sent: nothing more
    assert Email.objects.filter(about=issue.email_about).count() == 1200
    assert services.issue_progress(issue)["waiting"] == 1200
    services.ISSUE_BATCH = batch


def test_a_subscriber_who_unsubscribes_meanwhile_is_not_sent_to(issue):
    leaving = subscriber("weg@example.org")
    subscriber("bleibt@example.org")
    Issue.objects.filter(pk=issue.pk).update(status="sending")
    assert services.issue_queue_emails(issue.pk) == 2  # queued; the worker has not sent them yet
    services.subscription_end(leaving)
    send_outbox()
    assert [message.to for message in mail.outbox] == [["bleibt@example.org"]]
    assert services.issue_progress(issue)["dropped"] == 1


def test_staff_preview_send_a_test_to_themselves_and_send(
    admin_client, admin_user, issue, django_capture_on_commit_callbacks
):
    subscriber("de1@example.org")
    page = admin_client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()
    assert "Neues vom Film" in page and "News about the film" in page
    assert "<script>alert(1)</script>" not in page  # the preview is sanitised, the text field escaped
    admin_user.email = "redaktion@example.org"
    admin_user.save()
    admin_client.post("/admin/newsletter/issue/", {"action": "send_test_to_me", "_selected_action": [issue.pk]})
    send_outbox()
    assert sorted(message.subject for message in mail.outbox) == ["Neues vom Film", "News about the film"]
    assert all(message.to == ["redaktion@example.org"] for message in mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/newsletter/issue/", {"action": "send_to_subscribers", "_selected_action": [issue.pk]})
    send_outbox()
    assert [message.to for message in mail.outbox] == [["de1@example.org"]]
    page = admin_client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()
    assert "Gesendet: 1" in page or "gesendet: 1" in page.lower()


def test_an_issue_left_sending_is_resumed_by_the_scheduler(issue):
    subscriber("eins@example.org")
    Issue.objects.filter(pk=issue.pk).update(status="sending", sending_started_at=timezone.now())
    assert services.issues_resume() == 0  # not yet: it may still be running
    later = timezone.now() + services.ISSUE_RESUME_AFTER + services.ISSUE_RESUME_AFTER
    assert services.issues_resume(now=later) == 1  # the tests' task backend runs it at once
    issue.refresh_from_db()
    assert issue.status == "sent" and Email.objects.filter(about=issue.email_about).count() == 1


def test_links_within_the_site_become_absolute_and_subjects_are_one_line(issue):
    from django.core.exceptions import ValidationError

    from faq.markdown import markdown_for_email

    text, html = markdown_for_email(
        "[FAQ](/de/faq/) and [tour](site:tour), [ours][1], [theirs](https://example.net/x)\n\n[1]: /de/take-action/",
        "https://example.org",
    )
    assert 'href="https://example.org/de/faq/"' in html and 'href="https://example.org/de/tour/"' in html
    # The text part too: a mail program has no site to resolve "/de/faq/" against.
    assert text == (
        "[FAQ](https://example.org/de/faq/) and [tour](https://example.org/de/tour/), [ours][1], "
        "[theirs](https://example.net/x)\n\n[1]: https://example.org/de/take-action/"
    )
    issue.subject_de = "Zeile\nBcc: x@example.org"
    with pytest.raises(ValidationError):
        issue.full_clean()


def test_staff_cannot_save_an_issue_with_a_mistyped_link_to_our_pages(admin_client):
    form = {
        "subject_de": "Neues",
        "subject_en": "News",
        "body_de": "[Jetzt registrieren](site:registrieren)",
        "body_en": "[Register now](site:register) and [the tour](site:tour)",
    }
    response = admin_client.post("/admin/newsletter/issue/add/", form)
    assert response.status_code == 200 and not Issue.objects.exists()
    assert "Unbekanntes Linkziel: registrieren." in response.content.decode()
    assert 'value="Neues"' in response.content.decode()  # nothing typed is lost
    response = admin_client.post("/admin/newsletter/issue/add/", {**form, "body_de": "[Jetzt](site:register)"})
    assert response.status_code == 302 and Issue.objects.get().body_de == "[Jetzt](site:register)"


def test_an_issue_saved_with_a_mistyped_link_before_the_check_is_not_sent(admin_client, issue):
    subscriber("eins@example.org")
    Issue.objects.filter(pk=issue.pk).update(body_en="[Register](site:registr)")
    issue.refresh_from_db()
    assert services.issue_start_sending(issue) is False
    response = admin_client.post(
        "/admin/newsletter/issue/", {"action": "send_to_subscribers", "_selected_action": [issue.pk]}, follow=True
    )
    assert "wurde nicht gesendet: Unbekanntes Linkziel: registr." in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == "draft" and not Email.objects.filter(about=issue.email_about).exists()


def test_an_issue_is_written_once_per_language_and_each_subscriber_gets_their_own_unsubscribe_link(issue):
    from unittest import mock

    from newsletter import emails

    for number in range(3):
        subscriber(f"de{number}@example.org")
    subscriber("en@example.org", language="en")
    Issue.objects.filter(pk=issue.pk).update(status="sending")
    services.issue_queue_emails(issue.pk)
    emails._written_issues.clear()
    with mock.patch.object(emails, "render_to_string", wraps=emails.render_to_string) as render:
        send_outbox()
    assert render.call_count == 4  # the text and the HTML once per language, for four subscribers
    assert {message.subject for message in mail.outbox} == {"Neues vom Film", "News about the film"}
    links = set()
    for message in mail.outbox:
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        html = message.alternatives[0][0]
        assert link in message.body and f'href="{link}"' in html and emails.UNSUBSCRIBE_PLACEHOLDER not in html
        links.add(link)
    assert len(links) == 4


def test_deleting_an_issue_while_it_is_sent_stops_the_rest(issue):
    """How staff stop a sending: the worker's written copy of the issue does not outlive it."""
    for number in range(3):
        subscriber(f"de{number}@example.org")
    Issue.objects.filter(pk=issue.pk).update(status="sending")
    services.issue_queue_emails(issue.pk)
    first, *rest = Email.objects.filter(about=issue.email_about).order_by("pk")
    from socialdilemma.taskqueue.services import emails_deliver

    assert emails_deliver([first.pk]) == 1
    Issue.objects.filter(pk=issue.pk).delete()
    assert emails_deliver([email.pk for email in rest]) == 0
    assert set(Email.objects.filter(pk__in=[email.pk for email in rest]).values_list("status", flat=True)) == {
        Email.Status.DROPPED
    }
