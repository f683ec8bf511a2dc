from django import template

from ..markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render staff-written Markdown as sanitized HTML."""
    return render_markdown(text)
