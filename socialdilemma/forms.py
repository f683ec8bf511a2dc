"""What the site's forms share."""

from django import forms


class ErrorSummaryMixin:
    """What the error summary at the top of a refused form lists: each field with errors, by a short
    name (a checkbox's label is a whole sentence), linked to its input."""

    summary_names = {}

    def error_summary(self):
        summary = []
        for field in self:
            if not field.errors:
                continue
            target = field.auto_id
            if isinstance(field.field.widget, forms.RadioSelect):
                target = f"{target}_0"  # the first button: the group itself cannot take focus
            name = self.summary_names.get(field.name, field.label)
            summary.append((target, name, field.errors))
        return summary
