"""The content version: one value in every cached page's key, replaced whenever staff change content.

Every process must see a new version on its very next request. Two ways to keep it, chosen by
REDIS_URL:

- Without Redis, the version lives in the file cache that all workers of one machine share. Reading it
  is a small file read on every request.
- With Redis, reading it from Redis on every request would cost a network round trip, about as much as
  serving a cached page. So each process keeps a copy that a background thread keeps current through
  Redis pub/sub. The process that replaces the version waits until every subscribed process has
  confirmed the new one before it goes on: once a staff edit has answered, every process serves the
  new version. A copy is trusted only while its subscription is known to be alive (it answers a ping
  every few seconds); otherwise requests read the version from Redis, as they always could.
"""

import logging
import os
import threading
import time
import uuid
from collections import deque

import redis
from django.conf import settings
from django.core.cache import cache
from redis.backoff import NoBackoff
from redis.retry import Retry

from .cache_backends import REDIS_UNAVAILABLE

logger = logging.getLogger(__name__)


def new_version():
    return uuid.uuid4().hex


class SharedCacheVersion:
    """The version in Django's shared cache (the file cache of one machine)."""

    key = "content-version"

    def current(self):
        version = cache.get(self.key)
        if version is None:
            # A cache that lost the version (cleared, say) starts a new one: no old page can match it.
            cache.add(self.key, new_version(), None)
            version = cache.get(self.key)
        return version

    def replace(self):
        version = new_version()
        cache.set(self.key, version, None)
        return version


