"""Queues: create/get/delete, JSON-Patch metadata, lazy semantics, listing, stats, purge
(rest-v2.md §1.8, §1.9, §2, §4.2–§4.8)."""

import json
import re
import time
import urllib.parse

import pytest

PATCH_CT = "application/openstack-messaging-v2.0-json-patch"
DEFAULTS = {
    "_max_messages_post_size": 262144, "_default_message_ttl": 3600,
    "_default_message_delay": 0, "_dead_letter_queue": None,
    "_dead_letter_queue_messages_ttl": None, "_max_claim_count": None,
    "_enable_encrypt_messages": False,
}
MEDIA_415 = ("Accepted media type for PATCH: "
             "{'Accept-Patch': 'application/openstack-messaging-v2.0-json-patch'}.")


def assert_error(r, status, title, description=None):
    assert r.status == status, r
    assert r.json["title"] == title, r
    if description is not None:
        assert r.json["description"] == description, r


def patch(api, queue, ops, content_type=PATCH_CT, raw=None):
    data = raw if raw is not None else json.dumps(ops).encode()
    return api.patch(f"/v2/queues/{queue}", raw=data, headers={"Content-Type": content_type})


def names(listing):
    return [q["name"] for q in listing["queues"]]


def next_query(listing):
    (link,) = listing["links"]
    assert link["rel"] == "next"
    path, _, query = link["href"].partition("?")
    assert path == "/v2/queues", link
    return dict(urllib.parse.parse_qsl(query))


# --- create / get / delete ------------------------------------------------------------

def test_create_then_exists(api):
    r = api.put("/v2/queues/fizbit")
    assert r.status == 201, r
    assert r.header("Location") == "/v2/queues/fizbit"
    assert r.body == b""
    r = api.put("/v2/queues/fizbit")
    assert r.status == 204, r
    assert r.header("Location") == "/v2/queues/fizbit"
    assert r.body == b""


def test_create_with_metadata_and_get(api):
    assert api.put("/v2/queues/m1", body={"a": 1, "b": {"c": [1, "x"]}}).status == 201
    r = api.get("/v2/queues/m1")
    assert r.status == 200
    assert r.json == dict(DEFAULTS, a=1, b={"c": [1, "x"]})


def test_put_existing_queue_does_not_change_metadata(api):
    api.create_queue("m2", {"a": 1})
    r = api.put("/v2/queues/m2", body={"a": 2, "z": 3})
    assert r.status == 204
    assert api.get("/v2/queues/m2").json == dict(DEFAULTS, a=1)


def test_put_empty_body_and_zero_length(api):
    assert api.put("/v2/queues/e1").status == 201
    assert api.put("/v2/queues/e2", raw=b"").status == 201
    assert api.get("/v2/queues/e2").json == DEFAULTS


def test_put_unicode_metadata_roundtrip(api):
    api.create_queue("uni", {"greeting": "héllo ☃"})
    r = api.get("/v2/queues/uni")
    assert r.json["greeting"] == "héllo ☃"
    assert "héllo ☃".encode() in r.body, "JSON must not be ASCII-escaped"


@pytest.mark.parametrize("raw,description", [
    (b"[1, 2]", "Document type not supported."),
    (b"{bad json", "Request body could not be parsed."),
    (b"   ", "Request body could not be parsed."),
    (b"42", "Request body could not be parsed."),
    (b'"str"', "Request body could not be parsed."),
    (b"\xff\xfe{}", "Request body could not be parsed."),
    (b'{"a": 99999999999999999999}', "JSON contains integer that is too large."),
])
def test_put_bad_body(api, raw, description):
    r = api.put("/v2/queues/bad", raw=raw, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "Invalid request body", description)


def test_get_unknown_queue_returns_defaults(api):
    r = api.get("/v2/queues/never")
    assert r.status == 200
    assert r.json == DEFAULTS


