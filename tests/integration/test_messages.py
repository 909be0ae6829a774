"""Messages: post, list, get, get by ids, delete (by id, by ids, with claim), pop, delay
(rest-v2.md §5, §1.9, §2)."""

import json
import time
import urllib.parse
import uuid

import pytest

from zaqard_harness import claim_id_of, message_ids

TTL_TEXT = ("The TTL for a message may not exceed 1209600 seconds, and must be at least "
            "60 seconds long.")
DELAY_TEXT = ("The Delay TTL for a message may not exceed 900 seconds,and must be at least "
              "0 seconds long.")
LIMIT_TEXT = "Limit must be at least 1 and may not be greater than 20."
CLAIMED_TEXT = "This message is claimed; it cannot be deleted without a valid claim ID."
NO_CLAIM_TEXT = "The specified claim does not exist or has expired."
NOT_CLAIMED_TEXT = "A claim was specified, but the message is not currently claimed."
MESSAGE_KEYS = {"id", "href", "ttl", "age", "body"}


def assert_error(r, status, title, description=None):
    assert r.status == status, r
    assert r.json["title"] == title, r
    if description is not None:
        assert r.json["description"] == description, r


def post_raw(api, queue, raw):
    return api.post(f"/v2/queues/{queue}/messages", raw=raw,
                    headers={"Content-Type": "application/json"})


def body_of_size(size, key="x"):
    """A valid post body of exactly `size` bytes."""
    empty = json.dumps({"messages": [{"body": ""}]})
    raw = json.dumps({"messages": [{"body": key * (size - len(empty))}]}).encode()
    assert len(raw) == size
    return raw


def link_query(listing):
    (link,) = listing["links"]
    assert link["rel"] == "next"
    path, _, query = link["href"].partition("?")
    assert path.startswith("/v2/queues/") and path.endswith("/messages"), link
    return dict(urllib.parse.parse_qsl(query))


# --- post -----------------------------------------------------------------------------

def test_post_batch(api):
    r = api.post("/v2/queues/pq/messages",
                 body={"messages": [{"body": {"event": "a"}, "ttl": 300},
                                    {"body": None}, {"body": [1, "two"], "ttl": 60}]})
    assert r.status == 201, r
    resources = r.json["resources"]
    assert list(r.json) == ["resources"]
    assert len(resources) == 3
    ids = [h.rsplit("/", 1)[1] for h in resources]
    assert all(h == f"/v2/queues/pq/messages/{i}" for h, i in zip(resources, ids))
    assert len(set(ids)) == 3
    assert r.header("Location") == "/v2/queues/pq/messages?ids=" + ",".join(ids)
    got = api.get("/v2/queues/pq/messages", params={"ids": ",".join(ids)}).json["messages"]
    assert [m["body"] for m in got] == [{"event": "a"}, None, [1, "two"]]
    assert [m["ttl"] for m in got] == [300, 3600, 60]


def test_post_many_messages_no_count_limit(api):
    ids = api.post_messages("many", [{"body": i} for i in range(100)])
    assert len(ids) == 100
    assert api.get("/v2/queues/many/stats").json["messages"]["total"] == 100


def test_post_unicode_body(api):
    (mid,) = api.post_messages("uq", [{"body": {"t": "héllo ☃"}}])
    r = api.get(f"/v2/queues/uq/messages/{mid}")
    assert r.json["body"] == {"t": "héllo ☃"}


def test_post_drops_unknown_fields(api):
    (mid,) = api.post_messages("uf", [{"body": 1, "extra": "x", "claim_id": "y"}])
    m = api.get(f"/v2/queues/uf/messages/{mid}").json
    assert set(m) == MESSAGE_KEYS


def test_post_default_ttl_from_queue(api):
    api.create_queue("dt", {"_default_message_ttl": 120})
    (a,) = api.post_messages("dt", [{"body": 1}])
    (b,) = api.post_messages("dt", [{"body": 1, "ttl": 90}])
    assert api.get(f"/v2/queues/dt/messages/{a}").json["ttl"] == 120
    assert api.get(f"/v2/queues/dt/messages/{b}").json["ttl"] == 90


@pytest.mark.parametrize("ttl", [59, 0, -5, 1209601])
def test_post_ttl_out_of_range(api, ttl):
    r = api.post("/v2/queues/t/messages", body={"messages": [{"body": 1, "ttl": ttl}]})
    assert_error(r, 400, "Invalid API request", TTL_TEXT)


