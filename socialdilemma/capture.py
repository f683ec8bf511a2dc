"""{% capture name %}…{% endcapture %}: render a part of a template once and use it as {{ name }} as often
as needed. base.html captures the page's title and description blocks this way, for <title>, the meta
description and the social previews (a Django block can be rendered only once)."""

import html

from django import template
from django.utils.html import strip_tags

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist  # "nodelist": so that blocks inside are found and overridden by children
        self.name = name

    def render(self, context):
        # Kept as plain text (tags removed, entities decoded) and escaped once where it is output: a
        # translation or a "|safe" inside could otherwise put a quote into a content="…" attribute.
        context[self.name] = html.unescape(strip_tags(self.nodelist.render(context))).strip()
        return ""


@register.tag
def capture(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("usage: {% capture name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])