def test_delete(api):
    api.create_queue("d1", {"a": 1})
    api.post_messages("d1", [{"body": 1}])
    r = api.delete("/v2/queues/d1")
    assert r.status == 204 and r.body == b""
    assert api.get("/v2/queues/d1").json == DEFAULTS
    assert names(api.get("/v2/queues").json) == []
    stats = api.get("/v2/queues/d1/stats").json
    assert stats == {"messages": {"claimed": 0, "free": 0, "total": 0}}
    assert api.delete("/v2/queues/d1").status == 204
    assert api.delete("/v2/queues/never").status == 204


# --- metadata size and reserved keys --------------------------------------------------

def test_metadata_size_limit(api):
    big = {"k": "x" * (65536 - len('{"k": ""}'))}
    assert len(json.dumps(big)) == 65536
    assert api.put("/v2/queues/fits", body=big).status == 201
    too_big = {"k": "x" * (65537 - len('{"k": ""}'))}
    assert_error(api.put("/v2/queues/toobig", body=too_big), 400, "Invalid API request",
                 "Queue metadata is too large. Max size: 65536")


def test_metadata_way_too_large_is_still_zaqars_400(api):
    """Even far above any transport cap, Zaqar answers its own 400 (compat suite's
    test_way_too_much_metadata sends 6.5 MB)."""
    r = api.put("/v2/queues/huge", body={"padding": "x" * (2 * 1024 * 1024)})
    assert_error(r, 400, "Invalid API request", "Queue metadata is too large. Max size: 65536")


def test_patch_metadata_size_limit(api):
    api.create_queue("pbig")
    ops = [{"op": "add", "path": "/metadata/k", "value": "x" * 66000}]
    assert_error(patch(api, "pbig", ops), 400, "Invalid request body")


RESERVED_CASES = [
    ({"_max_messages_post_size": "abc"}, "_max_messages_post_size must be integer."),
    ({"_max_messages_post_size": 262145},
     "_max_messages_post_size can not exceed 262144,  and must be at least greater than 0."),
    ({"_max_messages_post_size": -1},
     "_max_messages_post_size can not exceed 262144,  and must be at least greater than 0."),
    ({"_max_messages_post_size": 0},
     "_max_messages_post_size can not exceed 262144,  and must be at least greater than 0."),
    ({"_default_message_ttl": "abc"}, "_default_message_ttl must be integer."),
    ({"_default_message_ttl": 59}, "_default_message_ttl can not exceed 1209600 seconds, "
                                   "and must be at least 60 seconds long."),
    ({"_default_message_ttl": 1209601}, "_default_message_ttl can not exceed 1209600 "
                                        "seconds, and must be at least 60 seconds long."),
    ({"_default_message_delay": "abc"}, "_default_message_delay must be integer."),
    ({"_default_message_delay": 901},
     "The TTL can not exceed 900 seconds, and must be at least 0 seconds long."),
    ({"_default_message_delay": -1},
     "The TTL can not exceed 900 seconds, and must be at least 0 seconds long."),
    ({"_dead_letter_queue_messages_ttl": "abc"},
     "_dead_letter_queue_messages_ttl must be integer."),
    ({"_dead_letter_queue_messages_ttl": 59}, "The TTL for a message may not exceed 1209600 "
                                              "seconds, and must be at least 60 seconds long."),
    ({"_max_claim_count": "abc"}, "_max_claim_count must be integer."),
    ({"_max_claim_count": 1.5}, "_max_claim_count must be integer."),
    ({"_enable_encrypt_messages": "yes"}, "_enable_encrypt_messages must be boolean."),
    # Recommend: strict JSON types, a boolean is not an int.
    ({"_max_claim_count": True}, "_max_claim_count must be integer."),
    ({"_default_message_ttl": True}, None),
]


@pytest.mark.parametrize("meta,description", RESERVED_CASES)
def test_put_reserved_metadata_validation(api, meta, description):
    assert_error(api.put("/v2/queues/rq", body=meta), 400, "Invalid API request", description)
    assert names(api.get("/v2/queues").json) == []


