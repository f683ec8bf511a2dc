"""The Redis cache used with REDIS_URL (socialdilemma.cache_backends)."""

import logging
import uuid

import pytest
import redis

from socialdilemma.cache_backends import ReusingRedisCache

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def cache():
    prefix = f"test-{uuid.uuid4().hex}"
    cache = ReusingRedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    yield cache
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_incr_increments_an_existing_counter_in_one_round_trip_and_keeps_its_expiry(cache, monkeypatch):
    assert cache.add("counter", 1, 60)
    commands = []
    client = cache._cache.get_client("counter", write=True)
    original = client.execute_command
    monkeypatch.setattr(
        client, "execute_command", lambda *args, **kw: commands.append(args[0]) or original(*args, **kw)
    )
    assert cache.incr("counter") == 2  # Redis learns the script (once per server)
    commands.clear()
    assert cache.incr("counter") == 3
    assert cache.incr("counter", 5) == 8
    assert commands == ["EVALSHA", "EVALSHA"]
    assert cache.get("counter") == 8
    assert 0 < redis.Redis.from_url(REDIS_URL).ttl(cache.make_key("counter")) <= 60


def test_incr_of_a_missing_key_raises_like_djangos_and_creates_nothing(cache):
    with pytest.raises(ValueError, match="not found"):
        cache.incr("missing")
    assert cache.get("missing") is None


def test_one_client_per_pool(cache):
    assert cache._cache.get_client("a", write=True) is cache._cache.get_client("b", write=True)


def test_while_redis_is_unreachable_the_degrading_cache_answers_like_an_empty_one(caplog):
    from socialdilemma.cache_backends import DegradingRedisCache, DegradingRedisCacheClient

    DegradingRedisCacheClient.outage_noticed = False
    cache = DegradingRedisCache("redis://127.0.0.1:1/0", {})  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger="socialdilemma.cache_backends"):
        assert cache.get("groups", "fallback") == "fallback"
        assert cache.get_or_set("groups", lambda: {"analytics": 1}, 60) == {"analytics": 1}  # computed
        assert cache.add("counter", 1, 60) is False
        with pytest.raises(ValueError):
            cache.incr("counter")  # as for a missing key: django-ratelimit then lets the form through
        cache.set("key", "value", 60)
        assert cache.get_many(["a", "b"]) == {}
        assert cache.delete("key") is False
    assert caplog.text.count("Redis is unreachable") == 1
    DegradingRedisCacheClient.outage_noticed = False


def test_the_degrading_cache_works_normally_while_redis_answers(cache):
    from socialdilemma.cache_backends import DegradingRedisCache

    degrading = DegradingRedisCache(REDIS_URL, {"KEY_PREFIX": cache.key_prefix})
    degrading.set("key", "value", 60)
    assert cache.get("key") == "value" and degrading.get("key") == "value"
    assert degrading.add("counter", 1, 60) and degrading.incr("counter") == 2


def test_the_file_cache_is_used_only_in_a_folder_of_this_user_alone(tmp_path):
    from socialdilemma.cache_backends import PrivateFileBasedCache

    private = PrivateFileBasedCache(str(tmp_path / "cache"), {})
    private.set("version", "v1", 60)  # creates the folder, mode 0700
    assert private.get("version") == "v1"
    # A folder others can write to (where they could have planted pickles) is refused, reads included.
    (tmp_path / "cache").chmod(0o777)
    with pytest.raises(PermissionError, match="not this user's alone"):
        private.get("version")
    with pytest.raises(PermissionError):
        private.set("version", "v2", 60)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(elsewhere)
    with pytest.raises(PermissionError):
        PrivateFileBasedCache(str(tmp_path / "link"), {}).get("version")


def test_the_file_cache_counts_its_files_now_and_then_not_on_every_write(tmp_path):
    from unittest import mock

    from socialdilemma.cache_backends import PrivateFileBasedCache

    cache = PrivateFileBasedCache(str(tmp_path / "cache"), {"OPTIONS": {"MAX_ENTRIES": 10}})
    with mock.patch.object(cache, "_list_cache_files", wraps=cache._list_cache_files) as listing:
        for n in range(30):
            cache.set(f"counter-{n}", n, 60)
    assert listing.call_count == 1
    assert cache.get("counter-29") == 29
    cache._next_cull = 0.0  # CULL_SECONDS later: the next write culls down to MAX_ENTRIES
    cache.set("one-more", 1, 60)
    assert len(cache._list_cache_files()) <= 31 - 31 // 3 + 1


