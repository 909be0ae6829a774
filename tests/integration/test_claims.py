"""Claims: create, get, renew, release, no double delivery, concurrency, dead-lettering
(rest-v2.md §6, §2). The `slow` tests wait for a 60 s claim to expire (60 s is the
minimum claim TTL); they share one wait so this file stays around a minute and a half."""

import threading
import time
import uuid

import pytest

from zaqard_harness import claim_id_of, message_ids

CLAIM_TTL_TEXT = ("The TTL for a claim may not exceed 43200 seconds, and must be at least "
                  "60 seconds long.")
GRACE_TEXT = ("The grace for a claim may not exceed 43200 seconds, and must be at least "
              "60 seconds long.")
LIMIT_TEXT = "Limit must be at least 1 and may not be greater than 20."
CLAIM_MESSAGE_KEYS = {"id", "href", "ttl", "age", "body"}


def assert_error(r, status, title, description=None):
    assert r.status == status, r
    assert r.json["title"] == title, r
    if description is not None:
        assert r.json["description"] == description, r


def claim(api, queue, body=None, params=None, raw=None):
    if raw is not None:
        return api.post(f"/v2/queues/{queue}/claims", raw=raw, params=params,
                        headers={"Content-Type": "application/json"})
    return api.post(f"/v2/queues/{queue}/claims", body=body, params=params)


# --- create ---------------------------------------------------------------------------

def test_create_claim(api):
    ids = api.post_messages("cq", [{"body": i, "ttl": 600} for i in range(3)])
    r = claim(api, "cq", {"ttl": 120, "grace": 60})
    assert r.status == 201, r
    cid = claim_id_of(r)
    uuid.UUID(cid)
    assert r.header("Location") == f"/v2/queues/cq/claims/{cid}"
    msgs = r.json["messages"]
    assert list(r.json) == ["messages"]
    assert message_ids(msgs) == ids
    for m, mid in zip(msgs, ids):
        assert set(m) == CLAIM_MESSAGE_KEYS, m
        assert m["href"] == f"/v2/queues/cq/messages/{mid}?claim_id={cid}"
        assert m["ttl"] == 600
    assert [m["body"] for m in msgs] == [0, 1, 2]


def test_claim_nothing_is_204(api):
    api.create_queue("empty")
    r = claim(api, "empty", {"ttl": 60})
    assert (r.status, r.body, r.header("Location")) == (204, b"", None)
    api.post_messages("allclaimed", [{"body": 1}])
    assert claim(api, "allclaimed", {"ttl": 60}).status == 201
    assert claim(api, "allclaimed", {"ttl": 60}).status == 204


def test_claim_ignores_echo(api):
    ids = api.post_messages("ce", [{"body": 1}])
    r = claim(api, "ce")
    assert message_ids(r.json["messages"]) == ids


def test_claim_default_body_and_limit(api):
    api.post_messages("cd", [{"body": i} for i in range(12)])
    r = claim(api, "cd")  # no body at all: ttl 300, grace 60, limit 10
    assert r.status == 201
    assert len(r.json["messages"]) == 10
    got = api.get(f"/v2/queues/cd/claims/{claim_id_of(r)}").json
    assert got["ttl"] == 300
    r = claim(api, "cd", raw=b"")
    assert r.status == 201
    assert len(r.json["messages"]) == 2


def test_claim_limit_param(api):
    ids = api.post_messages("cl", [{"body": i} for i in range(6)])
    r = claim(api, "cl", {"ttl": 60, "limit": 1}, params={"limit": 3})
    assert message_ids(r.json["messages"]) == ids[:3]  # limit in the body is ignored
    r = claim(api, "cl", {"ttl": 60}, params={"limit": 20})
    assert message_ids(r.json["messages"]) == ids[3:]


@pytest.mark.parametrize("limit", ["0", "21"])
def test_claim_bad_limit(api, limit):
    r = claim(api, "cb", {"ttl": 60}, params={"limit": limit})
    assert_error(r, 400, "Invalid API request", LIMIT_TEXT)


def test_claim_limit_not_integer(api):
    r = claim(api, "cb", {"ttl": 60}, params={"limit": "x"})
    assert_error(r, 400, "Invalid parameter")