@pytest.mark.parametrize("meta,description", RESERVED_CASES)
def test_patch_reserved_metadata_validation(api, meta, description):
    api.create_queue("rq")
    ((key, value),) = meta.items()
    r = patch(api, "rq", [{"op": "add", "path": f"/metadata/{key}", "value": value}])
    assert_error(r, 400, "Invalid request body", description)
    assert api.get("/v2/queues/rq").json == DEFAULTS


def test_ranged_key_empty_string_is_400_not_500(api):
    r = api.put("/v2/queues/rq", body={"_default_message_ttl": ""})
    assert r.status == 400, r


def test_valid_reserved_metadata(api):
    meta = {"_max_messages_post_size": 1000, "_default_message_ttl": 60,
            "_default_message_delay": 900, "_dead_letter_queue": "dlq",
            "_dead_letter_queue_messages_ttl": 1209600, "_max_claim_count": 3,
            "_enable_encrypt_messages": False}
    api.create_queue("ok", meta)
    assert api.get("/v2/queues/ok").json == meta


def test_falsy_reserved_values_read_back_as_defaults(api):
    api.create_queue("fz", {"_max_claim_count": 0, "_dead_letter_queue": ""})
    got = api.get("/v2/queues/fz").json
    assert got["_max_claim_count"] is None
    assert got["_dead_letter_queue"] is None


# --- PATCH ----------------------------------------------------------------------------

def test_patch_add_replace_remove(api):
    api.create_queue("pq", {"a": 1, "b": 2})
    r = patch(api, "pq", [{"op": "add", "path": "/metadata/c", "value": {"x": 1}},
                          {"op": "replace", "path": "/metadata/a", "value": 10},
                          {"op": "remove", "path": "/metadata/b"},
                          {"op": "add", "path": "/metadata/a", "value": 11}])
    assert r.status == 200, r
    expected = dict(DEFAULTS, a=11, c={"x": 1})
    assert r.json == expected
    assert api.get("/v2/queues/pq").json == expected


def test_patch_pointer_escapes_and_whitespace(api):
    api.create_queue("pe")
    r = patch(api, "pe", [{"op": "add", "path": "/metadata/a~1b~0c", "value": 1},
                          {"op": "add", "path": "/ metadata / k ", "value": 2},
                          {"op": "add", "path": "/METADATA/u", "value": 3}])
    assert r.status == 200, r
    assert r.json["a/b~c"] == 1
    assert r.json["k"] == 2
    assert r.json["u"] == 3


def test_patch_reserved_key_set(api):
    api.create_queue("pr")
    r = patch(api, "pr", [{"op": "replace", "path": "/metadata/_default_message_ttl",
                           "value": 120},
                          {"op": "add", "path": "/metadata/_max_claim_count", "value": 2}])
    assert r.status == 200, r
    assert r.json["_default_message_ttl"] == 120
    assert r.json["_max_claim_count"] == 2


def test_patch_reserved_key_remove_tolerance(api):
    """python-zaqarclient's queue.metadata(new_meta=...) removes every defaulted key."""
    api.create_queue("pt", {"a": 1})
    ops = [{"op": "remove", "path": f"/metadata/{k}"} for k in DEFAULTS]
    ops.append({"op": "replace", "path": "/metadata/a", "value": 2})
    r = patch(api, "pt", ops)
    assert r.status == 200, r
    assert r.json == dict(DEFAULTS, a=2)


def test_patch_conflicts(api):
    api.create_queue("pc", {"a": 1})
    assert_error(patch(api, "pc", [{"op": "replace", "path": "/metadata/zz", "value": 1}]),
                 409, "Resource conflict", "Can't replace non-existent object zz.")
    assert_error(patch(api, "pc", [{"op": "remove", "path": "/metadata/zz"}]),
                 409, "Resource conflict", "Can't remove non-existent object zz.")
    # nothing applied when one operation fails
    r = patch(api, "pc", [{"op": "add", "path": "/metadata/n", "value": 1},
                          {"op": "remove", "path": "/metadata/zz"}])
    assert r.status == 409
    assert api.get("/v2/queues/pc").json == dict(DEFAULTS, a=1)


