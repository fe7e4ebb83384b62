"""Write the example workbooks of the enterprise, Party-organisation and membership imports (issue 11 §4) into
docs/examples/: each as a county keeps it (a merged title row above the headers), a clean one and one
with the slips staff typically make. They fit the demo data (`make run`, alliances.demo): import them
into 汶上县 as the demo's organisation staff (org_admin).

    .venv/bin/python scripts/make_import_examples.py

tests/alliances/test_import_examples.py checks the committed files against the demo.
"""

import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"


def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chainparty.settings.dev")
    import django

    django.setup()


def party_rows():
    from alliances.demo import ENTERPRISES

    names = {key: name for key, name, *_rest in ENTERPRISES}
    employees = {key: staff for key, _n, _i, _s, _r, _z, staff, _l in ENTERPRISES}
    legal = {key: person for key, *_rest, person in ENTERPRISES}

    def as_demo(key):  # what alliances.demo recorded: the same file again changes nothing
        name, staff = names[key], employees[key]
        big = staff >= 800
        return [
            f"{name}{'党委' if big else '党支部'}",
            "党委" if big else "党支部",
            name,
            legal[key],
            max(3, staff // 25),
            max(1, staff // 300),
            max(2, staff // 120),
            dt.date(2015 + len(name) % 8, 7, 1),
        ]

    return [
        as_demo("hongruixuan"),
        as_demo("xinhuayuan"),
        as_demo("ws_equip_1"),
        ["汶上县好姐妹服饰有限公司党支部", "党支部", names["ws_textile_4"], "李秀梅", 4, 1, 2, dt.date(2024, 7, 1)],
        ["汶上县锦程休闲服饰有限公司党支部", "党支部", names["ws_textile_6"], "陈锦程", 3, 0, 2, dt.date(2025, 3, 18)],
        ["山东汶化环保科技有限公司党支部", "党支部", names["ws_chem_2"], "孙化", 3, 1, 1, dt.date(2025, 6, 30)],
        # The joint branch grew: 9 -> 11 full members (a changed row).
        [
            "汶上县纺织服装企业联合党支部",
            "联合党支部",
            f"{names['ws_textile_2']}、{names['ws_textile_5']}",
            "王正权",
            11,
            1,
            4,
            dt.date(2023, 10, 16),
        ],
    ]


PARTY_HEADERS = ["党组织名称", "组织类别", "所在单位", "书记姓名", "党员人数", "预备党员", "入党积极分子", "成立时间"]


def party_slips(rows):
    """The slips of a hand-kept sheet: a short kind name, a misspelt enterprise, a number with its
    unit, a branch covering two enterprises, the same organisation twice."""
    rows = [list(row) for row in rows]
    rows[3][1] = "支部"  # offered as a fix: 党支部
    rows[4][2] = "汶上县锦程休闲服装有限公司"  # the closest name is named
    rows[5][4] = "三名"  # not a number
    rows[6][1] = "党支部"  # a 党支部 cannot cover two enterprises
    rows.append(list(rows[0]))  # the same organisation twice
    return rows


MEMBER_HEADERS = ["联盟名称", "成员单位", "产业链环节", "加入时间", "退出日期", "备注"]


def member_rows():
    return [
        ["汶上县纺织服装产业链党委", "汶上县鸿瑞轩服饰有限公司", "链主", dt.date(2023, 9, 1), None, ""],
        ["汶上县纺织服装产业链党委", "山东新花源纺织有限公司", "上游", dt.date(2023, 9, 1), None, ""],
        ["汶上县纺织服装产业链党委", "汶上县人力资源和社会保障局", "要素保障", dt.date(2023, 9, 1), None, ""],
        # Left the committee at the end of June 2026 (a changed row; the history is kept).
        [
            "汶上县纺织服装产业链党委",
            "汶上县锦程休闲服饰有限公司",
            "下游",
            dt.date(2023, 9, 1),
            dt.date(2026, 6, 30),
            "转产",
        ],
        ["汶上县高端装备产业链党委", "汶上县绿源新材料有限公司", "配套", dt.date(2026, 3, 1), None, "新材料配套"],
        ["汶上县绿色化工产业链党委", "汶上县人力资源和社会保障局", "要素保障", dt.date(2026, 1, 5), None, ""],
        ["汶上县绿色化工产业链党委", "汶上县地方金融服务中心", "要素保障", dt.date(2026, 1, 5), None, ""],
    ]


def member_slips(rows):
    """A shortened alliance name, 上游企业 for 上游, a member who is not on the platform, a second
    joining while still a member, a leaving date before joining."""
    rows = [list(row) for row in rows]
    rows[1][0] = "纺织服装产业链党委"
    rows[4][2] = "配套企业"
    rows[5][1] = "汶上县人力资源社会保障局"
    rows.append(["汶上县纺织服装产业链党委", "山东新花源纺织有限公司", "上游", dt.date(2025, 1, 1), None, ""])
    rows.append(
        ["汶上县绿色化工产业链党委", "汶上县工业和信息化局", "要素保障", dt.date(2026, 5, 1), dt.date(2026, 4, 1), ""]
    )
    return rows


ENTERPRISE_HEADERS = [
    "序号",
    "统一社会信用代码",
    "企业名称",
    "所属行业",
    "企业规模",
    "所在片区",
    "地址",
    "职工人数",
    "法定代表人",
    "联系人",
    "联系电话",
]
ENTERPRISE_COUNT = 700  # Wenshang's textile and garment enterprises (seed 000)

_FIRST = "鲁汶锦华瑞恒泰盛鑫源宏达兴隆祥和福顺嘉丰润泽金银宝新天"
_SECOND = "纺织服饰制衣家纺针织印染面料辅料"
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
_GIVEN = "建国志强秀英桂兰海涛立新红梅文华明亮玉兰春生永刚凤英德胜金山"


def enterprise_rows():
    """The demo's 汶上县 enterprises as recorded (unchanged when imported again), then new
    textile and garment enterprises up to 700 rows, as a county's 台账 lists them: a serial number
    column the import does not know (reported, not fatal), codes as text, one row per enterprise."""
    from alliances.demo import ENTERPRISES, ZONES, demo_credit_code
    from alliances.validators import uscc_check_char

    zones = {key: name for key, name, *_rest in ZONES}
    rows = []
    for _key, name, industry, size, region, zone, employees, legal in ENTERPRISES:
        if region != "wenshang":
            continue
        code = demo_credit_code("370830", name)
        rows.append(
            [
                code,
                name,
                industry,
                "规上" if size == "above" else "规下",
                zones[zone],
                f"汶上县{zones[zone]}",
                employees,
                legal,
                legal,
                "0537-" + code[9:16],
            ]
        )
    kinds = ["有限公司", "有限责任公司", "科技有限公司", "实业有限公司", "股份有限公司"]
    towns = ["纺织服装产业园", "南站镇", "汶上经济开发区"]
    serial = 0
    while len(rows) < ENTERPRISE_COUNT:
        first = _FIRST[serial % len(_FIRST)] + _FIRST[(serial // len(_FIRST)) % len(_FIRST)]
        kind = kinds[(serial // 8) % len(kinds)]
        trade = _SECOND[serial % 8 * 2 : serial % 8 * 2 + 2]
        name = f"汶上县{first}{trade}{kind}"
        body = f"91370830MA3W{serial:05d}"
        person = (
            _SURNAMES[serial % len(_SURNAMES)] + _GIVEN[(serial * 2) % len(_GIVEN) : (serial * 2) % len(_GIVEN) + 2]
        )
        employees = 20 + (serial * 37) % 900
        town = towns[serial % len(towns)]
        rows.append(
            [
                body + uscc_check_char(body),
                name,
                "纺织服装",
                "规上" if employees >= 300 else "规下",
                town,
                f"汶上县{town}{serial % 90 + 1}号",
                employees,
                person,
                person,
                f"139{53700000 + serial:08d}",
            ]
        )
        serial += 1
    return [[number, *row] for number, row in enumerate(rows, start=1)]


def enterprise_slips(rows):
    """The slips of a hand-kept roster: a wrong check character, full-width digits and a space in
    codes, a code Excel turned into 9.13708E+17, 规模以上 for 规上, a zone misspelt, employees with
    their unit, the same enterprise twice."""
    rows = [list(row) for row in rows]
    rows[20][1] = rows[20][1][:17] + ("0" if rows[20][1][17] != "0" else "1")  # the expected one is named
    rows[40][1] = rows[40][1].translate(str.maketrans("0123456789", "０１２３４５６７８９"))  # offered as a fix
    rows[60][1] = rows[60][1][:8] + " " + rows[60][1][8:]  # offered as a fix
    rows[80][1] = 9.13708301e17  # what Excel shows when the column was not text: refused, with the reason
    rows[100][4] = "规模以上"  # offered as a fix: 规上
    rows[120][5] = "纺织服装产业区"  # the closest zone is named
    rows[140][7] = "三百人"  # not a number
    rows.append(list(rows[10]))  # the same enterprise twice
    rows[-1][0] = len(rows)
    return rows


def write(path, title, headers, rows):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for index in range(1, len(headers) + 1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = 22
    book.properties.creator = "ChainParty"
    book.properties.created = book.properties.modified = dt.datetime(2026, 12, 1)
    book.save(path)


FILES = {
    "企业台账-汶上县.xlsx": ("汶上县纺织服装企业台账", ENTERPRISE_HEADERS, enterprise_rows),
    "企业台账-汶上县-有错漏.xlsx": (
        "汶上县纺织服装企业台账",
        ENTERPRISE_HEADERS,
        lambda: enterprise_slips(enterprise_rows()),
    ),
    "党组织台账-汶上县.xlsx": ("汶上县非公企业党组织台账", PARTY_HEADERS, party_rows),
    "党组织台账-汶上县-有错漏.xlsx": ("汶上县非公企业党组织台账", PARTY_HEADERS, lambda: party_slips(party_rows())),
    "联盟成员台账-汶上县.xlsx": ("汶上县产业链党委成员单位台账", MEMBER_HEADERS, member_rows),
    "联盟成员台账-汶上县-有错漏.xlsx": (
        "汶上县产业链党委成员单位台账",
        MEMBER_HEADERS,
        lambda: member_slips(member_rows()),
    ),
}


def main():
    _setup()
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    for filename, (title, headers, rows) in FILES.items():
        write(EXAMPLES / filename, title, headers, rows())
        print(EXAMPLES / filename)


if __name__ == "__main__":
    main()