def test_post_ttl_bounds_ok(api):
    api.post_messages("tb", [{"body": 1, "ttl": 60}, {"body": 2, "ttl": 1209600}])


def test_post_ttl_wrong_type(api):
    r = api.post("/v2/queues/t/messages", body={"messages": [{"body": 1, "ttl": "abc"}]})
    assert_error(r, 400, "Invalid request body", 'The value of the "ttl" field must be a int.')


def test_post_ttl_boolean_rejected(api):
    r = api.post("/v2/queues/t/messages", body={"messages": [{"body": 1, "ttl": True}]})
    assert r.status == 400, r


def test_post_missing_body_field(api):
    r = api.post("/v2/queues/t/messages", body={"messages": [{"ttl": 60}]})
    assert_error(r, 400, "Invalid request body", 'Missing "body" field.')


def test_post_empty_array(api):
    r = api.post("/v2/queues/t/messages", body={"messages": []})
    assert_error(r, 400, "Invalid API request", "No messages to enqueu.")


def test_post_v1_bare_array(api):
    r = api.post("/v2/queues/t/messages", body=[{"body": 1, "ttl": 60}])
    assert_error(r, 400, "Invalid API request", "No messages were found in the request body.")


def test_post_no_messages_key(api):
    r = api.post("/v2/queues/t/messages", body={"message": [{"body": 1}]})
    assert_error(r, 400, "Invalid API request", "No messages were found in the request body.")


def test_post_messages_not_array(api):
    r = api.post("/v2/queues/t/messages", body={"messages": {"body": 1}})
    assert_error(r, 400, "Invalid request body", "Document type not supported.")


@pytest.mark.parametrize("raw,description", [
    (b"{not json", "Request body could not be parsed."),
    (b'{"messages": [{"body": 123456789012345678901234567890}]}',
     "JSON contains integer that is too large."),
])
def test_post_unparsable(api, raw, description):
    assert_error(post_raw(api, "t", raw), 400, "Invalid request body", description)


def test_post_without_body(api):
    r = api.post("/v2/queues/t/messages")
    assert_error(r, 400, "Invalid request body")


def test_post_size_limit(api):
    assert post_raw(api, "sz", body_of_size(262144)).status == 201
    assert_error(post_raw(api, "sz", body_of_size(262145)), 400, "Invalid API request",
                 "Message collection size is too large. Max size 262144")


def test_post_size_limit_queue(api):
    api.create_queue("sq", {"_max_messages_post_size": 100})
    assert post_raw(api, "sq", body_of_size(100)).status == 201
    assert_error(post_raw(api, "sq", body_of_size(101)), 400, "Invalid API request",
                 "Message collection size is too large. The max size for current queue is "
                 "100. It is calculated by max size = min(max_messages_post_size_config: "
                 "262144, max_messages_post_size_queue: 100).")


# --- delay ----------------------------------------------------------------------------

def test_delay_dropped_without_queue_default_delay(api):
    api.create_queue("nd")
    (mid,) = api.post_messages("nd", [{"body": 1, "delay": 901}])
    api.post_messages("nd", [{"body": 2, "delay": True}])  # the Python int 1
    # Beyond Zaqar (it drops any delay here): a delay of the wrong type is refused on
    # every queue, with the text Zaqar gives on a queue with a default delay.
    r = api.post("/v2/queues/nd/messages", body={"messages": [{"body": 3, "delay": "junk"}]})
    assert_error(r, 400, "Invalid request body", 'The value of the "delay" field must be a int.')
    other = api.other_client()
    assert [m["body"] for m in other.list_messages("nd")["messages"]] == [1, 2]
    r = api.claim("nd", limit=1)
    assert r.status == 201
    assert r.json["messages"][0]["id"] == mid


def test_delay_range_with_queue_default(api):
    api.create_queue("dq", {"_default_message_delay": 10})
    for delay in (901, -1):
        r = api.post("/v2/queues/dq/messages", body={"messages": [{"body": 1, "delay": delay}]})
        assert_error(r, 400, "Invalid API request", DELAY_TEXT)
    api.post_messages("dq", [{"body": 1, "delay": 900}, {"body": 2, "delay": 0}])