def test_patch_remove_root_not_checked(api):
    api.create_queue("pn", {"a": 1})
    r = patch(api, "pn", [{"op": "remove", "path": "/whatever/a"}])
    assert r.status == 200, r
    assert "a" not in r.json


def test_patch_unknown_queue_404(api):
    r = patch(api, "nope", [{"op": "add", "path": "/metadata/a", "value": 1}])
    assert_error(r, 404, "Not found", f"Queue nope does not exist for project {api.project}")


@pytest.mark.parametrize("ctype", ["application/json", PATCH_CT + "; charset=utf-8",
                                   "application/json-patch+json"])
def test_patch_wrong_media_type_415(api, ctype):
    api.create_queue("pm")
    r = patch(api, "pm", [{"op": "add", "path": "/metadata/a", "value": 1}], content_type=ctype)
    assert r.status == 415, r
    assert r.json == {"title": MEDIA_415}


def test_patch_empty_body(api):
    api.create_queue("pb")
    assert_error(patch(api, "pb", None, raw=b""), 400, "Invalid request body",
                 "PATCH body could not be empty for update.")


def test_patch_unparsable_body(api):
    api.create_queue("pb")
    assert_error(patch(api, "pb", None, raw=b"[{"), 400, "Invalid request body",
                 "Request body could not be parsed.")


def test_patch_object_body_recommend_400(api):
    api.create_queue("pb")
    r = patch(api, "pb", {"op": "add", "path": "/metadata/a", "value": 1})
    assert_error(r, 400, "Invalid request body", "Document type not supported.")


@pytest.mark.parametrize("op,description", [
    (1, "Operations must be JSON objects."),
    ({"path": "/metadata/a", "value": 1},
     "Unable to find `op` in JSON Schema change. It must be one of the following: "
     "add, remove, replace."),
    ({"op": "move", "path": "/metadata/a"},
     "Invalid operation: `move`. It must be one of the following: add, remove, replace."),
    ({"op": "add", "value": 1}, "Unable to find 'path' in JSON Schema change"),
    ({"op": "add", "path": "metadata/a", "value": 1},
     'Pointer `metadata/a` does not start with "/".'),
    ({"op": "add", "path": "/metadata//a", "value": 1},
     'Pointer `/metadata//a` contains adjacent "/".'),
    ({"op": "add", "path": "/metadata/a/", "value": 1},
     'Pointer `/metadata/a/` end with "/".'),
    ({"op": "add", "path": "/metadata/a~2", "value": 1},
     'Pointer `/metadata/a~2` contains "~" not part of a recognized escape sequence.'),
    ({"op": "add", "path": "/metadata/a/b", "value": 1},
     "Invalid JSON pointer for this resource: '/metadata/a/b, e.g /metadata/key'"),
    ({"op": "add", "path": "/meta/a", "value": 1},
     "The root of path must be metadata, e.g /metadata/key."),
    ({"op": "add", "path": "/metadata/a"}, 'Operation "add" requires a member named "value".'),
    ({"op": "replace", "path": "/metadata/a"},
     'Operation "replace" requires a member named "value".'),
])
def test_patch_operation_errors(api, op, description):
    api.create_queue("po", {"a": 0})
    assert_error(patch(api, "po", [op]), 400, "Invalid request body", description)


# --- lazy resources (§1.8) ------------------------------------------------------------

