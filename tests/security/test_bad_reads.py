"""Bad input to every public page and every API read, in every parameter: each answer is a 4xx
with a message (or the normal answer, when the address ignores that parameter), never a 500,
never markup reflected raw, and nothing stored changes.

One test per address, looping over the corpus and collecting every failure, so that a run
names all the bad cases at once.
"""

import os
from collections import Counter

import pytest

from . import corpus

pytestmark = [pytest.mark.django_db, pytest.mark.generated]

PAGES = corpus.page_addresses()
API_READS = corpus.api_operations(methods=("get",)) + corpus.unlisted_api_addresses()
REQUESTS = Counter()


@pytest.fixture(autouse=True)
def schema_generated_once(monkeypatch):
    """/api/schema/ generates the OpenAPI document on every request (0.3 to 0.7 s). Bad input
    changes the view's answer, not the document: generate it once per test."""
    from drf_spectacular.generators import SchemaGenerator

    generate, documents = SchemaGenerator.get_schema, []

    def once(self, request=None, public=False):
        if not documents:
            documents.append(generate(self, request=request, public=public))
        return documents[0]

    monkeypatch.setattr(SchemaGenerator, "get_schema", once)


def send(client, address, path, query="", sent=None, **headers):
    """One GET; the failures it shows, as readable lines."""
    url = f"{path}?{query}" if query else path
    REQUESTS[address.label] += 1
    shown = url if len(url) < 160 else f"{url[:120]}…({len(url)} chars)"
    try:
        response = client.get(url, headers=headers)
        body = corpus.body_of(response)
    except Exception as error:  # noqa: BLE001 - any exception is the finding
        return [f"GET {shown} raised {type(error).__name__}: {str(error)[:200]}"]
    asked_html = "html" in headers.get("Accept", "")
    return [
        f"GET {shown} → {response.status_code}: {problem}"
        for problem in corpus.problems(path, response, body, sent, asked_html=asked_html)
    ]


def query_corpus(client, address, path):
    """Its own parameters with the whole corpus, in every shape; the common ones with the short
    list; odd query strings as a whole; odd headers and cookies."""
    failures = []
    for name, kind in address.parameters.items():
        for value in corpus.values_for(kind):
            failures += send(client, address, path, address.query(name, value.encoded), value.text)
        for _, query in corpus.shapes(name):
            failures += send(client, address, path, address.query(name, raw_query=query))
    for name in (name for name in corpus.COMMON_PARAMETERS if name not in address.parameters):
        for value in corpus.SHORT:
            failures += send(client, address, path, address.query(name, value.encoded), value.text)
    for _, query in corpus.QUERY_STRINGS:
        failures += send(client, address, path, query)
    for name, value in corpus.HEADERS:
        failures += send(client, address, path, address.query("x", "1"), value, **{name: value})
    return failures


def path_corpus(client, address, examples):
    failures = []
    for name, key in address.path_keys.items():
        if isinstance(key, tuple):  # a slug or id (a sitemap's section is a fixed name)
            for value in corpus.PATH_VALUES:
                path = address.path(examples, **{name: value.encoded})
                failures += send(client, address, path, address.query("x", "1"), value.text)
    return failures


def report(failures):
    return "\n".join([f"{len(failures)} failures:", *failures[: int(os.environ.get("CORPUS_SHOW", 40))]])


@pytest.mark.parametrize("address", PAGES, ids=[a.label for a in PAGES])
def test_page_refuses_bad_input_with_a_message(examples, address):
    client = corpus.CorpusClient()
    before = corpus.snapshot()
    failures = query_corpus(client, address, address.path(examples))
    failures += path_corpus(client, address, examples)
    failures += corpus.changes(before)
    assert not failures, report(failures)


@pytest.mark.parametrize("address", API_READS, ids=[a.label for a in API_READS])
def test_api_read_refuses_bad_input_with_a_message(examples, address):
    client = corpus.CorpusClient()
    path = address.path(examples)
    before = corpus.snapshot()
    failures = query_corpus(client, address, path)
    failures += path_corpus(client, address, examples)
    for suffix in corpus.SUFFIXES:  # /api/events.xml: the router takes a format suffix
        failures += send(client, address, path.rstrip("/") + "." + suffix, address.query("x", "1"))
    # The browsable API is HTML: markup sent in a parameter must not come back raw there either.
    markup = corpus.text(corpus.ALL_MARKUP)
    for name in address.parameters:
        query = address.query(name, markup.encoded)
        failures += send(client, address, path, query, markup.text, Accept="text/html")
    failures += corpus.changes(before)
    assert not failures, report(failures)


def test_the_corpus_reached_every_address():
    """Runs after the tests above (pytest keeps file order): proves the volume, not just the lists."""
    if not REQUESTS:
        pytest.skip("run together with the corpus tests")
    assert set(REQUESTS) == {a.label for a in PAGES + API_READS}
    print(f"\n{sum(REQUESTS.values())} requests to {len(REQUESTS)} addresses: {dict(REQUESTS)}")
    assert min(REQUESTS.values()) >= 50, REQUESTS
