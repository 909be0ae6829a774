"""FIFO message groups (docs/api.md, "FIFO message groups"; beyond Zaqar): messages posted
with a `group` are claimed in post order within their group, one message of a group at a
time; the next one becomes claimable once the head is deleted, popped, dead-lettered, or
(after a release or an expired claim) claimed again first. Messages without a group
behave as in Zaqar. Real redis-server, real zaqard, HTTP and WebSocket.
"""

import threading
import time
import uuid

import pytest

from zaqard_harness import claim_id_of, message_ids
from ws_client import WsClient

GROUP_TEXT = ('The "group" of a message must be a string of 1 to 128 characters: letters, '
              'digits, "_", "-" and ".".')


def qname():
    return "fifo-" + uuid.uuid4().hex[:8]


def claim(api, queue, limit=10, ttl=60):
    r = api.claim(queue, ttl=ttl, limit=limit)
    assert r.status in (201, 204), r
    if r.status == 204:
        return None, []
    return claim_id_of(r), r.json["messages"]


def delete(api, queue, message, cid):
    r = api.delete(f"/v2/queues/{queue}/messages/{message['id']}", params={"claim_id": cid})
    assert r.status == 204, r


def test_one_message_of_a_group_at_a_time(api):
    q = qname()
    g = api.post_messages(q, [{"body": i, "group": "g1"} for i in range(3)])
    (plain,) = api.post_messages(q, [{"body": "plain"}])
    cid, got = claim(api, q, limit=10)
    # The group's head and the ungrouped message; the rest of g1 waits behind its head.
    assert message_ids(got) == [g[0], plain]
    assert [m["group"] for m in got if "group" in m] == ["g1"]
    assert claim(api, q) == (None, [])
    # The head deleted: the next of the group is claimable, and only it.
    delete(api, q, got[0], cid)
    cid2, got2 = claim(api, q)
    assert message_ids(got2) == [g[1]]
    delete(api, q, got2[0], cid2)
    _, got3 = claim(api, q)
    assert message_ids(got3) == [g[2]]


def test_release_keeps_the_head_first_in_line(api):
    q = qname()
    g = api.post_messages(q, [{"body": i, "group": "rel"} for i in range(2)])
    cid, got = claim(api, q)
    assert message_ids(got) == [g[0]]
    assert api.delete(f"/v2/queues/{q}/claims/{cid}").status == 204
    cid, got = claim(api, q)
    assert message_ids(got) == [g[0]]  # released: still the first of its group
    delete(api, q, got[0], cid)
    assert message_ids(claim(api, q)[1]) == [g[1]]


def test_groups_are_independent_and_batches_may_mix_them(api):
    q = qname()
    ids = api.post_messages(q, [{"body": "a0", "group": "a"}, {"body": "b0", "group": "b"},
                                {"body": "a1", "group": "a"}, {"body": "n0"},
                                {"body": "b1", "group": "b"}, {"body": "n1"}])
    _, got = claim(api, q, limit=10)
    assert message_ids(got) == [ids[0], ids[1], ids[3], ids[5]]
    assert [m.get("group") for m in got] == ["a", "b", None, None]


def test_ungrouped_messages_are_unaffected(api):
    q = qname()
    ids = api.post_messages(q, [{"body": i} for i in range(6)])
    _, got = claim(api, q, limit=4)
    assert message_ids(got) == ids[:4]
    assert all("group" not in m for m in got)
    listed = api.list_messages(q, include_claimed=True, echo=True)["messages"]
    assert message_ids(listed) == ids and all("group" not in m for m in listed)