def test_lazy_semantics_on_never_created_queue(api):
    q = "lazy"
    p = api.project
    assert api.get(f"/v2/queues/{q}").json == DEFAULTS
    r = api.get(f"/v2/queues/{q}/stats")
    assert (r.status, r.json) == (200, {"messages": {"claimed": 0, "free": 0, "total": 0}})
    r = api.get(f"/v2/queues/{q}/messages")
    assert (r.status, r.json) == (200, {"messages": [], "links": []})
    mid = "5eb5e9e3b2f5a75b3cf6f4c3"
    assert_error(api.get(f"/v2/queues/{q}/messages/{mid}"), 404, "Not found",
                 f"Queue {q} does not exist for project {p}")
    assert_error(api.get(f"/v2/queues/{q}/messages", params={"ids": mid}), 404, "Not found",
                 f"No messages with IDs: ['{mid}'] found in the queue {q} for project {p}.")
    assert api.delete(f"/v2/queues/{q}/messages/{mid}").status == 204
    assert api.delete(f"/v2/queues/{q}/messages", params={"ids": mid}).status == 204
    r = api.delete(f"/v2/queues/{q}/messages", params={"pop": 2})
    assert (r.status, r.json) == (200, {"messages": []})
    r = api.post(f"/v2/queues/{q}/claims", body={"ttl": 60, "grace": 60})
    assert (r.status, r.body) == (204, b"")
    cid = "8f4b9c2e-5c9a-4d6e-9b1a-3b9d2f1e7c55"
    assert api.get(f"/v2/queues/{q}/claims/{cid}").status == 404
    assert api.patch(f"/v2/queues/{q}/claims/{cid}", body={"ttl": 60}).status == 404
    assert api.delete(f"/v2/queues/{q}/claims/{cid}").status == 204
    assert patch(api, q, [{"op": "add", "path": "/metadata/a", "value": 1}]).status == 404
    assert api.post(f"/v2/queues/{q}/purge").status == 204
    assert api.delete(f"/v2/queues/{q}").status == 204
    # none of that created the queue
    assert names(api.get("/v2/queues").json) == []


def test_post_message_creates_queue(api):
    api.post_messages("bypost", [{"body": 1}])
    assert names(api.get("/v2/queues").json) == ["bypost"]


def test_failed_post_still_creates_queue(api):
    r = api.post("/v2/queues/byfail/messages", body={"messages": [{"body": 1, "ttl": 1}]})
    assert r.status == 400
    assert names(api.get("/v2/queues").json) == ["byfail"]


# --- listing --------------------------------------------------------------------------

def test_list_empty(api):
    r = api.get("/v2/queues")
    assert r.status == 200
    assert r.json == {"queues": [], "links": []}


def test_list_sorted_with_hrefs_and_links(api):
    for n in ["b", "a", "C", "c", "a.1"]:
        api.create_queue(n)
    listing = api.get("/v2/queues").json
    assert names(listing) == sorted(["b", "a", "C", "c", "a.1"])  # byte order
    assert listing["queues"][0] == {"name": "C", "href": "/v2/queues/C"}
    assert "metadata" not in listing["queues"][0]
    assert "count" not in listing
    q = next_query(listing)  # a next link even on the last page
    assert q["marker"] == "c"


def test_list_paging_with_marker_and_limit(api):
    all_names = [f"q{i:02d}" for i in range(25)]
    for n in all_names:
        api.create_queue(n)
    seen = []
    params = {"limit": 7}
    pages = 0
    while True:
        listing = api.get("/v2/queues", params=params).json
        if not listing["queues"]:
            assert listing["links"] == []
            break
        assert len(listing["queues"]) <= 7
        seen += names(listing)
        params = next_query(listing)
        assert params["limit"] == "7"
        pages += 1
        assert pages < 10
    assert seen == all_names
    assert pages == 4


def test_list_default_limit_is_10(api):
    for i in range(12):
        api.create_queue(f"d{i:02d}")
    assert len(api.get("/v2/queues").json["queues"]) == 10


def test_list_marker_is_exclusive_even_for_first_queue(api):
    for n in ["a", "b", "c"]:
        api.create_queue(n)
    assert names(api.get("/v2/queues", params={"marker": "a"}).json) == ["b", "c"]
    assert names(api.get("/v2/queues", params={"marker": "b"}).json) == ["c"]
    assert names(api.get("/v2/queues", params={"marker": "c"}).json) == []
    # a marker that is not a queue: listing continues after it in name order
    assert names(api.get("/v2/queues", params={"marker": "bb"}).json) == ["c"]
    # blank marker is no marker
    assert names(api.get("/v2/queues?marker=").json) == ["a", "b", "c"]


