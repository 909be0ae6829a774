"""Tenant isolation: two projects with the same queue names never see or touch each
other's queues, messages or claims — not even by id (Z15 Redis leaked by message id,
rest-v2.md §5.7, auth-and-config.md §1.2)."""

import pytest

from zaqard_harness import claim_id_of, message_ids


@pytest.fixture
def two(api):
    a = api
    b = api.other_project()
    b.client_id = a.client_id  # same client too: only the project differs
    a.create_queue("shared", {"owner": "a"})
    b.create_queue("shared", {"owner": "b"})
    ids_a = a.post_messages("shared", [{"body": f"a{i}"} for i in range(3)])
    ids_b = b.post_messages("shared", [{"body": f"b{i}"} for i in range(3)])
    return a, b, ids_a, ids_b


def bodies(messages):
    return [m["body"] for m in messages]


def test_queue_lists_and_metadata(two):
    a, b, _, _ = two
    a.create_queue("only-a")
    assert [q["name"] for q in b.get("/v2/queues").json["queues"]] == ["shared"]
    assert a.get("/v2/queues/shared").json["owner"] == "a"
    assert b.get("/v2/queues/shared").json["owner"] == "b"
    listing = b.get("/v2/queues", params={"detailed": "true", "with_count": "true"}).json
    assert listing["count"] == 1
    assert listing["queues"][0]["metadata"]["owner"] == "b"
    assert b.get("/v2/queues", params={"owner": "a"}).json["queues"] == []


def test_stats(two):
    a, b, _, _ = two
    a.post_messages("shared", [{"body": "extra"}])
    assert a.get("/v2/queues/shared/stats").json["messages"]["total"] == 4
    assert b.get("/v2/queues/shared/stats").json["messages"]["total"] == 3


def test_list(two):
    a, b, ids_a, ids_b = two
    listing = b.list_messages("shared", echo=True, include_claimed=True)
    assert bodies(listing["messages"]) == ["b0", "b1", "b2"]
    # paging with the other project's id as marker never yields its messages
    listing = b.list_messages("shared", echo=True, marker=ids_a[0])
    assert not set(message_ids(listing["messages"])) & set(ids_a)


def test_get_by_id(two):
    a, b, ids_a, ids_b = two
    for mid in ids_a:
        assert b.get(f"/v2/queues/shared/messages/{mid}").status == 404
    assert a.get(f"/v2/queues/shared/messages/{ids_a[0]}").json["body"] == "a0"


def test_get_by_ids(two):
    a, b, ids_a, ids_b = two
    r = b.get("/v2/queues/shared/messages", params={"ids": ",".join(ids_a)})
    assert r.status == 404
    r = b.get("/v2/queues/shared/messages", params={"ids": ",".join(ids_a + ids_b[:1])})
    assert bodies(r.json["messages"]) == ["b0"]


def test_delete_by_id_and_ids(two):
    a, b, ids_a, ids_b = two
    assert b.delete(f"/v2/queues/shared/messages/{ids_a[0]}").status == 204
    assert b.delete("/v2/queues/shared/messages", params={"ids": ",".join(ids_a)}).status == 204
    assert a.get("/v2/queues/shared/stats").json["messages"]["total"] == 3
    got = a.get("/v2/queues/shared/messages", params={"ids": ",".join(ids_a)}).json
    assert bodies(got["messages"]) == ["a0", "a1", "a2"]


def test_claim(two):
    a, b, ids_a, ids_b = two
    r = b.claim("shared", limit=20)
    assert bodies(r.json["messages"]) == ["b0", "b1", "b2"]
    assert b.claim("shared").status == 204
    r = a.claim("shared", limit=20)
    assert bodies(r.json["messages"]) == ["a0", "a1", "a2"]


def test_claim_ids_are_project_scoped(two):
    a, b, ids_a, ids_b = two
    cid = claim_id_of(a.claim("shared", limit=1))
    assert b.get(f"/v2/queues/shared/claims/{cid}").status == 404
    assert b.patch(f"/v2/queues/shared/claims/{cid}", body={"ttl": 60}).status == 404
    assert b.delete(f"/v2/queues/shared/claims/{cid}").status == 204
    # b's release of a's claim id did nothing
    assert a.get(f"/v2/queues/shared/claims/{cid}").status == 200
    assert message_ids(a.get(f"/v2/queues/shared/claims/{cid}").json["messages"]) == ids_a[:1]
    # b cannot delete a's claimed message with a's claim id
    r = b.delete(f"/v2/queues/shared/messages/{ids_a[0]}", params={"claim_id": cid})
    assert r.status in (204, 400)
    assert a.get(f"/v2/queues/shared/messages/{ids_a[0]}").status == 200


def test_pop(two):
    a, b, ids_a, ids_b = two
    r = b.delete("/v2/queues/shared/messages", params={"pop": 20})
    assert bodies(r.json["messages"]) == ["b0", "b1", "b2"]
    assert a.get("/v2/queues/shared/stats").json["messages"]["total"] == 3


def test_purge_and_delete_queue(two):
    a, b, ids_a, ids_b = two
    assert b.post("/v2/queues/shared/purge").status == 204
    assert a.get("/v2/queues/shared/stats").json["messages"]["total"] == 3
    assert b.delete("/v2/queues/shared").status == 204
    assert a.get("/v2/queues/shared").json["owner"] == "a"
    assert [q["name"] for q in a.get("/v2/queues").json["queues"]] == ["shared"]


def test_patch_metadata(two):
    a, b, _, _ = two
    r = b.patch("/v2/queues/shared", raw=b'[{"op": "replace", "path": "/metadata/owner", '
                                         b'"value": "mallory"}]',
                headers={"Content-Type": "application/openstack-messaging-v2.0-json-patch"})
    assert r.status == 200
    assert a.get("/v2/queues/shared").json["owner"] == "a"


def test_project_ids_with_special_characters(api):
    """Z15 Redis broke on '.' in names; ':' '/' '{' are key-separator hazards for us."""
    base = api
    projects = ["p.1", "p:1", "p/1", "p{1}", "p 1"]
    clients = [base.other_project(p + "-" + base.project) for p in projects]
    for c in clients:
        c.post_messages("a.b", [{"body": c.project}])
    for c in clients:
        r = c.claim("a.b", limit=20)
        assert bodies(r.json["messages"]) == [c.project]
        assert [q["name"] for q in c.get("/v2/queues").json["queues"]] == ["a.b"]
