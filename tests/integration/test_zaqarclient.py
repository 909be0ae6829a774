"""The real client: Debian's python3-zaqarclient against zaqard, unchanged (design.md:
existing Zaqar clients must work). noauth: the project goes in auth_opts options, the
Client-ID in conf['client_uuid']."""

import uuid

import pytest

from zaqarclient.queues import client as zclient


def make_client(base_url, project, client_uuid=None):
    client_uuid = client_uuid or str(uuid.uuid4())
    conf = {
        "client_uuid": client_uuid,
        "auth_opts": {"backend": "noauth",
                      "options": {"client_uuid": client_uuid, "os_project_id": project}},
    }
    return zclient.Client(base_url, version=2, conf=conf)


@pytest.fixture
def cli(base_url):
    return make_client(base_url, "zc-" + uuid.uuid4().hex)


def test_post_claim_delete_until_empty(cli):
    q = cli.queue("work")
    result = q.post([{"body": {"job": i}, "ttl": 300} for i in range(5)])
    assert len(result["resources"]) == 5
    done = []
    while True:
        claim = q.claim(ttl=60, grace=60, limit=2)
        msgs = list(claim)
        if not msgs:
            break
        assert claim.id
        for m in msgs:
            assert m.claim_id == claim.id
            done.append(m.body["job"])
            m.delete()
    assert sorted(done) == list(range(5))
    stats = q.stats
    assert stats["messages"]["total"] == 0
    assert list(q.messages(echo=True)) == []


def test_claim_get_update_release(cli):
    q = cli.queue("claims")
    q.post([{"body": 1}, {"body": 2}])
    claim = q.claim(ttl=120, grace=60)
    cid = claim.id
    assert len(list(claim)) == 2
    again = q.claim(id=cid)
    assert again.ttl == 120
    assert len(list(again)) == 2
    again.update(ttl=300)
    assert q.claim(id=cid).ttl == 300
    again.delete()
    # grace must be given: the client sends "grace": null otherwise, which Zaqar rejects
    assert len(list(q.claim(ttl=60, grace=60))) == 2


def test_metadata_roundtrip(cli):
    q = cli.queue("meta", force_create=True)  # v2 clients do not create queues eagerly
    meta = q.metadata(new_meta={"color": "red", "size": 3})
    assert meta["color"] == "red" and meta["size"] == 3
    meta = q.metadata(new_meta={"color": "blue", "shape": "round"})
    assert meta["color"] == "blue" and meta["shape"] == "round"
    assert "size" not in meta
    fresh = q.metadata(force_reload=True)
    assert fresh["color"] == "blue" and "size" not in fresh
    assert fresh["_default_message_ttl"] == 3600
    meta = q.metadata(new_meta={"_default_message_ttl": 120})
    assert meta["_default_message_ttl"] == 120
    assert "color" not in meta


def test_message_listing_with_pagination(cli):
    q = cli.queue("paged")
    q.post([{"body": i} for i in range(23)])
    got = [m.body for m in q.messages(echo=True, limit=5).stream()]
    assert got == list(range(23))
    # echo=false (default) hides our own messages
    assert list(q.messages(limit=5).stream()) == []


def test_messages_by_id_delete_and_pop(cli):
    q = cli.queue("byid")
    ids = [h.rsplit("/", 1)[1] for h in q.post([{"body": i} for i in range(4)])["resources"]]
    got = list(q.messages(*ids[:2]))
    assert [m.body for m in got] == [0, 1]
    single = q.message(ids[2])
    assert single.body == 2
    q.delete_messages(*ids[:2])
    popped = list(q.pop(count=5))
    assert [m.body for m in popped] == [2, 3]


def test_queue_listing(cli):
    for i in range(7):
        cli.queue(f"lq{i}", force_create=True)
    queues, count = cli.queues(limit=3, with_count=True)
    names = [q.name for q in queues.stream()]
    assert names == [f"lq{i}" for i in range(7)]
    assert count == 7


def test_queue_delete(cli):
    q = cli.queue("gone")
    q.post([{"body": 1}])
    q.delete()
    queues, _ = cli.queues()
    assert [x.name for x in queues] == []


def test_subscription_update_ttl_only(cli):
    """`openstack messaging subscription update Q ID --ttl 7200` calls Subscription.update
    with every field, unset ones as None: {"subscriber": null, "ttl": 7200, "options": {}}.
    Zaqar drops the nulls."""
    sub = cli.subscription("subq", subscriber="http://127.0.0.1:9/hook", ttl=3600,
                           options={"a": 1})
    assert sub.id
    sub.update({"subscriber": None, "ttl": 7200, "options": {}})
    got = cli.subscription("subq", id=sub.id)  # reads it back
    assert (got.subscriber, got.ttl, got.options) == ("http://127.0.0.1:9/hook", 7200, {})
    # An empty subscriber is not "unset": refused, and nothing changes.
    with pytest.raises(Exception) as raised:
        sub.update({"subscriber": "", "ttl": 9000, "options": {}})
    assert "The subscriber type of subscription must be supported" in str(raised.value)
    assert cli.subscription("subq", id=sub.id).ttl == 7200
