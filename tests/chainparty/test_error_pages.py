"""Error pages are Chinese and in the portal's layout (the test settings run with DEBUG=False)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import get_template
from django.urls import path, reverse

from chainparty import urls as portal_urls


def _forbidden(request):
    raise PermissionDenied("您可以查看，但无权修改。")


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("test-errors/forbidden/", _forbidden),
    path("test-errors/broken/", _broken),
    *portal_urls.urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

NAVBAR = 'class="navbar'


def test_settings_hide_debug_pages(settings):
    assert settings.DEBUG is False


def test_unknown_page_is_a_chinese_404_in_the_portal(world, personas, client_for):
    response = client_for(personas.enterprise_secretary).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and NAVBAR in page
    assert reverse("alliances:alliance_list") in page  # the signed-in menu, to go on from here
    assert "Not Found" not in page


def test_a_hidden_object_is_a_chinese_404(world, personas, client_for):
    response = client_for(personas.enterprise_secretary).get(world.member.get_absolute_url())
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_anonymous_404_renders_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_permission_denied_is_a_chinese_403_with_the_reason(world, personas, client_for):
    response = client_for(personas.leader).get(reverse("alliances:alliance_edit", args=[world.alliance.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page and "您可以查看，但无权修改。" in page and NAVBAR in page
    assert "403 Forbidden" not in page


def test_a_view_raising_permission_denied(world, personas, client_for):
    response = client_for(personas.outsider).get("/test-errors/forbidden/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_a_crash_is_a_chinese_500(world, personas, client_for):
    client = client_for(personas.org_staff)
    client.raise_request_exception = False
    response = client.get("/test-errors/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错" in page and 'href="/"' in page
    assert "Server Error" not in page


def test_the_500_page_needs_no_context_and_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        page = get_template("500.html").render()
    assert "服务器出错" in page