@pytest.mark.parametrize("body,description", [
    ({"ttl": 59}, CLAIM_TTL_TEXT),
    ({"ttl": 43201}, CLAIM_TTL_TEXT),
    ({"ttl": 0}, CLAIM_TTL_TEXT),
    ({"ttl": 60, "grace": 59}, GRACE_TEXT),
    ({"ttl": 60, "grace": 43201}, GRACE_TEXT),
])
def test_claim_ttl_grace_ranges(api, body, description):
    api.post_messages("cr", [{"body": 1}])
    assert_error(claim(api, "cr", body), 400, "Invalid API request", description)


def test_claim_validation_order_ttl_limit_grace(api):
    r = claim(api, "co", {"ttl": 1, "grace": 1}, params={"limit": 50})
    assert_error(r, 400, "Invalid API request", CLAIM_TTL_TEXT)
    r = claim(api, "co", {"ttl": 60, "grace": 1}, params={"limit": 50})
    assert_error(r, 400, "Invalid API request", LIMIT_TEXT)


def test_claim_bad_bodies(api):
    assert_error(claim(api, "cx", [1, 2]), 400, "Invalid request body",
                 "Document type not supported.")
    assert_error(claim(api, "cx", {"ttl": "abc"}), 400, "Invalid request body",
                 'The value of the "ttl" field must be a int.')
    assert_error(claim(api, "cx", {"ttl": 60, "grace": "x"}), 400, "Invalid request body",
                 'The value of the "grace" field must be a int.')
    assert_error(claim(api, "cx", raw=b"{oops"), 400, "Invalid request body",
                 "Request body could not be parsed.")


def test_claim_extends_short_message_ttl(api):
    (short,) = api.post_messages("cs", [{"body": 1, "ttl": 60}])
    (long_,) = api.post_messages("cs", [{"body": 2, "ttl": 3600}])
    r = claim(api, "cs", {"ttl": 120, "grace": 90})
    ttls = {m["id"]: m["ttl"] for m in r.json["messages"]}
    assert ttls == {short: 210, long_: 3600}


def test_claimed_messages_hidden_from_list_and_pop(api):
    ids = api.post_messages("ch", [{"body": 1}, {"body": 2}])
    claim(api, "ch", {"ttl": 60}, params={"limit": 1})
    assert message_ids(api.list_messages("ch", echo=True)["messages"]) == ids[1:]
    popped = api.delete("/v2/queues/ch/messages", params={"pop": 5}).json["messages"]
    assert message_ids(popped) == ids[1:]


# --- get / renew / release ------------------------------------------------------------

def test_get_claim(api):
    ids = api.post_messages("cg", [{"body": {"x": i}, "ttl": 500} for i in range(2)])
    cid = claim_id_of(claim(api, "cg", {"ttl": 100, "grace": 60}))
    r = api.get(f"/v2/queues/cg/claims/{cid}")
    assert r.status == 200, r
    c = r.json
    assert set(c) == {"age", "ttl", "messages", "href"}
    assert c["ttl"] == 100
    assert isinstance(c["age"], int) and 0 <= c["age"] <= 5
    assert c["href"] == f"/v2/queues/cg/claims/{cid}"
    assert message_ids(c["messages"]) == ids
    for m, mid in zip(c["messages"], ids):
        assert set(m) == CLAIM_MESSAGE_KEYS
        assert m["href"] == f"/v2/queues/cg/messages/{mid}?claim_id={cid}"
    # a message deleted since is omitted
    api.delete(f"/v2/queues/cg/messages/{ids[0]}", params={"claim_id": cid})
    assert message_ids(api.get(f"/v2/queues/cg/claims/{cid}").json["messages"]) == ids[1:]


def test_get_claim_404(api):
    api.post_messages("cn", [{"body": 1}])
    cid = str(uuid.uuid4())
    assert_error(api.get(f"/v2/queues/cn/claims/{cid}"), 404, "Not found",
                 f"Claim {cid} does not exist in queue cn for project {api.project}")
    assert api.get("/v2/queues/cn/claims/not-a-uuid").status == 404


def test_get_claim_from_other_queue_404(api):
    api.post_messages("ca", [{"body": 1}])
    api.create_queue("cb")
    cid = claim_id_of(claim(api, "ca", {"ttl": 60}))
    assert api.get(f"/v2/queues/cb/claims/{cid}").status == 404


