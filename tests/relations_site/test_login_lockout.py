"""Sign-in rate limiting (django-axes, as the settings configure it): five failures lock that
address out for that username, and a stranger cannot lock an editor out everywhere."""

from django.test import Client


def admin_login(client, password, address="10.0.0.1"):
    return client.post("/admin/login/?next=/admin/", {"username": "ed", "password": password}, REMOTE_ADDR=address)


def test_admin_login_is_locked_after_five_failures_for_that_address(staff_editor):
    client = Client()
    for _ in range(4):
        assert admin_login(client, "wrong").status_code == 200  # the form again, with an error
    locked = admin_login(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Even the right password is refused now, from that address…
    assert admin_login(client, "right-password-123").status_code == 429
    # …but the editor can still sign in from elsewhere: a stranger cannot lock them out.
    assert admin_login(Client(), "right-password-123", address="10.0.0.2").status_code == 302


def test_successful_login_resets_the_count(staff_editor):
    client = Client()
    for _ in range(4):
        admin_login(client, "wrong")
    assert admin_login(client, "right-password-123").status_code == 302
    for _ in range(4):
        assert admin_login(Client(), "wrong").status_code == 200
