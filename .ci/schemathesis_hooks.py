"""Schemathesis hooks for .ci/schemathesis: the editor's tool signs in as an editor's tool does.

The fuzzer calls DELETE /api/auth/token/ and POST /api/auth/token/rotate/ too, which end the
token it holds; a token fetched again here keeps the rest of the run an editor's."""

import os

import requests
import schemathesis

USERNAME = os.environ.get("RELATIONS_EDITOR_USERNAME")

if USERNAME:
    # A new token every 5 seconds rather than on each 401: schemathesis's own probes with a
    # wrong token (ignored_auth) get 401s too, and a password check costs about a second. After
    # the fuzzer revokes the token, requests get 401 for up to 5 s, which every check accepts.
    @schemathesis.auth(refresh_interval=5, retry_on=[])
    class EditorToken:
        def get(self, case, context):
            base = os.environ["RELATIONS_BASE_URL"]
            password = os.environ["RELATIONS_EDITOR_PASSWORD"]
            response = requests.post(
                f"{base}/api/auth/token/", json={"username": USERNAME, "password": password}, timeout=30
            )
            response.raise_for_status()
            return response.json()["token"]

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}
