"""Every typed field of every request body, table-driven, over REST (real HTTP) and the
WebSocket API alike: a bad value gets Zaqar's 400 and its exact text, edge values that
Zaqar accepts pass (validation.py, wsgi/utils.py get_checked_field, api/v2 schemas).

A row names an action, the fields it sends and what each transport answers. Expected
answers are (status, kind, text) with kind:
  "api"    -> 400 "Invalid API request" (REST) / {"exception": text, "error": null} (ws)
  "body"   -> 400 "Invalid request body" (REST) / "Bad request. " + text (ws)
  "param"  -> 400 "Invalid parameter" (REST query parameters)
  "schema" -> the WebSocket schema check (Draft 4 jsonschema: booleans, floats and null
              are not integers), {"error": "Schema validation failed."}
  "update" -> 400 "Unable to update subscription" / "Subscription <id> could not be updated."
  None     -> the action succeeds with `text` as the status
An expectation of None for a transport means the action does not exist there (Zaqar 15
has no WebSocket subscription_update, queue_update or subscription_confirm).
"""

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import zaqard_harness as harness  # noqa: E402
from ws_client import WsClient  # noqa: E402

HOOK = "http://127.0.0.1:9/hook"
TYPES = "['http', 'https', 'mailto', 'trust+http', 'trust+https']"
SUB_TYPES = f"The subscriber type of subscription must be supported in the list {TYPES}."
MSG_TTL = ("The TTL for a message may not exceed 1209600 seconds, and must be at least 60 "
           "seconds long.")
DELAY = ("The Delay TTL for a message may not exceed 900 seconds,and must be at least 0 "
         "seconds long.")
CLAIM_TTL = ("The TTL for a claim may not exceed 43200 seconds, and must be at least 60 "
             "seconds long.")
CLAIM_GRACE = ("The grace for a claim may not exceed 43200 seconds, and must be at least 60 "
               "seconds long.")
SUB_TTL_MIN = "The TTL for a subscription must be at least 60 seconds long."
SUB_TTL_TYPE = "TTL must be an integer."
META_TTL = ("_default_message_ttl can not exceed 1209600 seconds, and must be at least 60 "
            "seconds long.")
META_SIZE = ("_max_messages_post_size can not exceed 262144,  and must be at least greater "
             "than 0.")
META_DELAY = "The TTL can not exceed 900 seconds, and must be at least 0 seconds long."
LONG = "x" * 70000  # a 70k string where an int belongs

SCHEMA = (400, "schema", None)


def must_be_int(name):
    return (400, "body", f'The value of the "{name}" field must be a int.')


def api_error(text):
    return (400, "api", text)


def qname():
    return "q" + uuid.uuid4().hex[:12]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(str(tmp_path_factory.mktemp("bodies")))


@pytest.fixture
def api(stack):
    return stack.client(project="p-" + uuid.uuid4().hex)


@pytest.fixture
def ws(stack, api):
    """A WebSocket client in the same project as `api`."""
    c = WsClient(stack.zaqard.ws_url, project=api.project)
    yield c
    c.close()


# ------------------------------------------------------------------- setups per action

def subscribe(api, q, subscriber=HOOK, **fields):
    r = api.post(f"/v2/queues/{q}/subscriptions", body={"subscriber": subscriber, **fields})
    assert r.status == 201, r
    return r.json["subscription_id"]


def claim_one(api, q):
    api.post_messages(q, [{"body": 1, "ttl": 300}])
    r = api.claim(q, ttl=300, grace=60)
    assert r.status == 201, r
    return harness.claim_id_of(r)


# Each action: (rest(api, q, fields) -> Response, ws(ws, api, q, fields) -> (status, body)).
# `fields` is the dict of fields under test; a setup (queue, claim, subscription) comes
# first where the action needs one.

def rest_message_post(api, q, fields):
    return api.post(f"/v2/queues/{q}/messages", body={"messages": [{"body": 1, **fields}]})


