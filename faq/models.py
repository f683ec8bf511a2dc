from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# PostgreSQL's text search configuration per site language: stemming and stop words of that language.
SEARCH_CONFIGS = {"de": "german", "en": "english"}


def entry_search_vector(language, *, question=None, answer=None):
    """The weighted text search document of an entry in one language (question above answer), of the text
    a reader sees (the search columns, faq.searchtext), not of the Markdown with its link targets; of the
    given texts (Value expressions) instead of the columns, if any.

    Kept in a column per language (Entry.search_document_de, …), so that a search parses no text, with a
    GIN index each (search_indexes).
    """
    config = SEARCH_CONFIGS[language]
    return SearchVector(question or f"search_question_{language}", weight="A", config=config) + SearchVector(
        answer or f"search_answer_{language}", weight="B", config=config
    )


def entry_words_vector(language, *, question=None, answer=None):
    """The words of an entry's search texts in one language, unstemmed (PostgreSQL's 'simple'
    configuration): the FAQ's vocabulary, in which the search looks up typos (faq.services); of the given
    texts (Value expressions) instead of the columns, if any."""
    return SearchVector(
        question or f"search_question_{language}", answer or f"search_answer_{language}", config="simple"
    )


def search_indexes():
    """One GIN index per language on the stored text search document (migration 0011)."""
    return [
        GinIndex(fields=[f"search_document_{language}"], name=f"faq_entry_search_{language}")
        for language in SEARCH_CONFIGS
    ]


def trigram_indexes():
    """GIN trigram indexes (pg_trgm's gin_trgm_ops) on the search column of the question and of the answer
    of each language, for the search's ILIKE (parts of words), which compares with one column at a time
    (migration 0011)."""
    return [
        GinIndex(
            fields=[f"search_{field}_{language}"], opclasses=["gin_trgm_ops"], name=f"faq_entry_trgm_{field}_{language}"
        )
        for language in SEARCH_CONFIGS
        for field in ("question", "answer")
    ]


def site_link_errors(instance, fields):
    """{field: error} for each Markdown field of `instance` that links to an unknown site: page."""
    from .markdown import unknown_site_links

    errors = {}
    for field in fields:
        unknown = unknown_site_links(getattr(instance, field, "") or "")
        if unknown:
            errors[field] = _("Unknown link target: %(targets)s.") % {"targets": ", ".join(unknown)}
    return errors


class Category(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("The category's anchor on the FAQ page.")
    )
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{reverse('faq:index')}#{self.slug}"


