"""A small bar chart as server-rendered SVG, for the admin: no chart library, no JavaScript."""

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT, PADDING = 600, 160, 24


def daily_bar_chart(points, *, title):
    """points: [(date, value), ...] in order. Returns safe SVG markup with a title and one bar per day."""
    peak = max((value for _day, value in points), default=0) or 1
    bar_width = (WIDTH - 2 * PADDING) / max(len(points), 1)
    bar = '<rect x="{}" y="{}" width="{}" height="{}" fill="#417690"><title>{}: {}</title></rect>'
    bars = format_html_join(
        "",
        bar,
        (
            (
                f"{PADDING + index * bar_width + 1:.1f}",
                f"{HEIGHT - PADDING - (HEIGHT - 2 * PADDING) * value / peak:.1f}",
                f"{max(bar_width - 2, 1):.1f}",
                f"{(HEIGHT - 2 * PADDING) * value / peak:.1f}",
                date_format(day, "SHORT_DATE_FORMAT"),
                value,
            )
            for index, (day, value) in enumerate(points)
        ),
    )
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#666"/><text x="{}" y="{}" font-size="11">{}</text>',
        PADDING,
        HEIGHT - PADDING,
        WIDTH - PADDING,
        HEIGHT - PADDING,
        PADDING,
        PADDING - 8,
        peak,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-labelledby="chart-title"><title id="chart-title">{}</title>{}{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        title,
        axis,
        bars,
    )