def ws_message_post(ws, api, q, fields):
    return ws.status_body("message_post",
                          {"queue_name": q, "messages": [{"body": 1, **fields}]})


def rest_message_post_delay_queue(api, q, fields):
    api.create_queue(q, {"_default_message_delay": 5})
    return rest_message_post(api, q, fields)


def ws_message_post_delay_queue(ws, api, q, fields):
    api.create_queue(q, {"_default_message_delay": 5})
    return ws_message_post(ws, api, q, fields)


def rest_message_post_raw(api, q, fields):
    """fields is the whole message object (to leave `body` out)."""
    return api.post(f"/v2/queues/{q}/messages", body={"messages": [fields]})


def ws_message_post_raw(ws, api, q, fields):
    return ws.status_body("message_post", {"queue_name": q, "messages": [fields]})


def rest_claim_create(api, q, fields):
    api.post_messages(q, [{"body": 1}])
    limit = fields.pop("limit", None)
    return api.post(f"/v2/queues/{q}/claims", body=fields,
                    params=None if limit is None else {"limit": limit})


def ws_claim_create(ws, api, q, fields):
    api.post_messages(q, [{"body": 1}])
    return ws.status_body("claim_create", {"queue_name": q, **fields})


def rest_claim_update(api, q, fields):
    cid = claim_one(api, q)
    return api.patch(f"/v2/queues/{q}/claims/{cid}", body=fields)


def ws_claim_update(ws, api, q, fields):
    cid = claim_one(api, q)
    return ws.status_body("claim_update", {"queue_name": q, "claim_id": cid, **fields})


def rest_subscription_create(api, q, fields):
    return api.post(f"/v2/queues/{q}/subscriptions", body={"subscriber": HOOK, **fields})


def ws_subscription_create(ws, api, q, fields):
    return ws.status_body("subscription_create", {"queue_name": q, "subscriber": HOOK, **fields})


def rest_subscription_update(api, q, fields):
    sid = subscribe(api, q)
    return api.patch(f"/v2/queues/{q}/subscriptions/{sid}", body=fields)


def rest_queue_create(api, q, fields):
    return api.put(f"/v2/queues/{q}", body=fields)


def ws_queue_create(ws, api, q, fields):
    return ws.status_body("queue_create", {"queue_name": q, "metadata": fields})


def rest_queue_update(api, q, fields):
    api.create_queue(q)
    ops = [{"op": "add", "path": f"/metadata/{k}", "value": v} for k, v in fields.items()]
    return api.patch(f"/v2/queues/{q}", body=ops,
                     headers={"Content-Type": "application/openstack-messaging-v2.0-json-patch"})


def rest_delete_many(api, q, fields):
    api.post_messages(q, [{"body": 1}])
    return api.delete(f"/v2/queues/{q}/messages", params=fields)


def ws_delete_many(ws, api, q, fields):
    api.post_messages(q, [{"body": 1}])
    return ws.status_body("message_delete_many", {"queue_name": q, **fields})


def ws_get_many(ws, api, q, fields):
    api.post_messages(q, [{"body": 1}])
    return ws.status_body("message_get_many", {"queue_name": q, **fields})


def rest_get_many(api, q, fields):
    api.post_messages(q, [{"body": 1}])
    return api.get(f"/v2/queues/{q}/messages", params=fields)


def rest_confirm(api, q, fields):
    sid = subscribe(api, q)
    return api.put(f"/v2/queues/{q}/subscriptions/{sid}/confirm", body=fields)


def rest_purge(api, q, fields):
    api.create_queue(q)
    return api.post(f"/v2/queues/{q}/purge", body=fields)


def ws_purge(ws, api, q, fields):
    api.create_queue(q)
    return ws.status_body("queue_purge", {"queue_name": q, **fields})


