from django.urls import reverse

from core.addresses import address_of


def test_an_address_filled_in_is_what_reverse_gives():
    event, quote = address_of("events:detail", "slug"), address_of("events:quote-detail", "pk", prefix="http://x")
    assert [event(slug) for slug in ("a", "xi-2022", "9")] == [
        reverse("events:detail", kwargs={"slug": slug}) for slug in ("a", "xi-2022", "9")
    ]
    assert quote(42) == "http://x" + reverse("events:quote-detail", kwargs={"pk": 42}) == "http://x/quotes/42/"