def test_queue_default_delay_semantics(api):
    api.create_queue("dl", {"_default_message_delay": 2})
    (delayed,) = api.post_messages("dl", [{"body": "later"}])
    (now,) = api.post_messages("dl", [{"body": "now", "delay": 0}])
    other = api.other_client()
    assert message_ids(other.list_messages("dl")["messages"]) == [now]
    assert message_ids(other.list_messages("dl", include_delayed=True)["messages"]) == [
        delayed, now]
    # get by id and by ids return delayed messages
    assert api.get(f"/v2/queues/dl/messages/{delayed}").status == 200
    got = api.get("/v2/queues/dl/messages", params={"ids": delayed}).json["messages"]
    assert message_ids(got) == [delayed]
    # a delayed message can be neither claimed nor popped
    r = api.claim("dl", limit=5)
    assert r.status == 201
    assert message_ids(r.json["messages"]) == [now]
    assert api.delete("/v2/queues/dl/messages", params={"pop": 5}).json == {"messages": []}
    time.sleep(2.5)
    assert message_ids(other.list_messages("dl")["messages"]) == [delayed]
    r = api.claim("dl", limit=5)
    assert r.status == 201
    assert message_ids(r.json["messages"]) == [delayed]


# --- list -----------------------------------------------------------------------------

def test_list_echo_default_false(api):
    ids = api.post_messages("eq", [{"body": 1}, {"body": 2}])
    assert api.list_messages("eq") == {"messages": [], "links": []}
    assert message_ids(api.list_messages("eq", echo=True)["messages"]) == ids
    other = api.other_client()
    assert message_ids(other.list_messages("eq")["messages"]) == ids


def test_list_echo_compares_normalised_client_id(api):
    u = uuid.uuid4()
    poster = api.other_client(str(u).upper())
    poster.post_messages("nq", [{"body": 1}])
    same = api.other_client("urn:uuid:" + str(u))
    assert same.list_messages("nq")["messages"] == []
    same = api.other_client(u.hex)
    assert same.list_messages("nq")["messages"] == []


def test_list_message_shape(api):
    (mid,) = api.post_messages("shape", [{"body": {"a": 1}, "ttl": 300}])
    (m,) = api.list_messages("shape", echo=True)["messages"]
    assert set(m) == MESSAGE_KEYS
    assert m["id"] == mid
    assert m["href"] == f"/v2/queues/shape/messages/{mid}"
    assert m["ttl"] == 300
    assert isinstance(m["age"], int) and 0 <= m["age"] <= 5
    assert m["body"] == {"a": 1}


def test_list_fifo_and_paging_until_empty(api):
    ids = api.post_messages("pg", [{"body": i} for i in range(25)])
    other = api.other_client()
    seen = []
    params = {"limit": 7}
    pages = 0
    while True:
        listing = other.list_messages("pg", **params)
        if not listing["messages"]:
            assert listing["links"] == []
            break
        seen += message_ids(listing["messages"])
        params = link_query(listing)
        assert params["marker"]  # opaque (message id or counter)
        assert params["limit"] == "7"
        pages += 1
        assert pages < 10
    assert seen == ids
    assert pages == 4


def test_list_default_limit_10_and_max_20(api):
    api.post_messages("lim", [{"body": i} for i in range(25)])
    assert len(api.list_messages("lim", echo=True)["messages"]) == 10
    assert len(api.list_messages("lim", echo=True, limit=20)["messages"]) == 20
    for bad in (0, 21):
        r = api.get("/v2/queues/lim/messages", params={"limit": bad})
        assert_error(r, 400, "Invalid API request", LIMIT_TEXT)


def test_list_next_link_carries_params(api):
    api.post_messages("lk", [{"body": 1}, {"body": 2}])
    listing = api.list_messages("lk", echo=True, limit=1)
    q = link_query(listing)
    assert q["echo"] == "true"
    assert q["limit"] == "1"
    # no queue default delay: the server forces include_delayed=true (spec §5.2)
    assert q["include_delayed"] == "true"
    href = listing["links"][0]["href"]
    assert href.startswith("/v2/queues/lk/messages?")
    listing2 = api.get(href).json
    assert [m["body"] for m in listing2["messages"]] == [2]


