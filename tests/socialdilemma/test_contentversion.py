"""The content version kept current in every process through Redis pub/sub (REDIS_URL set)."""

import logging
import time
import uuid

import pytest
import redis

from socialdilemma.contentversion import RedisVersion

REDIS_URL = "redis://127.0.0.1:6379/0"


def wait_until(condition, seconds=5):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def trusted(store):
    version, trusted_until = store._copy
    return version is not None and time.monotonic() < trusted_until


@pytest.fixture
def name():
    name = f"test-content-version-{uuid.uuid4().hex}"
    yield name
    redis.Redis.from_url(REDIS_URL).delete(name)


@pytest.fixture
def stores(name):
    """Two stores of one name: two processes of the site as far as Redis can tell."""
    created = [RedisVersion(REDIS_URL, name) for _ in range(2)]
    yield created
    for store in created:
        store.stop()


def test_a_replacement_reaches_every_subscribed_process_before_it_returns(stores):
    reader, editor = stores
    first = reader.current()
    wait_until(lambda: trusted(reader))
    assert editor.current() == first
    wait_until(lambda: trusted(editor))
    for _ in range(20):
        version = editor.replace()
        # No waiting: replace() returned only once the reader had confirmed the new version.
        assert reader._copy[0] == version
        assert reader.current() == version


def test_while_the_subscription_lives_reads_never_ask_redis(stores, monkeypatch):
    reader, editor = stores
    reader.current()
    wait_until(lambda: trusted(reader))
    reads = []
    monkeypatch.setattr(reader, "_read", lambda: reads.append(1))
    for _ in range(1000):
        reader.current()
    assert reads == []
    version = editor.replace()
    assert reader.current() == version
    assert reads == []


def test_without_a_subscription_reads_ask_redis_and_stay_fresh(stores, caplog):
    reader, editor = stores
    reader.current()
    wait_until(lambda: trusted(reader))
    with caplog.at_level(logging.WARNING, logger="socialdilemma.contentversion"):
        # Every subscriber's connection dropped, as when Redis restarts.
        redis.Redis.from_url(REDIS_URL).client_kill_filter(_type="pubsub")
        wait_until(lambda: not trusted(reader))
        version = editor.replace()
        assert reader.current() == version  # read from Redis
    assert "Lost the content version subscription" in caplog.text
    assert "did not confirm" not in caplog.text  # the lost subscription does not hold up replacements
    # The watcher subscribes again by itself and is trusted again, with the current version.
    wait_until(lambda: trusted(reader))
    assert reader._copy[0] == version
    assert caplog.text.count("Lost the content version subscription") == 1
    assert "Subscribed to content version changes again" in caplog.text
    version = editor.replace()
    assert reader.current() == version


def test_a_subscriber_that_never_confirms_delays_a_replacement_only_briefly(name, caplog):
    silent = redis.Redis.from_url(REDIS_URL).pubsub()
    silent.subscribe(name)
    assert silent.get_message(timeout=2)["type"] == "subscribe"
    editor = RedisVersion(REDIS_URL, name)
    editor.CONFIRM_SECONDS = 0.3
    try:
        with caplog.at_level(logging.WARNING, logger="socialdilemma.contentversion"):
            started = time.monotonic()
            version = editor.replace()
            waited = time.monotonic() - started
        assert 0.3 <= waited < 2
        assert "1 of 1 processes did not confirm" in caplog.text
        assert silent.get_message(timeout=2)["data"].decode() == version
        assert editor.current() == version
    finally:
        silent.close()
        editor.stop()


def test_a_new_version_is_started_when_redis_has_none(name):
    store = RedisVersion(REDIS_URL, name)
    try:
        version = store.current()
        assert len(version) == 32
        assert redis.Redis.from_url(REDIS_URL).get(name).decode() == version
        assert store.current() == version
    finally:
        store.stop()


def test_an_unreachable_redis_is_reported_once_not_on_every_retry(name, caplog):
    from tests.servers import free_port

    store = RedisVersion(f"redis://127.0.0.1:{free_port()}/0", name)  # nothing listens there
    store.RETRY_SECONDS = 0.05
    try:
        with caplog.at_level(logging.WARNING, logger="socialdilemma.contentversion"):
            with pytest.raises(redis.ConnectionError):
                store.current()  # no copy, and Redis cannot be read: the caller sees the error
            time.sleep(0.5)  # several retries
        assert caplog.text.count("Lost the content version subscription") == 1
    finally:
        store.stop()
