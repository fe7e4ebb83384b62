import pytest
from django.core.exceptions import ValidationError

from alliances.validators import uscc_check_char, validate_credit_code

REAL_CODES = [
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91110000802100433B",  # 中国石油化工股份有限公司
    "91370000163044841F",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_pass(code):
    validate_credit_code(code)
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9144030071526726XA", "校验位不正确"),
        ("9144030071526726X", "应为18位"),
        ("91440300715267O6XG", "不允许的字符"),
        ("9144AB0071526726XG", "行政区划码"),
    ],
)
def test_bad_codes_get_a_chinese_message(code, message):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert message in error.value.messages[0]