def test_list_marker_first_element_does_not_restart(api):
    """Z15 bug: a marker pointing at the first message restarted the listing."""
    ids = api.post_messages("mk", [{"body": i} for i in range(3)])
    first = api.list_messages("mk", echo=True, limit=1)
    assert message_ids(first["messages"]) == ids[:1]
    second = api.get(first["links"][0]["href"]).json
    assert message_ids(second["messages"]) == ids[1:2]
    rest = api.list_messages("mk", echo=True, marker=link_query(first)["marker"])
    assert message_ids(rest["messages"]) == ids[1:]


def test_list_bad_marker_returns_empty_page(api):
    api.post_messages("bm", [{"body": 1}])
    listing = api.list_messages("bm", echo=True, marker="garbage-marker")
    assert listing == {"messages": [], "links": []}


def test_list_filters_before_limit(api):
    """12 own + 1 foreign message: limit=10 with echo=false still finds the foreign one."""
    api.post_messages("fl", [{"body": i} for i in range(12)])
    foreign = api.other_client()
    (fid,) = foreign.post_messages("fl", [{"body": "foreign"}])
    listing = api.list_messages("fl", limit=10)
    assert message_ids(listing["messages"]) == [fid]


def test_list_claimed_filter_before_limit(api):
    ids = api.post_messages("cf", [{"body": i} for i in range(13)])
    r = api.claim("cf", limit=12)
    assert r.status == 201
    assert len(r.json["messages"]) == 12
    listing = api.list_messages("cf", echo=True, limit=10)
    assert message_ids(listing["messages"]) == [ids[12]]


def test_list_include_claimed(api):
    ids = api.post_messages("ic", [{"body": i} for i in range(3)])
    r = api.claim("ic", limit=1)
    cid = claim_id_of(r)
    assert message_ids(api.list_messages("ic", echo=True)["messages"]) == ids[1:]
    listing = api.list_messages("ic", echo=True, include_claimed=True)
    assert message_ids(listing["messages"]) == ids
    hrefs = [m["href"] for m in listing["messages"]]
    assert hrefs[0] == f"/v2/queues/ic/messages/{ids[0]}?claim_id={cid}"
    assert hrefs[1] == f"/v2/queues/ic/messages/{ids[1]}"
    # after release the href loses its claim id
    assert api.delete(f"/v2/queues/ic/claims/{cid}").status == 204
    listing = api.list_messages("ic", echo=True, include_claimed=True)
    assert listing["messages"][0]["href"] == f"/v2/queues/ic/messages/{ids[0]}"


@pytest.mark.parametrize("param", ["echo", "include_claimed", "include_delayed"])
def test_list_bad_booleans(api, param):
    r = api.get("/v2/queues/bb/messages", params={param: "TRUE"})
    assert_error(r, 400, "Invalid parameter",
                 f'The "{param}" parameter is invalid. The value of the parameter must be '
                 '"true" or "false".')


# --- get one / get by ids -------------------------------------------------------------

def test_get_one(api):
    (mid,) = api.post_messages("g1", [{"body": {"k": "v"}, "ttl": 120}])
    r = api.get(f"/v2/queues/g1/messages/{mid}")
    assert r.status == 200
    assert set(r.json) == MESSAGE_KEYS
    assert r.json["href"] == f"/v2/queues/g1/messages/{mid}"
    assert (r.json["id"], r.json["ttl"], r.json["body"]) == (mid, 120, {"k": "v"})


def test_get_one_claimed_href(api):
    (mid,) = api.post_messages("g2", [{"body": 1}])
    cid = claim_id_of(api.claim("g2"))
    assert api.get(f"/v2/queues/g2/messages/{mid}").json["href"] == \
        f"/v2/queues/g2/messages/{mid}?claim_id={cid}"


def test_get_one_missing(api):
    api.create_queue("g3")
    mid = "5eb5e9e3b2f5a75b3cf6f4c3"
    assert_error(api.get(f"/v2/queues/g3/messages/{mid}"), 404, "Not found",
                 f"Message {mid} does not exist in queue g3 for project {api.project}")
    assert_error(api.get(f"/v2/queues/nog3/messages/{mid}"), 404, "Not found",
                 f"Queue nog3 does not exist for project {api.project}")


def test_get_one_from_other_queue_is_404(api):
    (mid,) = api.post_messages("qa", [{"body": 1}])
    api.create_queue("qb")
    assert api.get(f"/v2/queues/qb/messages/{mid}").status == 404


