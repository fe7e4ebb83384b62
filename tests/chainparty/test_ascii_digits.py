"""Mobile numbers and phones are ASCII digits only: `\\d` also matches full-width (１３８…) and
Arabic-Indic (١٣٨…) digits, which look like a number and are stored as something else (review
finding 9)."""

import pytest
from django.core.exceptions import ValidationError

from alliances.people.forms import PersonForm
from chainparty.models import User, mobile_validator
from chainparty.validators import is_ascii_id, validate_phone

# The leading "13" in ASCII: the old pattern checked those literally and took any digit after.
FULL_WIDTH = "13８１２３４５６７８"
ARABIC_INDIC = "13٨١٢٣٤٥٦٧٨"
MIXED = "1381234567٨"


@pytest.mark.parametrize("number", [FULL_WIDTH, ARABIC_INDIC, MIXED])
def test_a_mobile_in_other_digits_is_refused(number):
    with pytest.raises(ValidationError):
        mobile_validator(number)
    with pytest.raises(ValidationError) as refused:
        User(username="x", mobile=number).clean_fields(exclude=["password"])
    assert "mobile" in refused.value.error_dict
    with pytest.raises(ValidationError):
        validate_phone(number)
    assert not is_ascii_id(number)


def test_an_ascii_mobile_passes():
    mobile_validator("13812345678")
    User(username="x", mobile="13812345678").clean_fields(exclude=["password"])


@pytest.mark.django_db
def test_the_people_form_refuses_full_width_digits(world, personas):
    assert "mobile" in PersonForm.base_fields
    field = PersonForm.base_fields["mobile"]
    with pytest.raises(ValidationError):
        field.clean(FULL_WIDTH)
