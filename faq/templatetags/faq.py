from django import template

from ..markdown import render_markdown, site_link_url

register = template.Library()


@register.filter
def markdown(text):
    """Render staff-written Markdown as sanitized HTML."""
    return render_markdown(text)


@register.filter
def site_link(link):
    """The address of an action's link (site:NAME becomes the page in the reader's language); "" for a
    link the admin would refuse (one written into the database some other way): no link, never a bad one."""
    from ..models import is_action_link

    return site_link_url(link) if link and is_action_link(link) else ""
