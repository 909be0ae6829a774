"""Message bodies are stored as the bytes the client sent (issue #12, src/api/post_body.h):
validated as strictly as before, not re-serialised, and spliced back into listings and
claims. Over real HTTP and the WebSocket API (JSON and MessagePack frames)."""

import json
import uuid

import pytest

from ws_client import WsClient

PARSE = "Request body could not be parsed."
TOO_LARGE = "JSON contains integer that is too large."


def qname():
    return "raw" + uuid.uuid4().hex[:12]


def post_raw(api, queue, raw):
    return api.post(f"/v2/queues/{queue}/messages", raw=raw,
                    headers={"Content-Type": "application/json"})


def listing_text(api, queue, parse=True):
    r = api.get(f"/v2/queues/{queue}/messages", params={"echo": "true"})
    assert r.status == 200, r
    return r.body.decode("utf-8"), r.json["messages"] if parse else None


def nested(depth, inner=""):
    return "[" * depth + inner + "]" * depth


def test_body_comes_back_as_sent(api):
    q = qname()
    body = '{"a": 1,  "b": [1.50, "caf\\u00e9", 1E2, 0.12345678901234567890],\n "c" : {} }'
    r = post_raw(api, q, ('{"messages": [ {"ttl": 300, "body": ' + body + ' } ]}').encode())
    assert r.status == 201, r
    mid = r.json["resources"][0].rsplit("/", 1)[1]
    expected = json.loads(body)
    # Listing, get by ids and a new claim splice the stored text: byte for byte.
    text, messages = listing_text(api, q)
    assert '"body":' + body + "}" in text, text
    assert messages[0]["body"] == expected
    r = api.get(f"/v2/queues/{q}/messages", params={"ids": mid})
    assert r.status == 200 and ('"body":' + body + "}") in r.body.decode(), r
    r = api.claim(q)
    assert r.status == 201 and ('"body":' + body + "}") in r.body.decode(), r
    # A single message is rendered through jansson: the same JSON value.
    r = api.get(f"/v2/queues/{q}/messages/{mid}")
    assert r.status == 200 and r.json["body"] == expected, r


def test_scalar_bodies_and_unicode(api):
    q = qname()
    bodies = ['"text"', "null", "-0", "true", "[ ]", '"\xc3\xa9\\ud83d\\ude00\\n"']
    raw = '{"messages":[' + ",".join('{"body": %s }' % b for b in bodies) + "]}"
    assert post_raw(api, q, raw.encode("latin-1")).status == 201
    text, messages = listing_text(api, q)
    assert [m["body"] for m in messages] == [json.loads(b.encode("latin-1").decode("utf-8"))
                                             for b in bodies]
    for b in bodies:
        assert '"body":' + b.encode("latin-1").decode("utf-8") + "}" in text


def test_repeated_keys_last_wins(api):
    q = qname()
    raw = (b'{"messages": [{"body": 1}], "messages": [{"body": {"k": 1}, "body": {"k": 2},'
           b' "ttl": 60, "ttl": 120}]}')
    assert post_raw(api, q, raw).status == 201
    _, messages = listing_text(api, q)
    assert [(m["body"], m["ttl"]) for m in messages] == [({"k": 2}, 120)]


