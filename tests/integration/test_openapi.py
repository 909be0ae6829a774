"""The OpenAPI document (docs/openapi.json, served at GET /v2/openapi.json) against real
responses of a real zaqard and redis-server.

Every operation is called for its success statuses and its documented error statuses;
each response's status must be documented for the operation, its body must validate
(python3-jsonschema, Draft 2020-12, the document's $refs resolved) against the documented
schema of its Content-Type, and the documented required headers (Location) must be there.
The bodies the tests send are validated against the documented request bodies too. The
last test fails when some documented (operation, status) pair was never exercised, so a
new row's documentation comes with its test here. The document itself is checked
structurally against a minimal OpenAPI 3.1 meta-schema (Debian has no openapi validator).
"""

import json
import os
import re
import uuid

import jsonschema
import pytest

import zaqard_harness as harness

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
with open(os.path.join(REPO, "docs", "openapi.json")) as f:
    DOC = json.load(f)

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
OPS = {op["operationId"]: (path, method, op)
       for path, item in DOC["paths"].items()
       for method, op in item.items() if method in METHODS}
RESOLVER = jsonschema.RefResolver(base_uri="", referrer=DOC)
EXERCISED = set()  # (operationId, status) pairs validated against a real response
SECRET = "openapi-test-secret"


def resolve(node):
    """A Reference Object's target (followed until it is not one)."""
    for _ in range(10):
        if not isinstance(node, dict) or "$ref" not in node:
            return node
        _, node = RESOLVER.resolve(node["$ref"])
    raise AssertionError(f"$ref chain too long: {node}")


def validate(instance, schema, what):
    validator = jsonschema.Draft202012Validator(schema, resolver=RESOLVER)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{what}: " + "; ".join(
        f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]) + f"\nbody: {instance!r}"


def sent(op_id, body, media="application/json"):
    """Validates a request body against the operation's documented requestBody."""
    request_body = resolve(OPS[op_id][2]["requestBody"])
    validate(body, request_body["content"][media]["schema"], f"{op_id} request body")
    return body


def check(op_id, r, expected):
    """Asserts the status, then validates the response against the operation's
    documentation; returns it."""
    path, method, op = OPS[op_id]
    assert r.status == expected, f"{op_id}: expected {expected}: {r}"
    status = str(r.status)
    assert status in op["responses"], (
        f"{method.upper()} {path} ({op_id}) answered {status}, undocumented: {r}")
    doc = resolve(op["responses"][status])
    for name, header in doc.get("headers", {}).items():
        header = resolve(header)
        value = r.header(name)
        if header.get("required"):
            assert value is not None, f"{op_id} {status}: no {name} header: {r}"
        if value is not None:
            validate(value, header["schema"], f"{op_id} {status} header {name}")
    content = doc.get("content")
    if content:
        media = (r.header("Content-Type") or "").split(";")[0].strip()
        assert media in content, f"{op_id} {status}: Content-Type {media!r} not documented"
        body = r.body.decode("utf-8") if media == "text/plain" else r.json
        validate(body, content[media]["schema"], f"{op_id} {status} body")
    else:
        assert r.body == b"", f"{op_id} {status}: documented without a body: {r}"
    EXERCISED.add((op_id, status))
    return r


# --- The document itself ---------------------------------------------------------------

REF = {"type": "object", "required": ["$ref"], "properties": {"$ref": {"type": "string"}}}
SCHEMA_OBJECT = {"type": ["object", "boolean"]}
PARAMETER = {"type": "object", "required": ["name", "in", "schema"],
             "properties": {"name": {"type": "string"},
                            "in": {"enum": ["query", "header", "path", "cookie"]},
                            "required": {"type": "boolean"}, "description": {"type": "string"},
                            "schema": SCHEMA_OBJECT},
             "if": {"properties": {"in": {"const": "path"}}},
             "then": {"required": ["required"], "properties": {"required": {"const": True}}}}