class Entry(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="entries", verbose_name=_("category"))
    question = models.CharField(_("question"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("The entry's address and anchor, e.g. how-long-is-the-film. Keep it stable: links point to it."),
    )
    answer = models.TextField(
        _("answer"),
        max_length=20_000,
        help_text=_(
            "Markdown: a blank line between paragraphs, “- ” for list items, *italic*, **bold**, "
            "[text](https://…) for links. Links to our own pages: site:register, site:screenings, site:tour, "
            "site:resources, site:take-action, site:newsletter, site:cookies, site:code-of-conduct, site:privacy, "
            "site:faq."
        ),
    )
    published = models.BooleanField(_("published"), default=True, db_index=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    # What the search compares (faq.searchtext): the question and the answer as a reader sees them, folded,
    # and on PostgreSQL their text search document and their words (entry_search_vector,
    # entry_words_vector; NULL on SQLite). save() keeps them in step with the texts; whatever writes the
    # texts without save() (bulk_create, update(), a data migration's historical model) must set them too
    # (faq.searchtext.entry_search_columns).
    search_question_de = models.TextField(editable=False, blank=True, default="")
    search_answer_de = models.TextField(editable=False, blank=True, default="")
    search_question_en = models.TextField(editable=False, blank=True, default="")
    search_answer_en = models.TextField(editable=False, blank=True, default="")
    search_document_de = SearchVectorField(null=True, editable=False)
    search_document_en = SearchVectorField(null=True, editable=False)
    search_words_de = SearchVectorField(null=True, editable=False)
    search_words_en = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["category__position", "category_id", "position", "pk"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        # The full-text and trigram GIN indexes exist on PostgreSQL only; migration 0011 creates them
        # (search_indexes(), trigram_indexes()).
        indexes = [models.Index(fields=["category", "position"], name="faq_entry_category_position")]

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        """Save, with the search columns made from the texts being saved."""
        from django.db import router

        from .searchtext import SOURCE_FIELDS, entry_search_columns

        update_fields = kwargs.get("update_fields")
        if update_fields is None or SOURCE_FIELDS.intersection(update_fields):
            using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
            columns = entry_search_columns(self, using=using)
            for field, value in columns.items():
                setattr(self, field, value)
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, *(field for field in columns if field not in update_fields)]
            super().save(*args, **kwargs)
            # The documents were written as expressions: read again when wanted, never as expressions.
            for field, value in columns.items():
                if hasattr(value, "resolve_expression"):
                    del self.__dict__[field]
        else:
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("faq:entry", kwargs={"slug": self.slug})

    def clean(self):
        errors = site_link_errors(self, ("answer_de", "answer_en"))
        if errors:
            raise ValidationError(errors)


class FormerSlug(models.Model):
    """An address an entry had before its slug changed: links to it keep leading to the entry."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="former_slugs", verbose_name=_("entry"))
    # Unique: one old address leads to one entry (the one that held it last).
    slug = models.SlugField(_("former slug"), max_length=120, unique=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["entry", "language", "slug"]
        verbose_name = _("former address")
        verbose_name_plural = _("former addresses")

    def __str__(self):
        return self.slug


class UnansweredSearch(models.Model):
    """How often a search found nothing (or only answers with some of its words), per normalised query,
    language and day.

    Nothing about who searched is kept: no address, no browser, no time of day. Rows older than
    FAQ_UNANSWERED_SEARCH_DAYS are removed by a periodic task (faq.tasks).
    """

    query = models.CharField(_("search words"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    date = models.DateField(_("date"))
    count = models.PositiveIntegerField(_("searches"), default=1)

    class Meta:
        ordering = ["-date", "-count", "query"]
        verbose_name = _("unanswered search")
        verbose_name_plural = _("unanswered searches")
        constraints = [
            # The date first: the index also serves the daily limit and the removal of old rows.
            models.UniqueConstraint(fields=["date", "language", "query"], name="faq_unanswered_search_unique"),
        ]

    def __str__(self):
        return self.query


def is_action_link(link):
    """An action's link is an https address, a site: link to one of the site's own pages, or the path of
    a page of this site in that language (/de/faq/…/)."""
    from django.core.validators import URLValidator

    from .markdown import SITE_LINK_TARGETS

    if link.startswith("site:"):
        return link.removeprefix("site:") in SITE_LINK_TARGETS
    if link.startswith("/"):
        return not link.startswith("//") and "\\" not in link and link.isprintable() and " " not in link
    try:
        URLValidator(schemes=["https"])(link)
    except ValidationError:
        return False
    return True


class Action(models.Model):
    """One thing a reader can do about the social dilemma, on the Take Action page.

    The page is the FAQ's answer to "what can I do?": its first actions come from the seed's own
    answers (faq/seed/actions.toml), and staff edit them beside the entries, with the same Markdown.
    """

    class Kind(models.TextChoices):
        HABITS = "habits", _("Your own habits")
        TOGETHER = "together", _("With family, friends and colleagues")
        DEMAND = "demand", _("Demand change from companies and lawmakers")

    kind = models.CharField(_("category"), max_length=20, choices=Kind.choices, default=Kind.HABITS)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(
        _("text"),
        max_length=5_000,
        help_text=_("Markdown, as in the FAQ's answers: a blank line between paragraphs, [text](https://…) for links."),
    )
    link = models.CharField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_(
            "Optional: where the reader can act: an address https://…, one of our pages as site:tour, or the "
            "path of one of our pages in this language, e.g. /de/faq/welche-plattformen-nutzen/."
        ),
    )
    link_label = models.CharField(
        _("link text"), max_length=100, blank=True, help_text=_("Says where the link leads, e.g. “Find a screening”.")
    )
    published = models.BooleanField(_("published"), default=True, db_index=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self):
        return self.title

    @property
    def reader_link(self):
        """{"url", "label"} of the link in the reader's language, or None. Link and text go together: a
        language whose text is not written yet shows the German text with the German link; one whose text
        is written but that has no link of its own shows none (never a German link under English words).
        A link the admin would refuse (one written into the database some other way) is never shown."""
        from django.utils.translation import get_language

        from .markdown import site_link_url

        language = get_language() or settings.LANGUAGE_CODE
        if language != "de" and not (getattr(self, f"text_{language}", "") or ""):
            language = "de"
        link = getattr(self, f"link_{language}", "") or ""
        label = getattr(self, f"link_label_{language}", "") or ""
        if not (link and label and is_action_link(link)):
            return None
        url = site_link_url(link)
        return {"url": url, "label": label} if url else None

    def clean(self):
        errors = site_link_errors(self, ("text_de", "text_en"))
        for language in ("de", "en"):
            link = getattr(self, f"link_{language}", "") or ""
            if link and not is_action_link(link):
                errors[f"link_{language}"] = _(
                    "Enter an address that starts with https://, one of our pages as site:NAME, "
                    "or a path that starts with /."
                )
            elif link.startswith("/") and not link.startswith(f"/{language}/"):
                errors[f"link_{language}"] = _(
                    "A path of our site must lead to the page in this language (/%(language)s/…)."
                ) % {"language": language}
            elif link and not getattr(self, f"link_label_{language}", ""):
                errors[f"link_label_{language}"] = _("Please say where the link leads.")
        if errors:
            raise ValidationError(errors)
