"""Django's Redis cache, reusing one client per connection pool, with a one-round-trip incr, and a
variant that degrades to an empty cache while Redis is unreachable; and Django's file cache, used only
in a folder of the site's user alone.

Django's RedisCacheClient builds a new redis.Redis object for every cache call; building one (its
table of response callbacks) costs more than the Redis round trip itself. The connection pools were
already shared; now the clients are too.

Django's incr asks Redis whether the key exists, then increments it: two round trips, and a key that
expires in between comes back as a counter without expiry. The rate limit increments on every form
submission, so here both steps are one atomic Lua script.
"""

import fcntl
import logging
import os
import pickle
import random
import time
import zlib
from contextlib import contextmanager

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

from .folders import is_private_folder

logger = logging.getLogger(__name__)

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


# What a Redis outage raises: the server down or unreachable, or not answering in time.
REDIS_UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError)


class DegradingRedisCacheClient(ReusingRedisCacheClient):
    """Answers like an empty cache that keeps nothing while Redis cannot be reached.

    Everything the site keeps in this cache can be recomputed or done without: the cookie groups are
    read from the database again, and the rate limit knows no count (the views decide what that
    means: RATELIMIT_FAIL_OPEN). So an outage of Redis makes the site slower, not unavailable. An
    outage is logged once, and so is its end.
    """

    outage_noticed = False  # per process, for logging an outage once

    def _degrading(self, fallback, operation, *args):
        try:
            result = operation(*args)
        except REDIS_UNAVAILABLE:
            if not DegradingRedisCacheClient.outage_noticed:
                DegradingRedisCacheClient.outage_noticed = True
                logger.warning("Redis is unreachable: the site runs without its shared cache meanwhile")
            if isinstance(fallback, Exception):
                raise fallback from None
            return fallback
        if DegradingRedisCacheClient.outage_noticed:
            DegradingRedisCacheClient.outage_noticed = False
            logger.warning("Redis answers again: the shared cache is back")
        return result

    def get(self, key, default):
        return self._degrading(default, super().get, key, default)

    def get_many(self, keys):
        return self._degrading({}, super().get_many, keys)

    def has_key(self, key):
        return self._degrading(False, super().has_key, key)

    def add(self, key, value, timeout):
        return self._degrading(False, super().add, key, value, timeout)

    def set(self, key, value, timeout):
        return self._degrading(None, super().set, key, value, timeout)

    def set_many(self, data, timeout):
        return self._degrading(None, super().set_many, data, timeout)

    def touch(self, key, timeout):
        return self._degrading(False, super().touch, key, timeout)

    def delete(self, key):
        return self._degrading(False, super().delete, key)

    def delete_many(self, keys):
        return self._degrading(None, super().delete_many, keys)

    def incr(self, key, delta):
        # As for a missing key: the caller knows no count (django-ratelimit then fails open).
        return self._degrading(ValueError(f"Key '{key}' not found: Redis is unreachable."), super().incr, key, delta)

    def clear(self):
        return self._degrading(False, super().clear)


class DegradingRedisCache(RedisCache):
    @cached_property
    def _cache(self):
        return DegradingRedisCacheClient(self._servers, **self._options)


class PrivateFileBasedCache(FileBasedCache):
    """Django's file cache, used only while its folder is this user's alone.

    The file cache unpickles what it reads, so a file planted by another local user would run as the
    site. Django creates a missing folder with mode 0700, but takes an existing one as it is; this
    checks the folder (a real folder, owned by this user, closed to others) before every use.
    """

    CULL_SECONDS = 10  # how often at most a process counts the cache's files

    def _cull(self):
        # Django lists the whole folder on every write to count its files: with a rate-limit counter
        # per client that is thousands of files per registration. Counting now and then keeps
        # MAX_ENTRIES all the same (exceeded by at most what is written in CULL_SECONDS).
        now = time.monotonic()
        if now < self.__dict__.get("_next_cull", 0.0):
            return
        self._next_cull = now + self.CULL_SECONDS
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        # Django drops a random third of all entries, live ones among them; expired entries go first here,
        # and live ones only when the expired were not enough.
        live = [name for name in files if not self._removed_if_expired(name)]
        if len(live) >= self._max_entries:
            for name in random.sample(live, len(live) // max(self._cull_frequency, 1)):
                self._delete(name)

    def _removed_if_expired(self, name):
        try:
            with open(name, "rb") as file:  # noqa: PTH123 - as Django's own file cache opens them
                return self._is_expired(file)
        except FileNotFoundError:
            return True  # removed by another process meanwhile

    def _createdir(self):
        super()._createdir()
        self._check_private()

    def _key_to_file(self, key, version=None):
        self._check_private()
        return super()._key_to_file(key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._counters_locked():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        """Django's incr writes the new count with the cache's default timeout (300 s), which would end
        every limit's window (an hour, a day) five minutes after its last try: here the count keeps the
        expiry it was added with."""
        with self._counters_locked():
            name = self._key_to_file(key, version)
            try:
                with open(name, "rb") as file:  # noqa: PTH123 - as Django's own file cache opens them
                    expiry = pickle.load(file)  # noqa: S301 - the site's own private folder (see _check_private)
                    value = pickle.loads(zlib.decompress(file.read()))  # noqa: S301 - likewise
            except FileNotFoundError:
                raise ValueError(f"Key '{key}' not found") from None
            remaining = None if expiry is None else expiry - time.time()
            if remaining is not None and remaining <= 0:
                self._delete(name)
                raise ValueError(f"Key '{key}' not found")
            self.set(key, value + delta, remaining, version)
            return value + delta

    @contextmanager
    def _counters_locked(self):
        """Django's file cache reads and writes a counter in two steps, so processes racing on it lose
        increments (20 simultaneous sign-ins got 9 passwords checked against a limit of 5). add and incr
        hold an exclusive lock on one file of the folder, which makes them atomic for all processes."""
        self._createdir()
        with open(os.path.join(self._dir, "counters.lock"), "a") as lock:  # noqa: PTH118, PTH123
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _check_private(self):
        try:
            private = is_private_folder(self._dir)
        except FileNotFoundError:
            return  # nothing to read; a write creates it privately
        if not private:
            raise PermissionError(f"The cache folder {self._dir} is not this user's alone; it is not used.")