MEDIA_TYPES = {"type": "object", "minProperties": 1, "additionalProperties": {
    "type": "object", "required": ["schema"], "properties": {"schema": SCHEMA_OBJECT}}}
HEADER = {"type": "object", "required": ["schema"],
          "properties": {"schema": SCHEMA_OBJECT, "required": {"type": "boolean"}}}
RESPONSE = {"type": "object", "required": ["description"],
            "properties": {"description": {"type": "string"}, "content": MEDIA_TYPES,
                           "headers": {"type": "object", "additionalProperties": {
                               "anyOf": [REF, HEADER]}}}}
OPERATION = {
    "type": "object", "required": ["operationId", "responses"],
    "patternProperties": {"^x-": {}},
    "additionalProperties": False,
    "properties": {
        "operationId": {"type": "string"}, "summary": {"type": "string"},
        "description": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
        "parameters": {"type": "array", "items": {"anyOf": [REF, PARAMETER]}},
        "requestBody": {"type": "object", "required": ["content"],
                        "properties": {"content": MEDIA_TYPES, "required": {"type": "boolean"}}},
        "responses": {"type": "object", "minProperties": 1, "additionalProperties": False,
                      "patternProperties": {"^([1-5][0-9][0-9]|[1-5]XX|default)$": {
                          "anyOf": [REF, RESPONSE]}}}}}
OPENAPI_31 = {
    "type": "object", "required": ["openapi", "info", "paths"],
    "properties": {
        "openapi": {"type": "string", "pattern": r"^3\.1\.\d+$"},
        "info": {"type": "object", "required": ["title", "version"],
                 "properties": {"title": {"type": "string"}, "version": {"type": "string"}}},
        "paths": {"type": "object", "additionalProperties": False, "patternProperties": {
            "^/": {"type": "object", "additionalProperties": False,
                   "properties": {m: OPERATION for m in METHODS}}}},
        "components": {"type": "object", "properties": {
            "schemas": {"type": "object", "additionalProperties": SCHEMA_OBJECT},
            "parameters": {"type": "object", "additionalProperties": PARAMETER},
            "responses": {"type": "object", "additionalProperties": RESPONSE},
            "headers": {"type": "object", "additionalProperties": HEADER}}}}}


def all_refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from all_refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from all_refs(v)