@pytest.mark.parametrize("limit", ["0", "21", "-1"])
def test_list_bad_limit(api, limit):
    assert_error(api.get("/v2/queues", params={"limit": limit}), 400, "Invalid API request",
                 "Limit must be at least 1 and no greater than 20.")


def test_list_limit_not_integer(api):
    assert_error(api.get("/v2/queues", params={"limit": "x"}), 400, "Invalid parameter",
                 'The "limit" parameter is invalid. The value must be an integer.')


def test_list_repeated_param_last_wins(api):
    for i in range(6):
        api.create_queue(f"r{i}")
    assert len(api.get("/v2/queues?limit=5&limit=6").json["queues"]) == 6


def test_list_detailed(api):
    api.create_queue("plain")
    api.create_queue("withmeta", {"a": 1, "_default_message_ttl": 300})
    listing = api.get("/v2/queues", params={"detailed": "true"}).json
    by_name = {q["name"]: q for q in listing["queues"]}
    assert by_name["plain"]["metadata"] == DEFAULTS
    assert by_name["withmeta"]["metadata"] == dict(DEFAULTS, a=1, _default_message_ttl=300)
    assert next_query(listing)["detailed"] == "true"


@pytest.mark.parametrize("bad", ["TRUE", "Yes", "2", "maybe"])
def test_list_detailed_bad_bool(api, bad):
    assert_error(api.get("/v2/queues", params={"detailed": bad}), 400, "Invalid parameter",
                 'The "detailed" parameter is invalid. The value of the parameter must be '
                 '"true" or "false".')


@pytest.mark.parametrize("good", ["true", "True", "t", "yes", "y", "1", "on"])
def test_list_detailed_bool_spellings(api, good):
    api.create_queue("x")
    assert "metadata" in api.get("/v2/queues", params={"detailed": good}).json["queues"][0]


def test_list_with_count(api):
    assert "count" not in api.get("/v2/queues", params={"with_count": "true"}).json
    for i in range(3):
        api.create_queue(f"c{i}", {"color": "red" if i else "blue"})
    listing = api.get("/v2/queues", params={"with_count": "true", "limit": 1}).json
    assert listing["count"] == 3
    assert len(listing["queues"]) == 1
    # count ignores filters
    listing = api.get("/v2/queues", params={"with_count": "true", "color": "red"}).json
    assert listing["count"] == 3
    assert "count" not in api.get("/v2/queues").json


def test_list_name_filter(api):
    for n in ["alpha", "alphabet", "beta", "xalphax"]:
        api.create_queue(n)
    listing = api.get("/v2/queues", params={"name": "alpha", "limit": 2}).json
    assert names(listing) == ["alpha", "alphabet"]
    q = next_query(listing)
    assert q["name"] == "alpha"
    assert q["marker"] == "alphabet"
    listing = api.get("/v2/queues", params=q).json
    assert names(listing) == ["xalphax"]


def test_list_metadata_filters(api):
    api.create_queue("r1", {"color": "red", "n": 5})
    api.create_queue("r2", {"color": "red", "n": 6})
    api.create_queue("b1", {"color": "blue", "n": 5})
    api.create_queue("none")
    assert names(api.get("/v2/queues", params={"color": "red"}).json) == ["r1", "r2"]
    assert names(api.get("/v2/queues", params={"n": "5"}).json) == ["b1", "r1"]
    assert names(api.get("/v2/queues", params={"color": "red", "n": "6"}).json) == ["r2"]
    assert names(api.get("/v2/queues", params={"color": "green"}).json) == []
    listing = api.get("/v2/queues", params={"color": "red", "limit": 1}).json
    assert names(listing) == ["r1"]
    assert "color" not in next_query(listing)


