"""The Content-Security-Policy is one the pages actually satisfy: a real browser reports no
violation on the public pages, the API's pages and the admin."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = [
    "/",
    "/events/",
    "/events/?actor=xi-jinping&date_from=2022-02",
    "/actors/",
    "/actors/xi-jinping/",
    "/quotes/",
    "/sources/",
    "/search/?q=olympics",
    "/no-such-page/",
    "/api/events/",
    "/api/docs/",
]
ADMIN = ["/admin/", "/admin/events/event/", "/admin/events/event/add/", "/admin/actors/actor/"]


@pytest.fixture
def site(live_server):
    seed_migration = importlib.import_module("events.migrations.0002_seed_cameo_event_types")
    seed_migration.seed(apps, None)
    call_command("loaddata", "putin_xi_olympics", verbosity=0)
    get_user_model().objects.create_superuser("csp-editor", password="pw-for-tests-only-123")
    return live_server.url


def violations_on(page, urls, base):
    found = []
    page.on(
        "console",
        lambda message: found.append((page.url, message.text)) if "Content Security Policy" in message.text else None,
    )
    for url in urls:
        response = page.goto(base + url)
        assert response.headers.get("content-security-policy"), url
        page.wait_for_load_state("networkidle")
    return found


def test_public_and_api_pages_satisfy_the_policy(site, page):
    found = violations_on(page, PUBLIC, site)
    assert found == [], "\n".join(f"{u}: {t[:150]}" for u, t in found)
    # The event detail page, with its JSON-LD block, reached by a link.
    page.goto(f"{site}/events/")
    page.locator("ol.rows li.row h3 a").first.click()
    page.wait_for_load_state("networkidle")
    assert violations_on(page, [page.url.removeprefix(site)], site) == []


def test_admin_satisfies_the_policy(site, page):
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "csp-editor")
    page.fill("#id_password", "pw-for-tests-only-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/")
    assert violations_on(page, ADMIN, site) == []