def test_renew_claim(api):
    (mid,) = api.post_messages("cu", [{"body": 1, "ttl": 60}])
    cid = claim_id_of(claim(api, "cu", {"ttl": 60, "grace": 60}))
    r = api.patch(f"/v2/queues/cu/claims/{cid}", body={"ttl": 200, "grace": 100})
    assert (r.status, r.body) == (204, b"")
    c = api.get(f"/v2/queues/cu/claims/{cid}").json
    assert c["ttl"] == 200
    assert c["messages"][0]["ttl"] >= 300  # extended to ttl + grace
    # an omitted field takes the default, not the old value
    assert api.patch(f"/v2/queues/cu/claims/{cid}", body={}).status == 204
    assert api.get(f"/v2/queues/cu/claims/{cid}").json["ttl"] == 300
    # grace is not validated on PATCH
    assert api.patch(f"/v2/queues/cu/claims/{cid}", body={"ttl": 100, "grace": 5}).status == 204


def test_renew_errors(api):
    api.post_messages("cv", [{"body": 1}])
    cid = claim_id_of(claim(api, "cv", {"ttl": 60}))
    assert_error(api.patch(f"/v2/queues/cv/claims/{cid}", body={"ttl": 59}), 400,
                 "Invalid API request", CLAIM_TTL_TEXT)
    # Content-Length: 0 -> unparsable; no Content-Length at all -> "can not be empty"
    assert_error(api.patch(f"/v2/queues/cv/claims/{cid}", raw=b""), 400,
                 "Invalid request body", "Request body could not be parsed.")
    assert_error(api.patch(f"/v2/queues/cv/claims/{cid}"), 400, "Invalid request body",
                 "Request body can not be empty")
    assert_error(api.patch(f"/v2/queues/cv/claims/{cid}", body={"ttl": "x"}), 400,
                 "Invalid request body")
    other = str(uuid.uuid4())
    assert_error(api.patch(f"/v2/queues/cv/claims/{other}", body={"ttl": 60}), 404,
                 "Not found", f"Claim {other} does not exist in queue cv for project "
                              f"{api.project}")


def test_release_claim(api):
    ids = api.post_messages("cz", [{"body": 1}, {"body": 2}])
    cid = claim_id_of(claim(api, "cz", {"ttl": 60}))
    r = api.delete(f"/v2/queues/cz/claims/{cid}")
    assert (r.status, r.body) == (204, b"")
    assert api.get(f"/v2/queues/cz/claims/{cid}").status == 404
    r = claim(api, "cz", {"ttl": 60})
    assert message_ids(r.json["messages"]) == ids
    for bad in (cid, str(uuid.uuid4()), "garbage"):
        assert api.delete(f"/v2/queues/cz/claims/{bad}").status == 204


def test_no_double_delivery(api):
    """Z15 bug: claim m1, claim m2, release m1, claim 3 gave m1, m2 and m3."""
    m1, m2, m3 = api.post_messages("dd", [{"body": i} for i in range(3)])
    c1 = claim_id_of(claim(api, "dd", {"ttl": 60}, params={"limit": 1}))
    c2 = claim(api, "dd", {"ttl": 60}, params={"limit": 1})
    assert message_ids(c2.json["messages"]) == [m2]
    assert api.delete(f"/v2/queues/dd/claims/{c1}").status == 204
    r = claim(api, "dd", {"ttl": 60}, params={"limit": 3})
    assert message_ids(r.json["messages"]) == [m1, m3]


def test_concurrent_claimers_never_share(api):
    total = 120
    for start in range(0, total, 40):
        api.post_messages("cc", [{"body": i} for i in range(start, start + 40)])
    got = []
    lock = threading.Lock()
    errors = []

    def worker():
        me = api.other_client()
        try:
            while True:
                r = claim(me, "cc", {"ttl": 120}, params={"limit": 3})
                if r.status == 204:
                    return
                assert r.status == 201, r
                with lock:
                    got.extend(message_ids(r.json["messages"]))
        except Exception as e:  # reported below: an assert in a thread would be lost
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert len(got) == total
    assert len(set(got)) == total


# --- claim counts and dead-lettering --------------------------------------------------

def pop_claim_count(api, queue):
    (m,) = api.delete(f"/v2/queues/{queue}/messages", params={"pop": 1}).json["messages"]
    return m["claim_count"]


def test_claim_count_not_incremented_without_dlq(api):
    api.post_messages("nc", [{"body": 1}])
    cid = claim_id_of(claim(api, "nc", {"ttl": 60}))
    api.delete(f"/v2/queues/nc/claims/{cid}")
    assert pop_claim_count(api, "nc") == 0