ACTIONS = {
    "message_post": (rest_message_post, ws_message_post),
    "message_post_delay_queue": (rest_message_post_delay_queue, ws_message_post_delay_queue),
    "message_post_raw": (rest_message_post_raw, ws_message_post_raw),
    "claim_create": (rest_claim_create, ws_claim_create),
    "claim_update": (rest_claim_update, ws_claim_update),
    "subscription_create": (rest_subscription_create, ws_subscription_create),
    "subscription_update": (rest_subscription_update, None),
    "queue_create": (rest_queue_create, ws_queue_create),
    "queue_update": (rest_queue_update, None),
    "message_delete_many": (rest_delete_many, ws_delete_many),
    "message_get_many": (rest_get_many, ws_get_many),
    "subscription_confirm": (rest_confirm, None),
    "queue_purge": (rest_purge, ws_purge),
}

# ------------------------------------------------------------------------- the table

ROWS = []


def row(action, fields, rest, ws, note=""):
    ROWS.append(pytest.param(action, fields, rest, ws,
                             id=f"{action}-{note or ','.join(map(str, fields))}"))


# Messages: ttl and delay are ints (bool counts, as in Python), body must be present.
for value, label in ((None, "null"), (60.0, "60.0"), (1.5, "1.5"), ("60", "str"),
                     ([], "list"), ({}, "dict"), (LONG, "70k")):
    row("message_post", {"ttl": value}, must_be_int("ttl"), must_be_int("ttl"),
        f"ttl={label}")
    row("message_post", {"delay": value}, must_be_int("delay"), must_be_int("delay"),
        f"delay={label}")
    row("message_post_delay_queue", {"delay": value}, must_be_int("delay"),
        must_be_int("delay"), f"delay={label}")
for value, label in ((True, "true"), (False, "false"), (59, "59"), (1209601, "max+1")):
    row("message_post", {"ttl": value}, api_error(MSG_TTL), api_error(MSG_TTL), f"ttl={label}")
for value, label in ((-1, "-1"), (901, "901")):
    row("message_post_delay_queue", {"delay": value}, api_error(DELAY), api_error(DELAY),
        f"delay={label}")
row("message_post_raw", {"ttl": 60}, (400, "body", 'Missing "body" field.'),
    (400, "body", 'Missing "body" field.'), "no-body")
# Good edges: true is a delay of 1 (Python int); null is a body; 60 and the max are TTLs.
row("message_post", {"delay": True}, (201, None, None), (201, None, None), "delay=true")
row("message_post_delay_queue", {"delay": 0}, (201, None, None), (201, None, None), "delay=0")
row("message_post_raw", {"body": None}, (201, None, None), (201, None, None), "body=null")
row("message_post", {"ttl": 60}, (201, None, None), (201, None, None), "ttl=60")
row("message_post", {"ttl": 1209600}, (201, None, None), (201, None, None), "ttl=max")

# Claims: ttl, grace (ints on REST, Draft-4 integers on the WebSocket), limit.
for action in ("claim_create", "claim_update"):
    for name in ("ttl", "grace"):
        for value, label in ((None, "null"), (60.0, "60.0"), ("60", "str"), ([], "list"),
                             (LONG, "70k")):
            row(action, {name: value}, must_be_int(name), SCHEMA, f"{name}={label}")
    row(action, {"ttl": True}, api_error(CLAIM_TTL), SCHEMA, "ttl=true")
    row(action, {"ttl": 59}, api_error(CLAIM_TTL), api_error(CLAIM_TTL), "ttl=59")
    row(action, {"ttl": 43201}, api_error(CLAIM_TTL), api_error(CLAIM_TTL), "ttl=max+1")
row("claim_create", {"grace": True}, api_error(CLAIM_GRACE), SCHEMA, "grace=true")
row("claim_create", {"grace": 59}, api_error(CLAIM_GRACE), api_error(CLAIM_GRACE), "grace=59")
# On renewal only the TTL is range-checked (Zaqar's claim_updating).
row("claim_update", {"ttl": 100, "grace": 5}, (204, None, None), (204, None, None), "grace=5")
row("claim_create", {"limit": 0},
    (400, "api", "Limit must be at least 1 and may not be greater than 20."),
    (400, "api", "Limit must be at least 1 and may not be greater than 20."), "limit=0")
