"""The content version kept current in every process through Redis pub/sub (REDIS_URL set)."""

import logging
import subprocess
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


def test_a_process_that_lost_its_subscription_caches_nothing_until_it_is_back(stores, caplog):
    reader, editor = stores
    before = reader.current()
    wait_until(lambda: trusted(reader))
    with caplog.at_level(logging.WARNING, logger="socialdilemma.contentversion"):
        # Every subscriber's connection dropped, as when Redis restarts.
        redis.Redis.from_url(REDIS_URL).client_kill_filter(_type="pubsub")
        wait_until(lambda: not trusted(reader))
        assert reader.current() is None  # no version: its pages are rendered, not cached
        # The watcher subscribes again by itself. It replaced the version first: an edit made while it
        # was away may not have been able to replace it.
        wait_until(lambda: trusted(reader))
    after = reader.current()
    assert after != before
    assert after == redis.Redis.from_url(REDIS_URL).get(reader.key).decode()
    assert caplog.text.count("No content version from Redis") == 1
    assert "Content version from Redis again" in caplog.text
    assert "did not confirm" not in caplog.text  # the lost subscription does not hold up replacements
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


def test_an_unreachable_redis_is_reported_once_and_requests_do_without_a_version(name, caplog):
    from tests.servers import free_port

    store = RedisVersion(f"redis://127.0.0.1:{free_port()}/0", name)  # nothing listens there
    store.RETRY_SECONDS = 0.05
    try:
        with caplog.at_level(logging.WARNING, logger="socialdilemma.contentversion"):
            started = time.monotonic()
            assert store.current() is None  # no version: pages are rendered, not cached
            assert all(store.current() is None for _ in range(1000))
            assert time.monotonic() - started < 1  # requests do not wait for Redis; the watcher retries
            started = time.monotonic()
            assert store.replace() is None  # an edit is not refused ...
            # ... but answers only once every other process's copy has lapsed, as Redis is down for them too.
            assert time.monotonic() - started >= store.TRUST_SECONDS
            time.sleep(0.5)  # several retries of the subscription
        assert caplog.text.count("No content version from Redis") == 1
        assert caplog.text.count("will be replaced once it answers") == 1
    finally:
        store.stop()


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own, which it can stop and start again (with its data)."""
    from tests.servers import free_port

    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"]
    command += ["--appendfsync", "always", "--dir", str(tmp_path)]
    processes = []

    def start():
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
        wait_until(lambda: _answers(port))

    def stop():
        processes[-1].terminate()
        processes[-1].wait(timeout=10)

    start()
    yield f"redis://127.0.0.1:{port}/0", start, stop
    for process in processes:
        process.kill()
        process.wait(timeout=10)


def _answers(port):
    try:
        return redis.Redis(port=port, socket_connect_timeout=0.2).ping()
    except redis.ConnectionError:
        return False


def test_after_a_redis_outage_no_page_cached_before_it_is_served(own_redis, name):
    url, start, stop = own_redis
    stores = [RedisVersion(url, name) for _ in range(2)]
    for store in stores:
        store.RETRY_SECONDS = 0.1
    try:
        before = stores[0].current()
        assert stores[1].current() == before
        wait_until(lambda: all(trusted(store) for store in stores))
        stop()
        wait_until(lambda: not any(trusted(store) for store in stores))
        assert [store.current() for store in stores] == [None, None]
        assert stores[1].replace() is None  # a staff edit during the outage
        start()
        # Both subscribe again, and the version kept from before the outage is replaced on the way.
        wait_until(lambda: all(trusted(store) for store in stores))
        after = redis.Redis.from_url(url).get(name).decode()
        assert after != before
        assert [store.current() for store in stores] == [after, after]
    finally:
        for store in stores:
            store.stop()


def test_an_idle_watcher_costs_next_to_no_cpu(stores):
    """It pings twice a second; a watcher that pinged again at every answer would busy a core."""
    reader, _editor = stores
    reader.current()
    wait_until(lambda: trusted(reader))
    started = time.process_time()
    time.sleep(2)
    assert time.process_time() - started < 0.2
    assert trusted(reader)
