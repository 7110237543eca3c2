"""A reader's path through the public site, in a real browser (Debian's Chromium)."""

import importlib
import re

import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server):
    # Transactional tests empty every table afterwards, the migration-seeded CAMEO types
    # included: seed them again with the migration's own function.
    seed_migration = importlib.import_module("events.migrations.0002_seed_cameo_event_types")
    seed_migration.seed(apps, None)
    call_command("loaddata", "putin_xi_olympics", verbosity=0)
    return live_server.url


def test_reader_filters_opens_an_event_follows_a_participant_and_finds_a_quote(site, page, screenshot):
    from playwright.sync_api import expect

    # Filter events by actor (search-as-you-type suggests slugs) and by date.
    page.goto(f"{site}/events/")
    actor_input = page.locator("#f-actor-1")
    with page.expect_response(re.compile(r"/suggest/actors/\?q=Xi")) as suggestion:
        actor_input.press_sequentially("Xi", delay=50)
    assert suggestion.value.json()["results"][0]["slug"] == "xi-jinping"
    expect(page.locator("#actor-suggestions option[value='xi-jinping']")).to_have_count(1)
    actor_input.fill("xi-jinping")
    page.fill("#f-date_from", "2022-02")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"actor=xi-jinping.*date_from=2022-02"))
    titles = page.locator("ol.rows li.row h3 a").all_inner_texts()
    # The visit, and the 2014–2022 series of meetings whose period overlaps February 2022.
    assert titles == [
        "Xi Jinping receives Vladimir Putin in Beijing for the opening of the Winter Olympics",
        "Putin and Xi meet nearly 30 times",
    ]
    screenshot(page, "events-list-filtered")

    # Open the event.
    page.click("text=Xi Jinping receives Vladimir Putin")
    expect(page.locator("h1")).to_have_text(
        "Xi Jinping receives Vladimir Putin in Beijing for the opening of the Winter Olympics"
    )
    expect(page.locator("article")).to_contain_text("2–6 February 2022")
    screenshot(page, "event-detail")

    # Follow a participant to the actor page.
    page.click("article ul.plain li a:text-is('Vladimir Putin')")
    expect(page.locator("h1")).to_have_text("Vladimir Putin")
    expect(page.locator(".counterparts")).to_contain_text("Xi Jinping")
    expect(page.locator("ol.timeline")).to_contain_text("2–6 February 2022")
    screenshot(page, "actor-detail")

    # Search for a quote from the header's search box.
    page.fill("#site-q", "reasonable concerns")
    page.press("#site-q", "Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=reasonable"))
    quote_link = page.locator(".search-section", has_text="Quotes").locator("li.row a").first
    expect(quote_link).to_contain_text("Wang Yi")
    quote_link.click()
    expect(page.locator("blockquote")).to_contain_text(
        "Russia’s reasonable concerns must be taken seriously and resolved"
    )
    screenshot(page, "quote-detail")


def test_reader_can_add_a_second_actor_and_gets_either(site, page):
    from playwright.sync_api import expect

    page.goto(f"{site}/events/")
    page.fill("#f-actor-1", "wang-yi")
    page.click("button.add-actor")
    page.fill("#f-actor-2", "joe-biden")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"actor=wang-yi&actor=joe-biden"))
    titles = page.locator("ol.rows li.row h3 a").all_inner_texts()
    assert titles == [
        "Wang Yi tells Antony Blinken that Russia's security concerns over Ukraine must be respected",
        "Biden warns he will impose sanctions on Russia if it invades Ukraine",
    ]


def test_bad_date_shows_the_error_in_the_page(site, page, screenshot):
    from playwright.sync_api import expect

    response = page.goto(f"{site}/events/?date_from=2022-13")
    assert response.status == 400
    expect(page.locator(".errors[role=alert]")).to_contain_text("“2022-13” is not a real date.")


def test_pages_work_on_a_phone_without_javascript(site, browser, screenshot):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/events/?actor=vladimir-putin")
    expect(page.locator("ol.rows li.row")).to_have_count(2)
    page.click("details summary:text-is('Type')")  # facets collapse without scripts
    expect(page.locator("details:has(summary:text-is('Type')) ul")).to_be_hidden()
    screenshot(page, "events-list-phone")
    # Every kind of page fits the screen: nothing wider than the viewport.
    for path in ["/", "/events/", "/actors/", "/actors/russia/", "/quotes/", "/sources/1/", "/search/?q=russia"]:
        page.goto(f"{site}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()