row("claim_create", {"limit": "x"},
    (400, "param", 'The "limit" parameter is invalid. The value must be an integer.'),
    SCHEMA, "limit=str")
row("claim_create", {"ttl": 60, "grace": 60}, (201, None, None), (201, None, None), "60-60")

# Subscriptions: subscriber (string, known scheme), ttl (int >= 60), options (object).
for value, label in ((60.0, "60.0"), (1.5, "1.5"), ("60", "str"), ([], "list"), ({}, "dict"),
                     ("", "empty"), (LONG, "70k")):
    row("subscription_create", {"ttl": value}, api_error(SUB_TTL_TYPE), SCHEMA, f"ttl={label}")
    row("subscription_update", {"ttl": value}, api_error(SUB_TTL_TYPE), None, f"ttl={label}")
for value, label in ((True, "true"), (False, "false"), (0, "0"), (59, "59")):
    ws_answer = SCHEMA if isinstance(value, bool) else api_error(SUB_TTL_MIN)
    row("subscription_create", {"ttl": value}, api_error(SUB_TTL_MIN), ws_answer,
        f"ttl={label}")
    row("subscription_update", {"ttl": value}, api_error(SUB_TTL_MIN), None, f"ttl={label}")
for value, label in ((5, "int"), (["http://h"], "list"), ("ftp://h", "ftp"), ("nourl", "word")):
    ws_answer = api_error(SUB_TYPES) if isinstance(value, str) else SCHEMA
    row("subscription_create", {"subscriber": value}, api_error(SUB_TYPES), ws_answer,
        f"subscriber={label}")
    row("subscription_update", {"subscriber": value}, api_error(SUB_TYPES), None,
        f"subscriber={label}")
# An empty subscriber: REST refuses it; over websocket Zaqar's handler tests `not
# subscriber`, so the connection itself becomes the subscriber.
row("subscription_create", {"subscriber": ""}, api_error(SUB_TYPES), (201, None, None),
    "subscriber=empty")
# PATCH: "" is not "not given" (Zaqar would store it); null is.
row("subscription_update", {"subscriber": ""}, api_error(SUB_TYPES), None, "subscriber=empty")
for value, label in (([], "list"), ("x", "str"), (5, "int"), ("", "empty")):
    row("subscription_create", {"options": value}, api_error("Options must be a dict."),
        SCHEMA, f"options={label}")
    row("subscription_update", {"options": value}, api_error("Options must be a dict."), None,
        f"options={label}")
row("subscription_create", {"options": {"_retry_policy": 1}},
    api_error("retry_policy must be a dict."), api_error("retry_policy must be a dict."),
    "retry_policy=int")
row("subscription_create", {"ttl": None}, (201, None, None), SCHEMA, "ttl=null")
row("subscription_create", {"options": None}, (201, None, None), SCHEMA, "options=null")
row("subscription_update", {"subscriber": None, "ttl": 7200, "options": {}},
    (204, None, None), None, "zaqarclient-ttl-only")
row("subscription_update", {"subscriber": None, "ttl": None, "options": None},
    (400, "update", None), None, "all-null")
row("subscription_update", {"color": "red"}, (400, "update", None), None, "unknown-only")
row("subscription_update", {"color": "red", "ttl": 300}, (204, None, None), None,
    "unknown-ignored")
row("subscription_update", {"queue": "x", "ttl": 300}, (400, "update", None), None,
    "parameter-name")
row("subscription_confirm", {"confirmed": "yes"},
    api_error("The 'confirmed' should be boolean."), None, "confirmed=str")
row("subscription_confirm", {"confirmed": None},
    api_error("The 'confirmed' should be boolean."), None, "confirmed=null")

