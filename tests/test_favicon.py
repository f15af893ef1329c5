"""The site has its own icon in the browser tab, served from static/ (no external asset)."""

import re

import pytest

pytestmark = pytest.mark.django_db

ICON_LINK = re.compile(r'<link rel="(icon|apple-touch-icon)" href="([^"]+)"(?: type="([^"]+)")?')


def test_pages_link_an_svg_icon_with_a_png_fallback(client):
    links = {(rel, kind) for rel, _, kind in ICON_LINK.findall(client.get("/").content.decode())}

    assert {("icon", "image/svg+xml"), ("icon", "image/png"), ("apple-touch-icon", "")} <= links


def test_every_linked_icon_is_served(client):
    hrefs = [href for _, href, _ in ICON_LINK.findall(client.get("/").content.decode())]
    assert hrefs

    for href in hrefs:
        response = client.get(href)
        assert response.status_code == 200, href
        assert response["Content-Type"].startswith("image/"), href


def test_favicon_ico_at_the_root_is_served_for_pages_without_a_link(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")