def test_group_shown_wherever_the_message_is(api):
    q = qname()
    (gid, nid) = api.post_messages(q, [{"body": 1, "group": "shown"}, {"body": 2}])
    (waiting,) = api.post_messages(q, [{"body": 3, "group": "shown"}])
    listed = api.list_messages(q, echo=True)["messages"]
    # Waiting behind its head, the third message is still listed (it is not claimed).
    assert message_ids(listed) == [gid, nid, waiting]
    assert [m.get("group") for m in listed] == ["shown", None, "shown"]
    assert list(listed[0]) == ["id", "href", "ttl", "age", "group", "body"]
    one = api.get(f"/v2/queues/{q}/messages/{gid}").json
    assert one["group"] == "shown"
    assert "group" not in api.get(f"/v2/queues/{q}/messages/{nid}").json
    by_ids = api.get(f"/v2/queues/{q}/messages", params={"ids": f"{gid},{nid}"}).json
    assert [m.get("group") for m in by_ids["messages"]] == ["shown", None]
    cid, got = claim(api, q)
    claimed = api.get(f"/v2/queues/{q}/claims/{cid}").json["messages"]
    assert [m.get("group") for m in claimed] == ["shown", None]
    popped = api.delete(f"/v2/queues/{q}/messages", params={"pop": 5}).json["messages"]
    assert popped == []  # everything is claimed or waiting
    delete(api, q, got[0], cid)
    popped = api.delete(f"/v2/queues/{q}/messages", params={"pop": 5}).json["messages"]
    assert [(m["id"], m["group"]) for m in popped] == [(waiting, "shown")]


def test_deleting_waiting_messages_and_bulk_deletes(api):
    q = qname()
    g = api.post_messages(q, [{"body": i, "group": "d"} for i in range(5)])
    # A waiting message may be deleted (it is not claimed); order goes on without it.
    assert api.delete(f"/v2/queues/{q}/messages/{g[1]}").status == 204
    # The head and the next one deleted together: the one after them is next.
    assert api.delete(f"/v2/queues/{q}/messages", params={"ids": f"{g[0]},{g[2]}"}).status == 204
    cid, got = claim(api, q)
    assert message_ids(got) == [g[3]]
    delete(api, q, got[0], cid)
    assert message_ids(claim(api, q)[1]) == [g[4]]


def test_purge_and_delete_reset_the_groups(api):
    q = qname()
    api.post_messages(q, [{"body": i, "group": "p"} for i in range(3)])
    claim(api, q)
    assert api.post(f"/v2/queues/{q}/purge", body={"resource_types": ["messages"]}).status == 204
    (fresh,) = api.post_messages(q, [{"body": "after purge", "group": "p"}])
    assert message_ids(claim(api, q)[1]) == [fresh]
    assert api.delete(f"/v2/queues/{q}").status == 204
    (again,) = api.post_messages(q, [{"body": "after delete", "group": "p"}])
    assert message_ids(claim(api, q)[1]) == [again]


def test_dead_lettered_head_hands_the_group_on(api):
    q, dlq = qname(), qname()
    api.create_queue(q, {"_max_claim_count": 1, "_dead_letter_queue": dlq})
    g = api.post_messages(q, [{"body": i, "group": "dl"} for i in range(2)])
    cid, got = claim(api, q)
    assert message_ids(got) == [g[0]]
    # Released after its last allowed claim: the head goes to the DLQ, the next is free.
    assert api.delete(f"/v2/queues/{q}/claims/{cid}").status == 204
    assert message_ids(claim(api, q)[1]) == [g[1]]
    moved = api.list_messages(dlq, echo=True)["messages"]
    assert [(m["id"], m["group"]) for m in moved] == [(g[0], "dl")]


@pytest.mark.parametrize("group", ["", "x" * 129, "has space", "a/b", "ü", 5, None, ["g"], {}])
def test_invalid_group_is_400(api, group):
    q = qname()
    r = api.post(f"/v2/queues/{q}/messages",
                 body={"messages": [{"body": 1, "group": "ok"}, {"body": 2, "group": group}]})
    assert r.status == 400, r
    assert r.json == {"title": "Invalid API request", "description": GROUP_TEXT}
    assert api.list_messages(q, echo=True)["messages"] == []  # nothing of the batch was stored


def test_longest_group_name_and_charset(api):
    q = qname()
    name = "A-z_0.9" + "x" * 121
    assert len(name) == 128
    (mid,) = api.post_messages(q, [{"body": 1, "group": name}])
    assert api.get(f"/v2/queues/{q}/messages/{mid}").json["group"] == name