def _count_up(folder, times):
    from socialdilemma.cache_backends import PrivateFileBasedCache

    cache = PrivateFileBasedCache(folder, {})
    for _ in range(times):
        cache.add("counter", 0, 60)
        cache.incr("counter")


def test_file_cache_counters_lose_no_increment_between_processes(tmp_path):
    """Rate limits and sign-in tries are counted by several processes at once (gunicorn's workers)."""
    import multiprocessing

    from socialdilemma.cache_backends import PrivateFileBasedCache

    folder = str(tmp_path / "cache")
    processes = [multiprocessing.get_context("fork").Process(target=_count_up, args=(folder, 150)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert PrivateFileBasedCache(folder, {}).get("counter") == 600


def test_a_full_file_cache_drops_expired_entries_before_any_live_one(tmp_path):
    from socialdilemma.cache_backends import PrivateFileBasedCache

    cache = PrivateFileBasedCache(str(tmp_path / "cache"), {"OPTIONS": {"MAX_ENTRIES": 10}})
    cache.set("counter", 1, 3600)
    for n in range(30):
        cache.set(f"expired-{n}", n, 0)  # a timeout of 0 has expired at once
    cache._next_cull = 0  # culled now, not CULL_SECONDS later
    cache._cull()
    assert cache.get("counter") == 1 and len(cache._list_cache_files()) == 1
    # Live entries beyond MAX_ENTRIES still make room (a third of them).
    for n in range(14):
        cache.set(f"live-{n}", n, 3600)
    cache._next_cull = 0
    cache._cull()
    assert len(cache._list_cache_files()) == 10


@pytest.mark.django_db
def test_what_anyone_can_add_without_limit_never_displaces_a_limit(client, settings):
    """FAQ searches are not limited and each unanswered one adds records; they go to the site's cache, so
    filling it cannot make room by dropping a rate-limit count (or the admin sign-in's failures)."""
    from django.core.cache import caches

    settings.SCREENING_RATE_LIMIT = "2/h"
    for _n in range(2):
        client.post("/en/screenings/link/", {"email": "a@example.org"}, REMOTE_ADDR="198.51.100.9")
    limits = set(caches["limits"]._list_cache_files())
    site = caches["default"]
    site._max_entries, site._next_cull = 5, 0
    for n in range(40):
        client.get(f"/en/faq/?q=zzqx{n}", REMOTE_ADDR=f"198.51.100.{n % 2 + 20}")
        site._next_cull = 0
    assert set(caches["limits"]._list_cache_files()) == limits
    assert (
        client.post("/en/screenings/link/", {"email": "a@example.org"}, REMOTE_ADDR="198.51.100.9").status_code == 429
    )
    assert caches["lockout"]._dir == caches["limits"]._dir != site._dir


def test_a_counter_in_the_file_cache_keeps_its_own_expiry_when_incremented(tmp_path):
    """Django's incr rewrote the count with the default timeout (300 s): an hour's or a day's limit ended
    five minutes after its last try, and the admin sign-in's lockout with it."""
    import pickle
    import time

    from socialdilemma.cache_backends import PrivateFileBasedCache

    cache = PrivateFileBasedCache(str(tmp_path / "cache"), {})
    cache.add("counter", 1, 24 * 60 * 60)
    assert cache.incr("counter") == 2 and cache.incr("counter", 3) == 5 and cache.get("counter") == 5
    with open(cache._key_to_file("counter"), "rb") as file:
        expiry = pickle.load(file)  # noqa: S301 - written by this test
    assert expiry - time.time() == pytest.approx(24 * 60 * 60, abs=5)
    with pytest.raises(ValueError):
        cache.incr("missing")
    cache.set("gone", 1, 0)  # expired at once
    with pytest.raises(ValueError):
        cache.incr("gone")