# --- stats ----------------------------------------------------------------------------

CREATED_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def test_stats_shapes(api):
    api.create_queue("st")
    assert api.get("/v2/queues/st/stats").json == {
        "messages": {"claimed": 0, "free": 0, "total": 0}}
    ids = api.post_messages("st", [{"body": i} for i in range(3)])
    r = api.claim("st", limit=1)
    assert r.status == 201
    stats = api.get("/v2/queues/st/stats").json["messages"]
    assert (stats["claimed"], stats["free"], stats["total"]) == (1, 2, 3)
    for key, mid in (("oldest", ids[0]), ("newest", ids[2])):
        assert set(stats[key]) == {"href", "age", "created"}, stats[key]  # Recommend
        assert stats[key]["href"] == f"/v2/queues/st/messages/{mid}"
        assert isinstance(stats[key]["age"], int) and stats[key]["age"] >= 0
        assert CREATED_RE.match(stats[key]["created"]), stats[key]


def test_stats_delayed_messages_count_as_free(api):
    api.create_queue("sd", {"_default_message_delay": 300})
    api.post_messages("sd", [{"body": 1}, {"body": 2, "delay": 0}])
    stats = api.get("/v2/queues/sd/stats").json["messages"]
    assert (stats["claimed"], stats["free"], stats["total"]) == (0, 2, 2)


# --- purge ----------------------------------------------------------------------------

def test_purge_all_messages_including_claimed_and_delayed(api):
    api.create_queue("pg", {"_default_message_delay": 300})
    api.post_messages("pg", [{"body": 1, "delay": 0}, {"body": 2, "delay": 0},
                             {"body": 3}])
    assert api.claim("pg", limit=1).status == 201
    r = api.post("/v2/queues/pg/purge")
    assert (r.status, r.body) == (204, b"")
    assert r.header("X-Purged-Messages") == "3"  # beyond Zaqar: how many went
    assert api.get("/v2/queues/pg/stats").json["messages"]["total"] == 0
    # the queue and its metadata survive
    assert api.get("/v2/queues/pg").json["_default_message_delay"] == 300
    assert names(api.get("/v2/queues").json) == ["pg"]


def test_purge_messages_only(api):
    api.post_messages("pm", [{"body": 1}])
    r = api.post("/v2/queues/pm/purge", body={"resource_types": ["messages"]})
    assert r.status == 204
    assert api.get("/v2/queues/pm/stats").json["messages"]["total"] == 0


def test_purge_subscriptions_only_keeps_messages(api):
    api.post_messages("ps", [{"body": 1}])
    r = api.post("/v2/queues/ps/purge", body={"resource_types": ["subscriptions"]})
    assert r.status == 204
    assert r.header("X-Purged-Messages") is None  # no message was purged
    assert api.get("/v2/queues/ps/stats").json["messages"]["total"] == 1


def test_purge_errors(api):
    assert_error(api.post("/v2/queues/pe/purge", body={"foo": ["messages"]}), 400,
                 "Invalid API request", 'Post body must contain key "resource_types".')
    r = api.post("/v2/queues/pe/purge", body={"resource_types": ["messages", "claims"]})
    assert r.status == 400
    assert r.json["description"].startswith("Resource types must be a sub set of {")


def test_purge_of_a_big_queue_reports_the_count(api, stack):
    for _ in range(25):
        api.post_messages("big", [{"body": i, "ttl": 300} for i in range(10)])
    r = api.post("/v2/queues/big/purge", headers={"X-Openstack-Request-ID": "req-purge-big"})
    assert r.status == 204 and r.header("X-Purged-Messages") == "250"
    deadline = time.monotonic() + 5
    line = f"purge: 250 messages removed from queue {api.project}/big [req-purge-big]"
    while line not in stack.zaqard.stderr_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert line in stack.zaqard.stderr_text()
    # Purging again removes nothing.
    assert api.post("/v2/queues/big/purge").header("X-Purged-Messages") == "0"
