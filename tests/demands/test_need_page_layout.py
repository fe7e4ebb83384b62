"""The need page's facts grid: each label stands on the same row as its value, whatever facts are shown."""

import re
from html.parser import HTMLParser

import pytest

from demands.models import Need
from tests.demands.offers_support import make_need

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, dict(attrs), parent, [], ""

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = self.current = _Node("root", [], None)

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        node = self.current
        while node is not None:
            node.text += data
            node = node.parent


def _find(node, predicate):
    if predicate(node):
        yield node
    for child in node.children:
        yield from _find(child, predicate)


def _grid_line(row, target):
    """Which line of a Bootstrap `.row` (at the sm breakpoint and up) the child `target` lands on:
    columns fill 12 units and a column that does not fit starts the next line."""
    line, used = 0, 0
    for child in row.children:
        widths = [int(m.group(1)) for c in child.classes if (m := re.fullmatch(r"col-(?:sm|md|lg)-(\d+)", c))]
        width = widths[0] if widths else 12
        if used + width > 12:
            line, used = line + 1, 0
        used += width
        if child is target:
            return line
    raise AssertionError("not a child of the row")


def _label_and_value_lines(html, label):
    tree = _Tree()
    tree.feed(html)
    dt = next(_find(tree.root, lambda n: n.tag == "dt" and n.text.strip() == label))
    dd = dt.parent.children[dt.parent.children.index(dt) + 1]
    assert dd.tag == "dd" and "row" in dt.parent.classes
    return _grid_line(dt.parent, dt), _grid_line(dt.parent, dd), dd.text


@pytest.mark.parametrize(
    "amounts",
    [
        {"people": 30, "people_solved": 19},  # 需求量 and 已落实 both shown
        {"people_solved": 19},  # 已落实 without 需求量
        {},
    ],
)
def test_rating_label_and_value_share_a_row(client_for, personas, world, amounts):
    need = make_need(
        world.lead,
        world.alliance,
        state=Need.State.RATED,
        title="缺少熟练缝纫工",
        rating=Need.Rating.SATISFIED,
        rating_comment="人社局对接及时",
        **amounts,
    )
    page = client_for(personas.enterprise_secretary).get(need.get_absolute_url())
    assert page.status_code == 200
    label_line, value_line, value = _label_and_value_lines(page.content.decode(), "满意度")
    assert label_line == value_line
    assert "人社局对接及时" in value
    if "people_solved" in amounts:
        assert len(set(_label_and_value_lines(page.content.decode(), "已落实")[:2])) == 1