def test_get_by_ids(api):
    ids = api.post_messages("gi", [{"body": i} for i in range(4)])
    missing = "0123456789abcdef01234567"
    wanted = [ids[3], missing, ids[0], ids[2]]
    r = api.get("/v2/queues/gi/messages", params={"ids": ",".join(wanted)})
    assert r.status == 200
    assert list(r.json) == ["messages"]
    assert message_ids(r.json["messages"]) == [ids[3], ids[0], ids[2]]
    assert all(set(m) == MESSAGE_KEYS for m in r.json["messages"])


def test_get_by_ids_includes_claimed(api):
    ids = api.post_messages("gc", [{"body": 1}, {"body": 2}])
    cid = claim_id_of(api.claim("gc", limit=1))
    got = api.get("/v2/queues/gc/messages", params={"ids": ",".join(ids)}).json["messages"]
    assert [m["href"] for m in got] == [f"/v2/queues/gc/messages/{ids[0]}?claim_id={cid}",
                                        f"/v2/queues/gc/messages/{ids[1]}"]


def test_get_by_ids_none_found(api):
    api.create_queue("gn")
    r = api.get("/v2/queues/gn/messages", params={"ids": "aaa,bbb"})
    assert_error(r, 404, "Not found",
                 f"No messages with IDs: ['aaa', 'bbb'] found in the queue gn for project "
                 f"{api.project}.")


def test_get_by_ids_count_limit(api):
    api.create_queue("gl")
    r = api.get("/v2/queues/gl/messages", params={"ids": ",".join(["a"] * 21)})
    assert_error(r, 400, "Invalid API request", LIMIT_TEXT)


# --- delete by ids --------------------------------------------------------------------

def test_delete_by_ids(api):
    ids = api.post_messages("di", [{"body": i} for i in range(3)])
    r = api.delete("/v2/queues/di/messages", params={"ids": f"{ids[0]},{ids[2]},nope"})
    assert (r.status, r.body) == (204, b"")
    other = api.other_client()
    assert message_ids(other.list_messages("di")["messages"]) == [ids[1]]


def test_delete_by_ids_ignores_claims(api):
    ids = api.post_messages("dc", [{"body": 1}])
    assert api.claim("dc").status == 201
    assert api.delete("/v2/queues/dc/messages", params={"ids": ids[0]}).status == 204
    assert api.get("/v2/queues/dc/stats").json["messages"]["total"] == 0


def test_delete_collection_param_errors(api):
    api.create_queue("de")
    assert_error(api.delete("/v2/queues/de/messages"), 400, "Invalid API request",
                 'The request should have either "ids" or "pop" parameter in the request, '
                 'to be able to delete.')
    assert_error(api.delete("/v2/queues/de/messages", params={"ids": "a", "pop": 1}), 400,
                 "Invalid API request",
                 "pop and id params cannot be present together in the delete request.")
    r = api.delete("/v2/queues/de/messages", params={"ids": ",".join(["a"] * 21)})
    assert_error(r, 400, "Invalid API request",
                 "ids parameter should have at least 1 and not greater than 20 values.")


# --- pop ------------------------------------------------------------------------------

def test_pop(api):
    ids = api.post_messages("pp", [{"body": i, "ttl": 300} for i in range(4)])
    assert api.claim("pp", limit=1).status == 201  # ids[0] is claimed: pop skips it
    r = api.delete("/v2/queues/pp/messages", params={"pop": 2})
    assert r.status == 200, r
    popped = r.json["messages"]
    assert message_ids(popped) == ids[1:3]
    for m in popped:
        assert set(m) == {"id", "age", "ttl", "body", "claim_id", "claim_count"}, m
        assert m["claim_id"] is None
        assert m["ttl"] == 300
    assert [m["body"] for m in popped] == [1, 2]
    stats = api.get("/v2/queues/pp/stats").json["messages"]
    assert stats["total"] == 2


@pytest.mark.parametrize("pop", ["0", "-1", "21"])
def test_pop_bad_value(api, pop):
    api.create_queue("pb")
    r = api.delete("/v2/queues/pb/messages", params={"pop": pop})
    assert_error(r, 400, "Invalid API request",
                 "Pop value must be at least 1 and may not be greater than 20.")


