"""RBAC policy files (auth-and-config.md §4): oslo.policy rules read from
[oslo_policy] policy_file / policy_dirs at start-up, enforced on REST and WebSocket; a
malformed file stops zaqard with a clear message."""

import json
import os

import pytest

import zaqard_harness as harness
from ws_client import WsClient

FORBIDDEN = {"title": "Not authorized",
             "description": "You are not authorized to complete this action."}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("policy"))
    # Found next to the config file under its default name, like Zaqar's policy.yaml.
    write(os.path.join(workdir, "policy.yaml"), """
# Operators' usual form: a flat map of rule -> check string.
"messages:create": "role:producer"
"queues:delete": "rule:context_is_admin or role:Janitor"
"queues:purge": "!"
"messages:get_all": ""
"claims:create": "rule:consumer"
"consumer": "role:consumer and not role:banned"
""")
    # policy.d files are read after it and override it.
    write(os.path.join(workdir, "policy.d", "50-stats.json"),
          json.dumps({"queues:stats": "role:auditor or rule:context_is_admin"}))
    # Hidden files (editor leftovers) are skipped, as oslo does.
    write(os.path.join(workdir, "policy.d", ".50-stats.json.swp"), "not a policy {")
    yield from harness.running_stack(workdir, extra_config={"signed_url": {"secret_key": "k"}})


def post(client, queue, roles=None):
    headers = {"X-Roles": roles} if roles is not None else None
    return client.post(f"/v2/queues/{queue}/messages",
                       body={"messages": [{"body": 1, "ttl": 60}]}, headers=headers)


def test_rule_denies_without_the_role(stack):
    c = stack.client(project="pol")
    c.create_queue("pq")
    for roles in (None, "", "member", "producers", "admin"):
        r = post(c, "pq", roles)
        assert r.status == 403, (roles, r)
        assert r.json == FORBIDDEN
    for roles in ("producer", "member,producer", "member, Producer"):
        assert post(c, "pq", roles).status == 201, roles
    # Rules the file does not name keep Zaqar's defaults.
    assert c.get("/v2/queues/pq/messages").status == 200
    assert c.get("/v2/health").status == 403
    assert c.get("/v2/health", headers={"X-Roles": "admin"}).status == 200


def test_rule_references_and_negation(stack):
    c = stack.client(project="pol2")
    c.create_queue("cq")
    assert c.post("/v2/queues/cq/claims", body={"ttl": 60}).status == 403
    assert c.post("/v2/queues/cq/claims", body={"ttl": 60},
                  headers={"X-Roles": "consumer"}).status == 204
    assert c.post("/v2/queues/cq/claims", body={"ttl": 60},
                  headers={"X-Roles": "consumer,banned"}).status == 403
    assert c.post("/v2/queues/cq/purge", body={}, headers={"X-Roles": "admin"}).status == 403
    assert c.delete("/v2/queues/cq").status == 403
    assert c.delete("/v2/queues/cq", headers={"X-Roles": "janitor"}).status == 204


def test_policy_d_overrides(stack):
    c = stack.client(project="pol3")
    c.create_queue("sq")
    assert c.get("/v2/queues/sq/stats").status == 403
    assert c.get("/v2/queues/sq/stats", headers={"X-Roles": "auditor"}).status == 200
    assert c.get("/v2/queues/sq/stats", headers={"X-Roles": "admin"}).status == 200


def test_policy_still_applies_to_signed_urls(stack):
    owner = stack.client(project="pol4")
    owner.create_queue("shp")
    doc = owner.post("/v2/queues/shp/share", body={"methods": ["POST"]}).json
    h = {"URL-Signature": doc["signature"], "URL-Expires": doc["expires"],
         "URL-Methods": "POST", "URL-Paths": doc["paths"][0], "X-Project-ID": "pol4"}
    anon = stack.client(project="x")
    body = {"messages": [{"body": 1}]}
    r = anon.post("/v2/queues/shp/messages", body=body, headers=h)
    assert r.status == 403 and r.json == FORBIDDEN
    assert anon.post("/v2/queues/shp/messages", body=body,
                     headers=dict(h, **{"X-Roles": "producer"})).status == 201


def test_websocket_enforces_the_same_policy(stack):
    ws = WsClient(stack.zaqard.ws_url, project="pol5")
    try:
        assert ws.status_body("queue_create", {"queue_name": "wq"})[0] == 201
        msg = {"queue_name": "wq", "messages": [{"body": 1, "ttl": 60}]}
        status, body = ws.status_body("message_post", msg)
        assert status == 403
        assert body == {"exception": "You are not authorized to complete this action.",
                        "error": None}
        status, _ = ws.status_body("message_post", msg, headers=ws.headers(**{"X-Roles": "producer"}))
        assert status == 201
    finally:
        ws.close()


def start_failure(tmp_path, files, extra=None):
    """Starts zaqard with `files` ({relative path: text}) beside its config and returns
    the start-up error (zaqard must exit non-zero)."""
    for name, text in files.items():
        write(os.path.join(str(tmp_path), name), text)
    st = harness.Stack(str(tmp_path), extra_config=extra)
    with pytest.raises(RuntimeError) as failure:
        st.start()
    st.stop()
    message = str(failure.value)
    assert "exited early with 2" in message, message
    return message


@pytest.mark.parametrize("files,expected", [
    ({"policy.yaml": '"messages:create": "role:producer\n  bad: [unclosed\n'},
     "not valid JSON or YAML"),
    ({"policy.yaml": '"messages:create": "role:a or"\n'}, 'rule "messages:create"'),
    ({"policy.yaml": '"messages:create": "(role:a"\n'}, "missing ')'"),
    ({"policy.yaml": '"messages:create": "producer"\n'}, "is not a check"),
    ({"policy.yaml": '"messages:create": "rule:nope"\n'}, 'undefined rule "nope"'),
    ({"policy.yaml": '"a": "rule:b"\n"b": "rule:a"\n'}, "refers to itself"),
    ({"policy.yaml": '- "role:admin"\n'}, "not a map of rules"),
    ({"policy.yaml": '"messages:create": "http://policy.example/check"\n'},
     "http and https checks are not supported"),
    ({"policy.d/10.json": '{"messages:create": "role:x"'}, "policy.d/10.json"),
])
def test_malformed_policy_stops_startup(tmp_path, files, expected):
    message = start_failure(tmp_path, files)
    assert "invalid RBAC policy" in message and expected in message, message


def test_named_policy_file_must_exist(tmp_path):
    message = start_failure(tmp_path, {}, {"oslo_policy": {"policy_file": "custom.json"}})
    assert "policy_file custom.json not found" in message, message


def test_named_json_policy_file_and_legacy_list_form(tmp_path):
    write(os.path.join(str(tmp_path), "custom.json"), json.dumps({
        "messages:create": [["role:a", "role:b"], ["role:admin"]],
        "queues:create": "@", "queues:get": "not @"}))
    st = harness.Stack(str(tmp_path), extra_config={"oslo_policy": {
        "policy_file": "custom.json", "policy_dirs": ""}})
    st.start()
    try:
        c = st.client(project="legacy")
        c.create_queue("lq")
        assert post(c, "lq", "a").status == 403
        assert post(c, "lq", "a,b").status == 201
        assert post(c, "lq", "admin").status == 201
        assert c.get("/v2/queues/lq").status == 403
    finally:
        assert st.stop() == []
