"""The site's own error pages (public/views/errors.py): they tell the reader what went wrong, and
nothing of the internals."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import path


def boom(request):
    raise RuntimeError("secret internals: password=hunter2")


urlpatterns = [path("boom/", boom), path("api/boom/", boom)]
handler404 = "public.views.errors.page_not_found"
handler500 = "public.views.errors.server_error"


@pytest.mark.django_db
@pytest.mark.urls("tests.public.test_error_pages")
def test_500_page_tells_nothing_of_the_internals():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "hunter2" not in body and "RuntimeError" not in body and "Traceback" not in body
    api = client.get("/api/boom/")
    assert (api.status_code, api.json()) == (
        500,
        {"detail": "Server error. It has been logged; try again in a moment."},
    )


@pytest.mark.django_db
def test_404_page_is_the_sites_own(client):
    response = client.get("/events/no-such-event/")
    assert response.status_code == 404
    assert "There is no published page at this address" in response.content.decode()
    assert client.get("/api/no-such-resource/").json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_400_page_for_a_disallowed_host(client):
    response = client.get("/events/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    body = response.content.decode()
    assert "This request could not be understood" in body
    assert "ALLOWED_HOSTS" not in body and "evil.example" not in body


@pytest.mark.django_db
def test_403_page_for_a_form_without_csrf_token():
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "sent without a valid security token" in response.content.decode()


@pytest.mark.django_db
def test_403_page_for_a_signed_in_user_without_rights(client):
    user = get_user_model().objects.create_user("reader", password="pw-for-tests-only", is_staff=True)
    client.force_login(user)
    response = client.get("/admin/events/event/add/")
    assert response.status_code == 403
    assert "needs an editor's account with the right permission" in response.content.decode()
