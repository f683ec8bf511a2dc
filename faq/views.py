from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from newsletter.forms import SubscribeForm
from newsletter.services import consent_text
from socialdilemma.i18n import paths_in_each_language
from socialdilemma.proxy import client_id

from . import services
from .forms import SearchForm
from .markdown import markdown_to_text


@require_safe
def index(request):
    """All categories and entries on one page, or the search results for ?q=."""
    language = get_language()
    form = SearchForm(request.GET or None)
    query, results = "", None
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            results = services.faq_search(query=query, language=language)
    searching = form.is_bound and bool(request.GET.get("q", "").strip())
    # Answered: some entry has every word of the query (results with only some of them say `partial`).
    answered = bool(results) and not results[0].partial
    if query and not answered and request.method == "GET" and not _is_staff(request):
        services.faq_unanswered_search_record(query=query, language=language, client=client_id(request))
    response = render(
        request,
        "faq/index.html",
        {
            "form": form,
            "query": query,
            "results": results,
            "categories": services.faq_published_categories(),
            "searching": searching,
            "partial": bool(results) and not answered,
        },
    )
    if searching and not answered:
        # A search that found nothing (or only some of its words) is counted above each time it is made,
        # so its page must reach this view each time: "private" keeps it out of the site's page cache
        # (which stores no private response) and out of a proxy cache in front. Pages that answer the
        # search are cached as before.
        response["Cache-Control"] = "private, max-age=0"
    return response


def _is_staff(request):
    # The team's own searches (signed in, trying out an answer, say) are not what visitors missed.
    return request.user.is_authenticated and request.user.is_staff


@require_safe
def entry(request, slug):
    language = get_language()
    is_staff = request.user.is_authenticated and request.user.is_staff
    faq_entry = services.faq_entry_get(slug=slug, language=language, include_unpublished=is_staff)
    if faq_entry is None:
        raise Http404
    if faq_entry.slug != slug:
        # A slug of the other language: go to the entry's own address in this language.
        return redirect(faq_entry, permanent=True)
    request.alternate_paths = paths_in_each_language(lambda: reverse("faq:entry", kwargs={"slug": faq_entry.slug}))
    return render(
        request,
        "faq/entry.html",
        {
            "entry": faq_entry,
            "is_translated": services.entry_has_translation(faq_entry, language),
            "description": Truncator(markdown_to_text(faq_entry.answer)).chars(160),
        },
    )


@require_safe
def take_action(request):
    """What a reader can do, by category; the newsletter's sign-up form closes the page."""
    return render(
        request,
        "faq/take_action.html",
        {
            "groups": services.take_action_groups(),
            "form": SubscribeForm(language=get_language()),
            "consent_text": consent_text(get_language()),
        },
    )
