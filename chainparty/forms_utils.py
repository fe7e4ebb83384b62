from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.forms.utils import flatatt
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe

#: A browser date picker. `<input type="date">` takes ISO dates only, whatever the locale's format.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FastSelect(forms.Select):
    """A single <select> rendered in Python. Django renders every <option> through a template,
    about 0.1 ms each: 70 ms of a page for a province's 730 alliances."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(option)}"{" selected" if option == chosen else ""}>{escape(label)}</option>'
            for option, label in ((str(v), str(lbl)) for v, lbl in self.choices)
        )
        return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")


def style_fields(form) -> None:
    """Bootstrap classes on every widget that has none yet, so `_form_fields.html` renders them:
    form-select for selects, form-check-input for a checkbox, form-control for the rest. Radio
    buttons and checkbox lists get none (it would land on each of their inputs)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):  # SelectMultiple is a Select
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where it names one, else on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target if field != NON_FIELD_ERRORS else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def form_page(request, *, form, context, on_valid, success_message, template="form.html"):
    """The portal's create/edit flow: a valid form goes through a service inside one transaction;
    the service's ValidationError lands on the form and nothing is saved. `context["back"]` (a URL
    or a URL name) is where "cancel" goes, and where to go after saving when the object has no page.
    `success_message` may be a callable given the saved object. `form.html` also reads `wide`,
    `submit_label`, `form_id` and `note` from the context."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                obj = on_valid(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success_message(obj) if callable(success_message) else success_message)
            return redirect(obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else context["back"])
    return render(request, template, {**context, "form": form}, status=400 if form.errors else 200)
