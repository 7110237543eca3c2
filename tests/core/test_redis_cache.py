"""The Redis cache backend production uses (CACHE_URL=redis://…), against this machine's Redis."""

import socket

import pytest

from core.redis_cache import RedisCache


def redis_running():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_running(), reason="no Redis at 127.0.0.1:6379")
def test_redis_backend_reuses_one_client_and_reads_many_keys_at_once():
    cache = RedisCache("redis://127.0.0.1:6379/7", {"KEY_PREFIX": "relations-tests"})
    cache.clear()
    cache.set("a", (1, "page"))
    cache.set("b", 2)
    assert cache.get_many(["a", "b", "missing"]) == {"a": (1, "page"), "b": 2}
    assert cache._cache.get_client() is cache._cache.get_client()
    assert cache._cache.get_client(write=True) is cache._cache.get_client()  # one server: one pool
    cache.clear()
    assert cache.get("a") is None
