"""The dispatch form shows which departments have no handler and ties each handler to their
department, so the page offers only the chosen department's handlers."""

import re

import pytest

from demands.forms.needs import DispatchForm
from demands.services import workflow
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def unstaffed(world):
    """A county department nobody has been appointed to handle for yet."""
    return factories.DepartmentFactory(name="汶上县工业和信息化局", region=world.county)


@pytest.fixture
def accepted(personas, file_need):
    return workflow.need_accept(need=file_need(), actor=personas.secretary)


def _option(html, value, select="lead_handler"):
    """The <option> for `value` inside the <select name=`select`> (other selects share pk values)."""
    options = re.search(rf'<select name="{select}"[^>]*>(.*?)</select>', html, re.S).group(1)
    match = re.search(rf'<option value="{value}"[^>]*>[^<]*</option>', options)
    assert match, value
    return match.group(0)


def test_form_marks_departments_without_handler_and_ties_handlers_to_their_department(
    client_for, personas, world, accepted, unstaffed, co_department
):
    form = DispatchForm(need=accepted)
    labels = dict(form.fields["lead_department"].choices)
    assert labels[unstaffed.pk].endswith("（暂无办理人）")
    assert "暂无办理人" not in labels[world.department.pk]
    assert dict(form.fields["co_departments"].choices)[unstaffed.pk].endswith("（暂无办理人）")

    html = client_for(personas.secretary).get(accepted.get_absolute_url()).content.decode()
    handler_select = re.search(r'<select name="lead_handler"[^>]*>', html).group(0)
    assert 'data-department-field="lead_department"' in handler_select
    assert f'data-departments="{world.department.pk}"' in _option(html, personas.handler.pk)
    assert f'data-departments="{co_department.pk}"' in _option(html, co_department.test_handler.pk)
    assert "js/dispatch.js" in html  # the filtering script is a static file, nothing inline