@pytest.mark.parametrize("raw,description", [
    (b'{"messages": [{"body": "\xff"}]}', PARSE),                      # invalid UTF-8
    (b'{"messages": [{"body": "\xed\xa0\x80"}]}', PARSE),              # encoded surrogate
    (b'{"messages": [{"body": "\xc0\x80"}]}', PARSE),                  # overlong
    (b'{"messages": [{"body": "\\ud800"}]}', PARSE),                   # lone surrogate
    (b'{"messages": [{"body": "a\\u0000b"}]}', PARSE),
    (b'{"messages": [{"body": {"a\\u0000": 1}}]}', PARSE),
    (b'{"messages": [{"body": "tab\there"}]}', PARSE),                 # raw control char
    (b'{"messages": [{"body": 1}]} trailing', PARSE),
    (b'{"messages": [{"body": 1}]}{}', PARSE),
    (b'\xef\xbb\xbf{"messages": [{"body": 1}]}', PARSE),               # byte order mark
    (b'{"messages": [{"body": tru}]}', PARSE),
    (b'{"messages": [{"body": 01}]}', PARSE),
    (b'{"messages": [{"body": {"deep": [1, 2, nul]}}]}', PARSE),
    (b'{"other": [1.], "messages": [{"body": 1}]}', PARSE),
    (b'{"messages": [{"body": 9223372036854775808}]}', TOO_LARGE),
    (b'{"messages": [{"body": [-9223372036854775809]}]}', TOO_LARGE),
    (b'{"messages": [{"body": 1e400}]}', TOO_LARGE),
    (b'{"messages": [{"body": 1, "ttl": 18446744073709551616}]}', TOO_LARGE),
])
def test_bad_json_refused_as_before(api, raw, description):
    r = post_raw(api, qname(), raw)
    assert r.status == 400, r
    assert r.json == {"title": "Invalid request body", "description": description}, r


def test_depth_limit(api):
    q = qname()
    # jansson's limit (2048 values deep, the root being 1); the body is at depth 4.
    ok = '{"messages": [{"body": ' + nested(2045) + "}]}"
    assert post_raw(api, q, ok.encode()).status == 201
    text, _ = listing_text(api, q, parse=False)  # deeper than Python's json recursion
    assert ('"body":' + nested(2045) + "}") in text
    too_deep = '{"messages": [{"body": ' + nested(2046) + "}]}"
    r = post_raw(api, q, too_deep.encode())
    assert r.status == 400 and r.json["description"] == PARSE, r


def test_field_types_unchanged(api):
    q = qname()
    r = post_raw(api, q, b'{"messages": [{"body": 1, "ttl": 1.5}]}')
    assert r.status == 400
    assert r.json["description"] == 'The value of the "ttl" field must be a int.'
    r = post_raw(api, q, b'{"messages": [{"body": 1, "delay": "5"}]}')
    assert r.json["description"] == 'The value of the "delay" field must be a int.'
    r = post_raw(api, q, b'{"messages": [{"ttl": 60}]}')
    assert r.json["description"] == 'Missing "body" field.'
    r = post_raw(api, q, b'{"messages": [{"body": 1, "idempotency_key": {"a": 1}}]}')
    assert r.status == 400 and "idempotency_key must be a string" in r.json["description"]
    r = post_raw(api, q, b'{"messages": [{"body": 1, "group": ["g"]}]}')
    assert r.status == 400 and r.json["title"] == "Invalid API request", r


def test_websocket_json_and_msgpack_posts(stack, api):
    q = qname()
    ws = WsClient(stack.zaqard.ws_url, project=api.project)
    try:
        body = {"a": [1, 2.5, None, True], "s": "caf\u00e9", "deep": json.loads(nested(500))}
        status, reply = ws.status_body("message_post", {"queue_name": q, "messages": [
            {"body": body, "ttl": 120}]})
        assert status == 201, reply
        status, reply = ws.status_body("message_post", {"queue_name": q, "messages": [
            {"body": {"bin": "\u00e9", "n": [1, 2.5]}}]}, binary=True)
        assert status == 201, reply
        status, reply = ws.status_body("message_post", {"queue_name": q, "messages": [
            {"body": 1, "ttl": "60"}]})
        assert status == 400, reply
        status, reply = ws.status_body("message_list", {"queue_name": q, "echo": True})
        assert [m["body"] for m in reply["messages"]] == [body, {"bin": "\u00e9", "n": [1, 2.5]}]
    finally:
        ws.close()
    # The same bodies over REST (stored as JSON text whichever frame carried them).
    _, messages = listing_text(api, q)
    assert [m["body"] for m in messages] == [body, {"bin": "\u00e9", "n": [1, 2.5]}]