def test_order_within_groups_across_many_claimers(api):
    """Six claimers race over 4 groups of 10 messages and 10 ungrouped ones: each group is
    processed in post order, and never two of its messages at once."""
    q = qname()
    groups = ["g0", "g1", "g2", "g3"]
    posted = {g: [] for g in groups}
    batch = []
    for i in range(10):
        for g in groups:
            batch.append({"body": {"g": g, "i": i}, "group": g})
        batch.append({"body": {"g": None, "i": i}})
        if len(batch) >= 10:
            ids = api.post_messages(q, batch)
            for message, mid in zip(batch, ids):
                if "group" in message:
                    posted[message["group"]].append(mid)
            batch = []
    if batch:
        ids = api.post_messages(q, batch)
        for message, mid in zip(batch, ids):
            if "group" in message:
                posted[message["group"]].append(mid)
    lock = threading.Lock()
    in_flight = set()
    done = {g: [] for g in groups}
    plain = []
    problems = []

    def worker():
        client = api.other_client()
        idle = 0
        for _ in range(200):  # bounded
            cid, got = claim(client, q, limit=3)
            if not got:
                idle += 1
                with lock:
                    finished = sum(map(len, done.values())) + len(plain) == 50
                if finished or idle > 40:
                    return
                time.sleep(0.02)
                continue
            idle = 0
            with lock:
                for m in got:
                    g = m.get("group")
                    if g is None:
                        continue
                    if g in in_flight:
                        problems.append(f"two claims hold group {g}")
                    in_flight.add(g)
            for m in got:
                g = m.get("group")
                with lock:
                    if g is None:
                        plain.append(m["id"])
                    else:
                        done[g].append(m["id"])
                        in_flight.discard(g)
                # Deleting after recording: the next of the group becomes claimable then.
                delete(client, q, m, cid)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not problems, problems
    assert {g: done[g] for g in groups} == posted
    assert len(plain) == 10


def test_websocket_groups(stack):
    ws = WsClient(stack.zaqard.ws_url)
    try:
        q = qname()
        status, body = ws.status_body("message_post", {"queue_name": q, "messages": [
            {"body": 1, "group": "w"}, {"body": 2, "group": "w"}, {"body": 3}]})
        assert status == 201
        ids = body["message_ids"]
        status, body = ws.status_body("claim_create", {"queue_name": q, "limit": 5})
        assert status == 201
        assert [(m["id"], m.get("group")) for m in body["messages"]] == \
            [(ids[0], "w"), (ids[2], None)]
        cid = body["claim_id"]
        assert ws.status_body("claim_create", {"queue_name": q})[0] == 204
        status, body = ws.status_body("message_list", {"queue_name": q, "include_claimed": True,
                                                        "echo": True})
        assert [m.get("group") for m in body["messages"]] == ["w", "w", None]
        assert ws.status_body("message_delete", {"queue_name": q, "message_id": ids[0],
                                                 "claim_id": cid}) == (204, {})
        status, body = ws.status_body("claim_create", {"queue_name": q})
        assert status == 201 and [m["id"] for m in body["messages"]] == [ids[1]]
        status, body = ws.status_body("message_post", {"queue_name": q, "messages": [
            {"body": 1, "group": "bad group"}]})
        assert status == 400 and body["exception"] == GROUP_TEXT
    finally:
        ws.close()


@pytest.mark.slow
def test_expired_claim_frees_the_group(api):
    """SLOW (~62 s): a claim expires (60 s is the minimum claim TTL)."""
    q = qname()
    g = api.post_messages(q, [{"body": i, "group": "exp", "ttl": 600} for i in range(2)])
    _, got = claim(api, q, ttl=60)
    assert message_ids(got) == [g[0]]
    assert claim(api, q) == (None, [])
    time.sleep(62)
    cid, got = claim(api, q)
    assert message_ids(got) == [g[0]]  # the head again, first in line
    delete(api, q, got[0], cid)
    assert message_ids(claim(api, q)[1]) == [g[1]]