def test_document_is_structurally_openapi_31():
    validate(DOC, OPENAPI_31, "OpenAPI 3.1 structure")
    for ref in set(all_refs(DOC)):
        assert ref.startswith("#/components/"), ref
        resolve({"$ref": ref})  # raises when it points nowhere
    for name, schema in DOC["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
    assert len(OPS) == sum(1 for item in DOC["paths"].values() for m in item if m in METHODS)
    for op_id, (path, method, op) in OPS.items():
        params = [resolve(p) for p in op.get("parameters", [])]
        in_path = {p["name"] for p in params if p["in"] == "path"}
        assert in_path == set(re.findall(r"{([^}]+)}", path)), f"{op_id}: path parameters"
        for p in params:
            jsonschema.Draft202012Validator.check_schema(p["schema"])


# --- A real zaqard ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    # Pooling on (the admin pool/flavor routes exist), with the message store as the
    # virtual pool so queues need no registered pool.
    yield from harness.running_stack(
        str(tmp_path_factory.mktemp("openapi")),
        extra_config={"signed_url": {"secret_key": SECRET},
                      "DEFAULT": {"pooling": "true"},
                      "pooling:catalog": {"enable_virtual_pool": "true"}})


def q():
    return "oa-" + uuid.uuid4().hex[:12]


def test_served_document_is_the_committed_one(stack):
    r = harness.Client(stack.base_url).get("/v2/openapi.json", default_headers=False)
    check("get_openapi", r, 200)
    assert r.json == DOC


def test_service(stack, api):
    check("get_versions", api.get("/", default_headers=False), 300)
    check("get_metrics", api.get("/metrics", default_headers=False), 200)
    check("get_home_doc", api.get("/v2/"), 200)
    check("ping_node", api.get("/v2/ping"), 204)
    check("ping_head", api.head("/v2/ping"), 204)
    check("ping_head", api.head("/v2/ping", headers={"Client-ID": None}), 400)
    check("check_node_health", api.get("/v2/health", headers={"X-Roles": "admin"}), 200)
    check("check_node_health", api.get("/v2/health"), 403)  # role admin needed


def test_every_checked_operation_refuses_a_missing_client_id(api):
    """The header checks' 400 documented on every operation that has them."""
    values = {"queue_name": "oaq", "message_id": str(uuid.uuid4()), "claim_id": str(uuid.uuid4()),
              "subscription_id": str(uuid.uuid4()), "topic_name": "oat", "pool_name": "oap",
              "flavor_name": "oaf"}
    for op_id, (path, method, op) in OPS.items():
        if "400" not in op["responses"] or method == "head":
            continue
        target = re.sub(r"{([^}]+)}", lambda m: values[m.group(1)], path)
        r = api.request(method.upper(), target, headers={"Client-ID": None})
        assert r.status == 400, (op_id, r)
        check(op_id, r, 400)


def test_queues(api):
    name = q()
    meta = sent("queue_create", {"color": "red", "_default_message_ttl": 300})
    check("queue_create", api.put(f"/v2/queues/{name}", body=meta), 201)
    check("queue_create", api.put(f"/v2/queues/{name}"), 204)  # existed
    check("queue_create", api.put(f"/v2/queues/{q()}", body={"_default_message_ttl": 1}), 400)
    check("queue_get", api.get(f"/v2/queues/{name}"), 200)
    check("queue_get", api.get(f"/v2/queues/{q()}"), 200)  # never created: defaults
    check("queue_get", api.get(f"/v2/queues/{'x' * 65}"), 400)
    check("queue_list", api.get("/v2/queues"), 200)
    check("queue_list", api.get("/v2/queues", params={"detailed": "true", "with_count": "true",
                                                      "limit": 1}), 200)
    check("queue_list", api.get("/v2/queues", params={"limit": 0}), 400)

    patch_type = {"Content-Type": "application/openstack-messaging-v2.0-json-patch"}
    media = patch_type["Content-Type"]
    ops = sent("queue_update", [{"op": "add", "path": "/metadata/size", "value": 3}], media)
    check("queue_update", api.patch(f"/v2/queues/{name}", body=ops, headers=patch_type), 200)
    missing = [{"op": "replace", "path": "/metadata/nothere", "value": 1}]
    check("queue_update", api.patch(f"/v2/queues/{name}", body=missing, headers=patch_type), 409)
    check("queue_update", api.patch(f"/v2/queues/{q()}", body=ops, headers=patch_type), 404)
    check("queue_update", api.patch(f"/v2/queues/{name}", body=ops), 415)
    check("queue_update", api.patch(f"/v2/queues/{name}", body=[{"op": "move"}],
                                    headers=patch_type), 400)

    check("queue_get_stats", api.get(f"/v2/queues/{name}/stats"), 200)
    api.post_messages(name, [{"body": 1}, {"body": 2}])
    r = check("queue_get_stats", api.get(f"/v2/queues/{name}/stats"), 200)
    assert "oldest" in r.json["messages"]
    check("queue_get_stats", api.get(f"/v2/queues/{'x' * 65}/stats"), 400)

    share = sent("queue_share", {"paths": ["messages", "claims"], "methods": ["GET", "POST"]})
    check("queue_share", api.post(f"/v2/queues/{name}/share", body=share), 200)
    check("queue_share", api.post(f"/v2/queues/{name}/share", body={"bogus": 1}), 400)

    check("queue_purge", api.post(f"/v2/queues/{name}/purge",
                                  body=sent("queue_purge", {"resource_types": ["messages"]})), 204)
    check("queue_purge", api.post(f"/v2/queues/{name}/purge",
                                  body={"resource_types": ["queues"]}), 400)
    check("queue_delete", api.delete(f"/v2/queues/{name}"), 204)
    check("queue_delete", api.delete(f"/v2/queues/{'x' * 65}"), 400)


def test_messages(api):
    name = q()
    posted = sent("message_post", {"messages": [{"body": {"n": i}, "ttl": 300} for i in range(3)]})
    r = check("message_post", api.post(f"/v2/queues/{name}/messages", body=posted), 201)
    ids = [href.rsplit("/", 1)[1] for href in r.json["resources"]]
    check("message_post", api.post(f"/v2/queues/{name}/messages", body={"messages": []}), 400)

    r = check("message_list", api.get(f"/v2/queues/{name}/messages", params={"echo": "true"}), 200)
    assert len(r.json["messages"]) == 3 and r.json["links"]
    r = check("message_list", api.get(f"/v2/queues/{name}/messages",
                                      params={"ids": ",".join(ids[:2])}), 200)
    assert "links" not in r.json and len(r.json["messages"]) == 2
    check("message_list", api.get(f"/v2/queues/{name}/messages",
                                  params={"ids": str(uuid.uuid4())}), 404)
    check("message_list", api.get(f"/v2/queues/{name}/messages", params={"limit": 0}), 400)

    check("message_get", api.get(f"/v2/queues/{name}/messages/{ids[0]}"), 200)
    check("message_get", api.get(f"/v2/queues/{name}/messages/{uuid.uuid4()}"), 404)
    check("message_get", api.get(f"/v2/queues/{'x' * 65}/messages/{ids[0]}"), 400)

    claim = api.claim(name, limit=1)
    assert claim.status == 201, claim
    claimed = claim.json["messages"][0]["id"]
    check("message_delete", api.delete(f"/v2/queues/{name}/messages/{claimed}"), 403)
    check("message_delete", api.delete(f"/v2/queues/{name}/messages/{claimed}",
                                       params={"claim_id": "not-a-claim"}), 400)
    check("message_delete", api.delete(f"/v2/queues/{name}/messages/{ids[1]}"), 204)

    r = check("message_delete_many", api.delete(f"/v2/queues/{name}/messages",
                                                params={"pop": 5}), 200)
    assert len(r.json["messages"]) == 1
    check("message_delete_many", api.delete(f"/v2/queues/{name}/messages",
                                            params={"ids": ",".join(ids)}), 204)
    check("message_delete_many", api.delete(f"/v2/queues/{name}/messages"), 400)


def test_claims(api):
    name = q()
    check("claim_create", api.post(f"/v2/queues/{name}/claims",
                                   body=sent("claim_create", {"ttl": 60})), 204)  # nothing
    api.post_messages(name, [{"body": "a"}, {"body": "b"}])
    r = check("claim_create", api.post(f"/v2/queues/{name}/claims", params={"limit": 2},
                                       body=sent("claim_create", {"ttl": 120, "grace": 60})), 201)
    cid = harness.claim_id_of(r)
    check("claim_create", api.post(f"/v2/queues/{name}/claims", body={"ttl": 10}), 400)

    path = f"/v2/queues/{name}/claims/{cid}"
    check("claim_get", api.get(path), 200)
    check("claim_get", api.get(f"/v2/queues/{name}/claims/{uuid.uuid4()}"), 404)
    check("claim_update", api.patch(path, body=sent("claim_update", {"ttl": 90})), 204)
    check("claim_update", api.patch(path, body={"ttl": 10}), 400)
    check("claim_update", api.patch(f"/v2/queues/{name}/claims/{uuid.uuid4()}",
                                    body={"ttl": 90}), 404)
    check("claim_delete", api.delete(path), 204)


@pytest.mark.parametrize("kind,prefix", [("queues", ""), ("topics", "topic_")])
def test_subscriptions(api, kind, prefix):
    name = q()
    base = f"/v2/{kind}/{name}/subscriptions"
    body = sent(prefix + "subscription_create", {"subscriber": "http://127.0.0.1:9/hook",
                                                 "ttl": 3600,
                                                 "options": {"post_headers": {"X-A": "b"}}})
    r = check(prefix + "subscription_create", api.post(base, body=body), 201)
    sid = r.json["subscription_id"]
    check(prefix + "subscription_create", api.post(base, body={"ttl": 3600}), 400)  # no subscriber
    other = api.post(base, body={"subscriber": "http://127.0.0.1:9/other"})
    assert other.status == 201, other

    check(prefix + "subscription_list", api.get(base), 200)
    check(prefix + "subscription_list", api.get(base, params={"limit": 0}), 400)
    check(prefix + "subscription_get", api.get(f"{base}/{sid}"), 200)
    check(prefix + "subscription_get", api.get(f"{base}/{uuid.uuid4()}"), 404)

    changes = sent(prefix + "subscription_update", {"ttl": 7200})
    check(prefix + "subscription_update", api.patch(f"{base}/{sid}", body=changes), 204)
    check(prefix + "subscription_update", api.patch(f"{base}/{sid}", body={}), 400)
    check(prefix + "subscription_update", api.patch(f"{base}/{uuid.uuid4()}", body=changes), 404)
    check(prefix + "subscription_update", api.patch(
        f"{base}/{sid}", body={"subscriber": "http://127.0.0.1:9/other"}), 409)

    confirm = sent(prefix + "subscription_confirm", {"confirmed": True})
    check(prefix + "subscription_confirm", api.put(f"{base}/{sid}/confirm", body=confirm), 204)
    check(prefix + "subscription_confirm", api.put(f"{base}/{sid}/confirm",
                                                   body={"confirmed": "y"}), 400)
    check(prefix + "subscription_confirm", api.put(f"{base}/{uuid.uuid4()}/confirm",
                                                   body=confirm), 404)
    check(prefix + "subscription_create", api.post(base, body=body), 409)  # a confirmed one exists

    check(prefix + "subscription_delete", api.delete(f"{base}/{sid}"), 204)
    check(prefix + "subscription_delete",
          api.delete(f"/v2/{kind}/{'x' * 65}/subscriptions/{sid}"), 400)


def test_topics(api):
    name = q()
    path = f"/v2/topics/{name}"
    check("topic_list", api.get("/v2/topics"), 200)
    check("topic_create", api.put(path, body=sent("topic_create", {"color": "red"})), 201)
    check("topic_create", api.put(path), 204)  # existed
    check("topic_create", api.put(f"/v2/topics/{q()}", body={"_default_message_ttl": 1}), 400)
    check("topic_list", api.get("/v2/topics", params={"detailed": "true", "limit": 1}), 200)
    check("topic_list", api.get("/v2/topics", params={"limit": 0}), 400)
    check("topic_get", api.get(path), 200)
    check("topic_get", api.get(f"/v2/topics/{'x' * 65}"), 400)

    patch_type = {"Content-Type": "application/openstack-messaging-v2.0-json-patch"}
    ops = sent("topic_update", [{"op": "add", "path": "/metadata/size", "value": 3}],
               patch_type["Content-Type"])
    check("topic_update", api.patch(path, body=ops, headers=patch_type), 200)
    missing = [{"op": "remove", "path": "/metadata/nothere"}]
    check("topic_update", api.patch(path, body=missing, headers=patch_type), 409)
    check("topic_update", api.patch(f"/v2/topics/{q()}", body=ops, headers=patch_type), 404)
    check("topic_update", api.patch(path, body=ops), 415)
    check("topic_update", api.patch(path, body=[{"op": "move"}], headers=patch_type), 400)

    check("topic_get_stats", api.get(f"{path}/stats"), 200)
    one = sent("topic_message_post", {"messages": [{"body": 1}]})
    check("topic_message_post", api.post(f"{path}/messages", body=one), 201)
    r = check("topic_get_stats", api.get(f"{path}/stats"), 200)
    assert r.json["messages"]["total"] == 1 and "oldest" in r.json["messages"], r
    check("topic_get_stats", api.get(f"/v2/topics/{'x' * 65}/stats"), 400)
    check("topic_purge", api.post(f"{path}/purge",
                                  body=sent("topic_purge", {"resource_types": ["messages"]})), 204)
    check("topic_purge", api.post(f"{path}/purge", body={"resource_types": ["x"]}), 400)
    check("topic_delete", api.delete(path), 204)
    check("topic_delete", api.delete(f"/v2/topics/{'x' * 65}"), 400)


def test_topic_messages(api):
    base = f"/v2/topics/{q()}/messages"
    posted = sent("topic_message_post", {"messages": [{"body": {"n": i}} for i in range(3)]})
    r = check("topic_message_post", api.post(base, body=posted), 201)
    ids = [href.rsplit("/", 1)[1] for href in r.json["resources"]]
    check("topic_message_post", api.post(base, body={"messages": []}), 400)

    r = check("topic_message_list", api.get(base, params={"echo": "true"}), 200)
    assert len(r.json["messages"]) == 3 and r.json["links"]
    r = check("topic_message_list", api.get(base, params={"ids": ",".join(ids[:2])}), 200)
    assert "links" not in r.json and len(r.json["messages"]) == 2
    check("topic_message_list", api.get(base, params={"ids": str(uuid.uuid4())}), 404)
    check("topic_message_list", api.get(base, params={"limit": 0}), 400)

    check("topic_message_get", api.get(f"{base}/{ids[0]}"), 200)
    check("topic_message_get", api.get(f"{base}/{uuid.uuid4()}"), 404)
    check("topic_message_delete", api.delete(f"{base}/{ids[0]}"), 204)
    r = check("topic_message_delete_many", api.delete(base, params={"pop": 1}), 200)
    assert len(r.json["messages"]) == 1
    check("topic_message_delete_many", api.delete(base, params={"ids": ",".join(ids)}), 204)
    check("topic_message_delete_many", api.delete(base), 400)


def test_pools_and_flavors(stack, api):
    admin = {"X-Roles": "admin"}
    port = stack.redis.port
    p1, p2, flavor = "oap-" + uuid.uuid4().hex[:8], "oap-" + uuid.uuid4().hex[:8], q()
    uri1, uri2 = f"redis://127.0.0.1:{port}?dbid=3", f"redis://127.0.0.1:{port}?dbid=4"
    body = sent("pool_create", {"uri": uri1, "weight": 10})
    check("pool_create", api.put(f"/v2/pools/{p1}", body=body, headers=admin), 201)
    check("pool_create", api.put(f"/v2/pools/{p2}", body={"uri": uri2, "weight": 1},
                                 headers=admin), 201)
    check("pool_create", api.put(f"/v2/pools/{q()}", body={"uri": uri1, "weight": 1},
                                 headers=admin), 409)
    check("pool_create", api.put(f"/v2/pools/{p1}", body={"weight": 1}, headers=admin), 400)
    check("pool_list", api.get("/v2/pools", params={"detailed": "true"}, headers=admin), 200)
    check("pool_list", api.get("/v2/pools", params={"limit": 0}, headers=admin), 400)
    check("pool_get", api.get(f"/v2/pools/{p1}", params={"detailed": "true"}, headers=admin), 200)
    check("pool_get", api.get(f"/v2/pools/{q()}", headers=admin), 404)
    changes = sent("pool_update", {"weight": 5})
    check("pool_update", api.patch(f"/v2/pools/{p1}", body=changes, headers=admin), 200)
    check("pool_update", api.patch(f"/v2/pools/{p1}", body={}, headers=admin), 400)
    check("pool_update", api.patch(f"/v2/pools/{q()}", body=changes, headers=admin), 404)
    check("pool_update", api.patch(f"/v2/pools/{p2}", body={"uri": uri1}, headers=admin), 409)

    fpath = f"/v2/flavors/{flavor}"
    check("flavor_create", api.put(fpath, body=sent("flavor_create", {"pool_list": [p1]}),
                                   headers=admin), 201)
    check("flavor_create", api.put(fpath, body={"pool_list": []}, headers=admin), 400)
    check("flavor_list", api.get("/v2/flavors", params={"detailed": "true"}), 200)
    check("flavor_get", api.get(fpath), 200)
    check("flavor_get", api.get(f"/v2/flavors/{q()}"), 404)
    check("pool_delete", api.delete(f"/v2/pools/{p1}", headers=admin), 403)  # last of flavor
    update = sent("flavor_update", {"pool_list": [p2]})
    check("flavor_update", api.patch(fpath, body=update, headers=admin), 200)
    check("flavor_update", api.patch(fpath, body={}, headers=admin), 400)
    check("flavor_update", api.patch(f"/v2/flavors/{q()}", body=update, headers=admin), 404)
    check("flavor_delete", api.delete(fpath, headers=admin), 204)
    check("pool_delete", api.delete(f"/v2/pools/{p1}", headers=admin), 204)
    check("pool_delete", api.delete(f"/v2/pools/{p2}", headers=admin), 204)


def test_redrive_groups_and_dead_letters(api):
    """Beyond Zaqar: FIFO groups on messages, redrive, notification dead letters (the
    stack has no notification pipeline: the dead-letter stream stays empty here;
    tests/integration/test_redrive.py fills one)."""
    src, dlq = q(), q()
    api.create_queue(src, {"_max_claim_count": 1, "_dead_letter_queue": dlq})
    posted = sent("message_post", {"messages": [{"body": 1, "group": "g-1"}, {"body": 2}]})
    r = check("message_post", api.post(f"/v2/queues/{src}/messages", body=posted), 201)
    ids = [href.rsplit("/", 1)[1] for href in r.json["resources"]]
    r = check("message_get", api.get(f"/v2/queues/{src}/messages/{ids[0]}"), 200)
    assert r.json["group"] == "g-1"
    check("message_list", api.get(f"/v2/queues/{src}/messages"), 200)
    claim = api.claim(src, limit=5)
    assert claim.status == 201, claim
    assert api.delete(claim.header("Location")).status == 204  # both dead-lettered
    r = check("queue_redrive", api.post(f"/v2/queues/{src}/redrive",
                                        body=sent("queue_redrive", {"ids": [ids[1]]})), 200)
    assert r.json == {"moved": 1, "ids": [ids[1]]}
    r = check("queue_redrive", api.post(f"/v2/queues/{src}/redrive",
                                        body=sent("queue_redrive", {"rate": 100})), 200)
    assert r.json["moved"] == 1
    r = check("message_delete_many", api.delete(f"/v2/queues/{src}/messages",
                                                params={"pop": 5}), 200)
    assert [m.get("group") for m in r.json["messages"]] == [None, "g-1"]
    check("queue_redrive", api.post(f"/v2/queues/{src}/redrive", body={"rate": 0}), 400)
    check("queue_redrive", api.post(f"/v2/queues/{q()}/redrive"), 404)
    base = f"/v2/queues/{src}/subscriptions/dead_letters"
    r = check("subscription_dead_letter_list", api.get(base, params={"limit": 5}), 200)
    assert r.json == {"dead_letters": [], "links": []}
    check("subscription_dead_letter_list", api.get(base, params={"limit": 0}), 400)
    check("subscription_dead_letter_delete", api.delete(base), 204)
    check("subscription_dead_letter_delete", api.delete(base, params={"ids": "1-1"}), 204)


def test_zz_every_documented_status_was_exercised():
    """Runs last (file order): documentation without a test is a failure."""
    documented = {(op_id, status)
                  for op_id, (_, _, op) in OPS.items() for status in op["responses"]}
    missing = sorted(documented - EXERCISED)
    assert not missing, ("documented but never validated against a real response "
                         f"(add a call to tests/integration/test_openapi.py): {missing}")