# Queue metadata on PUT (and ws queue_create) and PATCH: Zaqar's texts and Python types.
META_ROWS = [
    ({"_default_message_ttl": "x"}, "_default_message_ttl must be integer."),
    ({"_default_message_ttl": 60.5}, "_default_message_ttl must be integer."),
    ({"_default_message_ttl": True}, META_TTL),   # True is the int 1 in Python
    ({"_default_message_ttl": 0.0}, META_TTL),    # falsy: no type check, range check
    ({"_default_message_ttl": 59}, META_TTL),
    ({"_default_message_ttl": ""}, "_default_message_ttl must be integer."),
    ({"_max_messages_post_size": []}, "_max_messages_post_size must be integer."),
    ({"_max_messages_post_size": [1]}, "_max_messages_post_size must be integer."),
    ({"_max_messages_post_size": 0}, META_SIZE),
    ({"_max_messages_post_size": True}, "_max_messages_post_size must be integer."),
    ({"_max_claim_count": "3"}, "_max_claim_count must be integer."),
    ({"_max_claim_count": 1.5}, "_max_claim_count must be integer."),
    ({"_dead_letter_queue_messages_ttl": {}}, "_dead_letter_queue_messages_ttl must be integer."),
    ({"_dead_letter_queue_messages_ttl": 59}, MSG_TTL),
    ({"_default_message_delay": "5"}, "_default_message_delay must be integer."),
    ({"_default_message_delay": True}, "_default_message_delay must be integer."),
    ({"_default_message_delay": 901}, META_DELAY),
    ({"_default_message_delay": -1}, META_DELAY),
    ({"_enable_encrypt_messages": "yes"}, "_enable_encrypt_messages must be boolean."),
    ({"_enable_encrypt_messages": 0}, "_enable_encrypt_messages must be boolean."),
    ({"_retry_policy": []}, None),  # falsy: skipped, as in Zaqar
    ({"_retry_policy": "x"}, "retry_policy must be a dict."),
    ({"_retry_policy": {"minimum_delay": "5"}}, "Retry policy: minimum_delay must be a integer."),
]
for fields, text in META_ROWS:
    label = ",".join(f"{k}={type(v).__name__}:{v!r}"[:40] for k, v in fields.items())
    if text is None:
        row("queue_create", fields, (201, None, None), (201, None, None), label)
        row("queue_update", fields, (200, None, None), None, label)
    else:
        row("queue_create", fields, api_error(text), api_error(text), label)
        row("queue_update", fields, (400, "body", text), None, label)
row("queue_create", {"_default_message_ttl": None, "_max_claim_count": None,
                     "_dead_letter_queue": 5}, (201, None, None), (201, None, None), "nulls")

# pop / ids.
POP = "Pop value must be at least 1 and may not be greater than 20."
IDS = "ids parameter should have at least 1 and not greater than 20 values."
row("message_delete_many", {"pop": 0}, api_error(POP), api_error(POP), "pop=0")
row("message_delete_many", {"pop": 21}, api_error(POP), api_error(POP), "pop=21")
row("message_delete_many", {"pop": "x"},
    (400, "param", 'The "pop" parameter is invalid. The value must be an integer.'),
    SCHEMA, "pop=str")
row("message_delete_many", {"pop": True}, None, SCHEMA, "pop=true")
row("message_delete_many", {"pop": None}, None, SCHEMA, "pop=null")
row("message_delete_many", {"pop": 1.0}, None, SCHEMA, "pop=1.0")
row("message_delete_many", {"message_ids": []}, None, api_error(IDS), "ids=empty")
row("message_delete_many", {"message_ids": "abc"}, None, SCHEMA, "ids=str")
row("message_delete_many", {"pop": 1}, (200, None, None), (200, None, None), "pop=1")
row("message_get_many", {"message_ids": []}, None,
    api_error("Limit must be at least 1 and may not be greater than 20."), "ids=empty")
row("message_get_many", {"ids": ",".join(str(uuid.UUID(int=i)) for i in range(21))},
    api_error("Limit must be at least 1 and may not be greater than 20."), None, "ids=21")
row("queue_purge", {"resource_types": ["messages", "x"]},
    api_error("Resource types must be a sub set of {'messages', 'subscriptions'}."), None,
    "types=unknown")