def test_claim_count_kept_across_release(api):
    api.create_queue("kc", {"_max_claim_count": 5, "_dead_letter_queue": "kc-dlq"})
    api.post_messages("kc", [{"body": 1}])
    for _ in range(2):
        cid = claim_id_of(claim(api, "kc", {"ttl": 60}))
        assert api.delete(f"/v2/queues/kc/claims/{cid}").status == 204
    assert pop_claim_count(api, "kc") == 2


def test_dead_letter_after_release(api):
    api.create_queue("src", {"_max_claim_count": 1, "_dead_letter_queue": "dlq",
                             "_dead_letter_queue_messages_ttl": 200})
    (mid,) = api.post_messages("src", [{"body": "poison", "ttl": 3600}])
    (ok,) = api.post_messages("src", [{"body": "fine"}])
    cid = claim_id_of(claim(api, "src", {"ttl": 60}, params={"limit": 1}))
    assert api.delete(f"/v2/queues/src/claims/{cid}").status == 204
    # second claim: the message reached _max_claim_count, moves instead of being claimed
    r = claim(api, "src", {"ttl": 60}, params={"limit": 5})
    assert r.status == 201
    assert message_ids(r.json["messages"]) == [ok]
    assert api.get("/v2/queues/src/stats").json["messages"]["total"] == 1
    # Recommend: the DLQ is created, the moved message is visible (not claimed), its TTL
    # is _dead_letter_queue_messages_ttl.
    assert "dlq" in [q["name"] for q in api.get("/v2/queues").json["queues"]]
    dlq = api.other_client().list_messages("dlq")["messages"]
    assert [m["body"] for m in dlq] == ["poison"]
    assert dlq[0]["ttl"] == 200
    assert "claim_id" not in dlq[0]["href"]
    assert claim(api, "dlq", {"ttl": 60}).status == 201


def test_dead_letter_all_moved_is_204(api):
    api.create_queue("src2", {"_max_claim_count": 1, "_dead_letter_queue": "dlq2"})
    api.post_messages("src2", [{"body": 1}, {"body": 2}])
    cid = claim_id_of(claim(api, "src2", {"ttl": 60}))
    api.delete(f"/v2/queues/src2/claims/{cid}")
    assert claim(api, "src2", {"ttl": 60}).status == 204
    stats = api.get("/v2/queues/dlq2/stats").json["messages"]
    assert (stats["total"], stats["claimed"]) == (2, 0)


def test_dead_letter_needs_both_keys(api):
    api.create_queue("half", {"_max_claim_count": 1})
    api.post_messages("half", [{"body": 1}])
    for _ in range(3):
        r = claim(api, "half", {"ttl": 60})
        assert r.status == 201
        api.delete(f"/v2/queues/half/claims/{claim_id_of(r)}")


@pytest.mark.slow
def test_claim_expiry_and_dead_letter_after_expiry(api):
    """SLOW (~62 s): waits once for several 60 s claims to expire."""
    # (a) dead-lettering once the last allowed claim expired
    api.create_queue("xs", {"_max_claim_count": 1, "_dead_letter_queue": "xdlq",
                            "_dead_letter_queue_messages_ttl": 300})
    (poison,) = api.post_messages("xs", [{"body": "poison"}])
    assert claim(api, "xs", {"ttl": 60}).status == 201
    # (b) plain expiry: message claimable again, claim gone, href without claim id
    (m,) = api.post_messages("xe", [{"body": 1}])
    cid = claim_id_of(claim(api, "xe", {"ttl": 60, "grace": 60}))
    assert claim(api, "xe", {"ttl": 60}).status == 204
    time.sleep(62)
    assert api.get(f"/v2/queues/xe/claims/{cid}").status == 404
    got = api.get(f"/v2/queues/xe/messages/{m}").json
    assert got["href"] == f"/v2/queues/xe/messages/{m}"
    stats = api.get("/v2/queues/xe/stats").json["messages"]
    assert (stats["claimed"], stats["free"]) == (0, 1)
    r = api.delete(f"/v2/queues/xe/messages/{m}", params={"claim_id": cid})
    assert_error(r, 400, "Unable to delete",
                 "A claim was specified, but the message is not currently claimed.")
    r = claim(api, "xe", {"ttl": 60})
    assert message_ids(r.json["messages"]) == [m]
    # (a) continued
    assert claim(api, "xs", {"ttl": 60}).status == 204
    dlq = api.other_client().list_messages("xdlq")["messages"]
    assert [m["body"] for m in dlq] == ["poison"]
    assert dlq[0]["ttl"] == 300
    assert api.get(f"/v2/queues/xs/messages/{poison}").status == 404
