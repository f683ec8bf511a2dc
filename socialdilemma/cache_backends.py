"""Django's Redis cache, reusing one client per connection pool, with a one-round-trip incr.

Django's RedisCacheClient builds a new redis.Redis object for every cache call; building one (its
table of response callbacks) costs more than the Redis round trip itself. The connection pools were
already shared; now the clients are too.

Django's incr asks Redis whether the key exists, then increments it: two round trips, and a key that
expires in between comes back as a counter without expiry. The rate limit increments on every form
submission, so here both steps are one atomic Lua script.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

INCREMENT_EXISTING = """
if redis.call('exists', KEYS[1]) == 1 then
    return redis.call('incrby', KEYS[1], ARGV[1])
end
return false
"""


class ReusingRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(index)
        if client is None:
            client = clients[index] = self._client(connection_pool=self._get_connection_pool(write))
            client.increment_existing = client.register_script(INCREMENT_EXISTING)
        return client

    def incr(self, key, delta):
        value = self.get_client(key, write=True).increment_existing(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class ReusingRedisCache(RedisCache):
    @cached_property
    def _cache(self):
        return ReusingRedisCacheClient(self._servers, **self._options)