row("queue_purge", {"resource_types": "messages"},
    api_error("Resource types must be a sub set of {'messages', 'subscriptions'}."), SCHEMA,
    "types=str")


def check_rest(r, expected, subscription_path=None):
    status, kind, text = expected
    assert r.status == status, r
    if kind is None:
        return
    titles = {"api": "Invalid API request", "body": "Invalid request body",
              "param": "Invalid parameter", "update": "Unable to update subscription"}
    if kind == "update":
        sid = subscription_path.rsplit("/", 1)[1]
        text = f"Subscription {sid} could not be updated."
    assert r.json == {"title": titles[kind], "description": text}, r


def check_ws(answer, expected):
    status, kind, text = expected
    got_status, body = answer
    assert got_status == status, answer
    if kind is None:
        return
    if kind == "schema":
        assert body == {"error": "Schema validation failed."}, answer
    elif kind == "api":
        assert body == {"exception": text, "error": None}, answer
    elif kind == "body":
        assert body == {"exception": "Bad request. " + text, "error": None}, answer
    else:
        raise AssertionError(f"no WebSocket form for {kind}")


@pytest.mark.parametrize("action,fields,rest,ws_expected", ROWS)
def test_body_field(api, ws, action, fields, rest, ws_expected):
    rest_call, ws_call = ACTIONS[action]
    if rest is not None:
        q = qname()
        r = rest_call(api, q, dict(fields))
        path = None
        if rest[1] == "update":  # the text names the subscription the setup made
            subs = api.get(f"/v2/queues/{q}/subscriptions").json["subscriptions"]
            path = f"/v2/queues/{q}/subscriptions/{subs[0]['id']}"
        check_rest(r, rest, path)
    if ws_expected is not None:
        assert ws_call is not None, f"{action} has no WebSocket form"
        check_ws(ws_call(ws, api, qname(), dict(fields)), ws_expected)


# --------------------------------------------------------------- effects of good edges

def test_patch_null_fields_are_not_given(api):
    """python-zaqarclient's update sends every field, unset ones as null."""
    q = qname()
    sid = subscribe(api, q, ttl=3600, options={"a": 1})
    path = f"/v2/queues/{q}/subscriptions/{sid}"
    r = api.patch(path, body={"subscriber": None, "ttl": 7200, "options": {}})
    assert r.status == 204, r
    got = api.get(path).json
    assert got["subscriber"] == HOOK
    assert got["ttl"] == 7200
    assert got["options"] == {}  # {} is a value, as in Zaqar
    r = api.patch(path, body={"subscriber": "https://h/x", "ttl": None, "options": None})
    assert r.status == 204, r
    got = api.get(path).json
    assert (got["subscriber"], got["ttl"], got["options"]) == ("https://h/x", 7200, {})


def test_patch_empty_subscriber_changes_nothing(api):
    q = qname()
    sid = subscribe(api, q)
    path = f"/v2/queues/{q}/subscriptions/{sid}"
    r = api.patch(path, body={"subscriber": "", "ttl": 7200})
    assert r.status == 400
    assert r.json == {"title": "Invalid API request", "description": SUB_TYPES}
    got = api.get(path).json
    assert got["subscriber"] == HOOK and got["ttl"] != 7200


def test_rejected_delay_stores_nothing(api, ws):
    q = qname()
    for value in (None, 60.0, "60", [], {}):
        r = rest_message_post(api, q, {"delay": value})
        assert r.status == 400, r
        assert ws_message_post(ws, api, q, {"delay": value})[0] == 400
    listed = api.get(f"/v2/queues/{q}/messages", params={"echo": "true"})
    assert listed.status == 200 and listed.json["messages"] == []


def test_subscription_post_null_ttl_takes_the_default(api):
    q = qname()
    r = rest_subscription_create(api, q, {"ttl": None, "options": None})
    assert r.status == 201, r
    got = api.get(f"/v2/queues/{q}/subscriptions/{r.json['subscription_id']}").json
    assert got["ttl"] == 3600 and got["options"] == {}
