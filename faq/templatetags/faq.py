from django import template

from ..markdown import render_markdown, site_link_url

register = template.Library()


@register.filter
def markdown(text):
    """Render staff-written Markdown as sanitized HTML."""
    return render_markdown(text)


@register.filter
def site_link(link):
    """The address of an action's link (site:NAME becomes the page in the reader's language)."""
    return site_link_url(link)