class RedisVersion:
    """The version in Redis, with a copy in this process that Redis pub/sub keeps current."""

    PING_SECONDS = 0.5  # how often the watcher asks Redis whether its subscription is alive
    # A copy is trusted until TRUST_SECONDS after the last request whose answer has arrived was *sent*
    # (everything published before Redis took that request arrived before its answer). A replacement
    # waits longer than that for confirmations, so once it has returned no process still trusts a copy
    # older than it, confirmed or not.
    TRUST_SECONDS = 1.5
    CONFIRM_SECONDS = 2.0
    RETRY_SECONDS = 1.0

    def __init__(self, url, name):
        self.key = name  # a key and a channel of the same name do not collide in Redis
        self.channel = name
        # One retry: a pooled connection may be stale after Redis restarted. The socket timeout exceeds
        # the longest blocking command (BLPOP for confirmations).
        self.client = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=self.CONFIRM_SECONDS + 1, retry=Retry(NoBackoff(), 1)
        )
        # The subscription must never reconnect quietly (redis-py's default): messages sent while it
        # was away would be missed. An error reaches the watcher, which distrusts its copy at once.
        self._subscriber = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=5, retry=Retry(NoBackoff(), 0)
        )
        self._copy = (None, 0.0)  # (version, trusted until): replaced as a whole, so read without a lock
        self._watching_pid = None
        self._start_lock = threading.Lock()
        self._stop = threading.Event()  # each watcher thread gets an event of its own
        # Set when Redis or the subscription fails; cleared by the watcher once it is back and has
        # replaced the version. Meanwhile requests have no version, so pages are rendered, not cached.
        self._outage = False
        self._replacement_due = False  # a replacement that Redis could not take yet
        # Request threads and the watcher notice an outage at the same time: each is reported once.
        self._report_lock = threading.Lock()

    # --- reading --------------------------------------------------------------------------------
    def current(self):
        if self._watching_pid != os.getpid():
            self._start_watching()  # first use in this process (gunicorn forks its workers)
        version, trusted_until = self._copy
        if version is not None and time.monotonic() < trusted_until:
            return version
        if self._outage:
            return None
        try:
            return self._read()  # before the first subscription, or a copy not confirmed in time
        except REDIS_UNAVAILABLE:
            self._notice_outage()
            return None

    def _notice_outage(self):
        with self._report_lock:
            first = not self._outage  # once per outage, not once per retry or thread
            self._outage = True
        if first:
            logger.warning("No content version from Redis: pages are not cached until it is back")

    def _read(self):
        version = self.client.get(self.key)
        if version is None:
            self.client.set(self.key, new_version(), nx=True)
            version = self.client.get(self.key)
        return version.decode()

    # --- replacing ------------------------------------------------------------------------------
    def replace(self):
        """Store and announce a new version; return once every subscribed process has it (or after
        CONFIRM_SECONDS, logging the processes that did not confirm).

        While Redis is unreachable the edit goes through all the same: no process caches pages
        meanwhile, and each one replaces the version when Redis is back, before caching again.
        """
        version = new_version()
        try:
            with self.client.pipeline(transaction=True) as pipe:
                # One transaction: the order of announcements is the order of stored versions.
                pipe.set(self.key, version)
                pipe.publish(self.channel, version)
                _stored, receivers = pipe.execute()
        except REDIS_UNAVAILABLE:
            with self._report_lock:
                first = not self._replacement_due
                self._replacement_due = True
            if first:
                logger.warning("Redis is unreachable: the content version will be replaced once it answers")
            self._copy = (None, 0.0)
            self._notice_outage()
            # Where Redis is down for the other processes too, their copies lapse within TRUST_SECONDS:
            # the edit answers only then, and meanwhile no process caches.
            time.sleep(self.TRUST_SECONDS)
            return None
        self._replacement_due = False
        try:
            self._wait_for_confirmations(version, receivers)
        except REDIS_UNAVAILABLE:
            # Stored and announced; a process that could not confirm has lost its subscription too,
            # and caches nothing until it is back.
            logger.warning("Redis became unreachable while processes confirmed the new content version")
        return version

    def _wait_for_confirmations(self, version, receivers):
        confirmations = self._confirmation_key(version)
        confirmed = 0
        deadline = time.monotonic() + self.CONFIRM_SECONDS
        while confirmed < receivers:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.client.blpop([confirmations], timeout=remaining) is None:
                logger.warning(
                    "%d of %d processes did not confirm the new content version in time; "
                    "they stop caching once their subscription is found dead",
                    receivers - confirmed,
                    receivers,
                )
                break
            confirmed += 1
        self.client.delete(confirmations)

    def _confirmation_key(self, version):
        return f"{self.key}:confirmed:{version}"

    # --- the watcher thread ---------------------------------------------------------------------
    def _start_watching(self):
        with self._start_lock:
            if self._watching_pid == os.getpid():
                return
            self._copy = (None, 0.0)  # a copy inherited through fork has no watcher behind it
            self._stop = threading.Event()
            thread = threading.Thread(
                target=self._watch, args=(self._stop,), name="content-version-watcher", daemon=True
            )
            thread.start()
            self._watching_pid = os.getpid()

    def stop(self):
        """Stop this process's watcher (tests); the next read starts a new one."""
        self._stop.set()
        self._copy = (None, 0.0)
        self._watching_pid = None

    def _watch(self, stop):
        while not stop.is_set():
            pubsub = self._subscriber.pubsub()
            try:
                self._follow(pubsub, stop)
            except Exception as error:  # distrust the copy, then subscribe again
                if stop.is_set():
                    return
                self._copy = (None, 0.0)
                if not self._outage and not isinstance(error, (*REDIS_UNAVAILABLE, ConnectionError)):
                    logger.exception("The content version watcher failed")  # a bug, not an outage
                self._notice_outage()
                # Closed before waiting: redis-py may have subscribed it again, and an unread
                # subscription would keep replacements waiting for a confirmation that never comes.
                pubsub.close()
                stop.wait(self.RETRY_SECONDS)
            finally:
                pubsub.close()

    def _follow(self, pubsub, stop):
        if (self._outage or self._replacement_due) and self.replace() is None:
            # Back after an outage. Pages cached before it may be outdated by an edit made meanwhile,
            # which could not replace the version: it is replaced before any copy is trusted again.
            # (Before subscribing: a subscribed watcher would have to confirm its own replacement.)
            raise ConnectionError("Redis is still unreachable")
        subscribed_at = time.monotonic()
        pubsub.subscribe(self.channel)
        confirmation = pubsub.get_message(timeout=self.TRUST_SECONDS)
        if not confirmation or confirmation["type"] != "subscribe":
            raise ConnectionError("Redis did not confirm the subscription")
        # Subscribed first, read second: a replacement in between arrives as a message after this.
        self._copy = (self._read(), subscribed_at + self.TRUST_SECONDS)
        with self._report_lock:
            ended = self._outage
            self._outage = False
        if ended:
            logger.warning("Content version from Redis again: pages are cached again")
        pings = deque()  # when the pings not answered yet were sent
        last_ping = 0.0
        while not stop.is_set():
            if time.monotonic() - last_ping >= self.PING_SECONDS:
                last_ping = time.monotonic()
                pings.append(last_ping)
                pubsub.ping()
            message = pubsub.get_message(timeout=self.PING_SECONDS / 2)
            if message is not None and message["type"] == "message":
                version = message["data"].decode()
                self._copy = (version, self._copy[1])
                with self.client.pipeline(transaction=False) as pipe:
                    pipe.rpush(self._confirmation_key(version), os.getpid())
                    pipe.expire(self._confirmation_key(version), 60)
                    pipe.execute()
            elif message is not None and message["type"] == "pong" and pings:
                self._copy = (self._copy[0], pings.popleft() + self.TRUST_SECONDS)
            if pings and time.monotonic() - pings[0] > self.TRUST_SECONDS:
                raise ConnectionError("Redis stopped answering the subscription's pings")
            if self._replacement_due:  # a replacement failed while this subscription lived on
                self._replacement_due = False
                threading.Thread(target=self.replace, daemon=True).start()


_store = None
_store_lock = threading.Lock()


def store():
    """This process's content version store, for the configured shared cache."""
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                if settings.REDIS_URL:
                    _store = RedisVersion(settings.REDIS_URL, cache.make_key("page-content-version"))
                else:
                    _store = SharedCacheVersion()
    return _store
