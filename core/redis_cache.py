"""Django's Redis cache backend, reusing one client per connection pool.

Django creates a ``redis.Redis`` for every cache call; redis-py 8 builds its table of response
callbacks in each constructor, 0.3 ms a time: two of them were half the cost of answering a
page from the public cache (bench/README.md). The client is thread-safe and Django keeps a
cache object per thread anyway.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