def test_pop_not_integer(api):
    r = api.delete("/v2/queues/pb/messages", params={"pop": "abc"})
    assert_error(r, 400, "Invalid parameter")


def test_pop_ignores_echo(api):
    ids = api.post_messages("pe", [{"body": 1}])
    r = api.delete("/v2/queues/pe/messages", params={"pop": 1})
    assert message_ids(r.json["messages"]) == ids


# --- delete one, with and without claim (§5.7) ----------------------------------------

def test_delete_unclaimed(api):
    (mid,) = api.post_messages("d1", [{"body": 1}])
    r = api.delete(f"/v2/queues/d1/messages/{mid}")
    assert (r.status, r.body) == (204, b"")
    assert api.get(f"/v2/queues/d1/messages/{mid}").status == 404
    assert api.delete(f"/v2/queues/d1/messages/{mid}").status == 204
    assert api.delete(f"/v2/queues/nod1/messages/{mid}").status == 204


def test_delete_claimed_without_claim_id(api):
    (mid,) = api.post_messages("d2", [{"body": 1}])
    assert api.claim("d2").status == 201
    assert_error(api.delete(f"/v2/queues/d2/messages/{mid}"), 403, "Unable to delete",
                 CLAIMED_TEXT)
    assert api.get(f"/v2/queues/d2/messages/{mid}").status == 200


def test_delete_with_malformed_claim_id(api):
    (mid,) = api.post_messages("d3", [{"body": 1}])
    assert api.claim("d3").status == 201
    r = api.delete(f"/v2/queues/d3/messages/{mid}", params={"claim_id": "not-a-uuid"})
    assert_error(r, 400, "Unable to delete", NO_CLAIM_TEXT)


def test_delete_with_claim_id_message_not_claimed(api):
    (mid,) = api.post_messages("d4", [{"body": 1}])
    r = api.delete(f"/v2/queues/d4/messages/{mid}", params={"claim_id": str(uuid.uuid4())})
    assert_error(r, 400, "Unable to delete", NOT_CLAIMED_TEXT)


def test_delete_with_released_claim(api):
    (mid,) = api.post_messages("d5", [{"body": 1}])
    cid = claim_id_of(api.claim("d5"))
    assert api.delete(f"/v2/queues/d5/claims/{cid}").status == 204
    r = api.delete(f"/v2/queues/d5/messages/{mid}", params={"claim_id": cid})
    assert_error(r, 400, "Unable to delete", NOT_CLAIMED_TEXT)


def test_delete_claimed_with_unknown_claim(api):
    (mid,) = api.post_messages("d6", [{"body": 1}])
    assert api.claim("d6").status == 201
    r = api.delete(f"/v2/queues/d6/messages/{mid}", params={"claim_id": str(uuid.uuid4())})
    assert_error(r, 400, "Unable to delete", NO_CLAIM_TEXT)


def test_delete_claimed_with_other_live_claim(api):
    m1, m2 = api.post_messages("d7", [{"body": 1}, {"body": 2}])
    c1 = claim_id_of(api.claim("d7", limit=1))
    c2 = claim_id_of(api.claim("d7", limit=1))
    assert c1 != c2
    r = api.delete(f"/v2/queues/d7/messages/{m1}", params={"claim_id": c2})
    assert_error(r, 403, "Unable to delete", CLAIMED_TEXT)


def test_delete_with_own_claim(api):
    m1, m2 = api.post_messages("d8", [{"body": 1}, {"body": 2}])
    cid = claim_id_of(api.claim("d8", limit=2))
    r = api.delete(f"/v2/queues/d8/messages/{m1}", params={"claim_id": cid})
    assert (r.status, r.body) == (204, b"")
    assert api.get(f"/v2/queues/d8/messages/{m1}").status == 404
    claim = api.get(f"/v2/queues/d8/claims/{cid}").json
    assert message_ids(claim["messages"]) == [m2]


def test_delete_with_claim_id_from_another_queue(api):
    (m1,) = api.post_messages("d9a", [{"body": 1}])
    api.post_messages("d9b", [{"body": 1}])
    assert api.claim("d9a").status == 201
    other_cid = claim_id_of(api.claim("d9b"))
    r = api.delete(f"/v2/queues/d9a/messages/{m1}", params={"claim_id": other_cid})
    assert_error(r, 400, "Unable to delete", NO_CLAIM_TEXT)
