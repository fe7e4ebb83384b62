"""FastSelect renders a <select> in Python, escaped, with the chosen option selected."""

from django import forms

from chainparty.forms_utils import FastSelect


class PickForm(forms.Form):
    alliance = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, widget=FastSelect)


def _form(data=None):
    form = PickForm(data)
    form.fields["alliance"].choices = [("", "全部"), (7, "汶上县<纺织>产业链党委"), (12, "兖州区食品医药")]
    return form


def test_the_chosen_option_is_selected_and_labels_are_escaped():
    form = _form({"alliance": "12"})
    assert form.is_valid() and form.cleaned_data["alliance"] == 12
    html = str(form["alliance"])
    assert html.startswith("<select") and 'name="alliance"' in html and 'id="id_alliance"' in html
    assert '<option value="12" selected>兖州区食品医药</option>' in html
    assert '<option value="7">汶上县&lt;纺织&gt;产业链党委</option>' in html
    assert html.count(" selected") == 1


def test_unbound_selects_the_empty_choice_and_a_foreign_value_is_refused():
    assert '<option value="" selected>全部</option>' in str(_form()["alliance"])
    form = _form({"alliance": "99"})
    assert not form.is_valid() and "alliance" in form.errors
