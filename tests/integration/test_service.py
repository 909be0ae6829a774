"""Service documents, ping/health, routing outcomes and the transport-level header checks
(rest-v2.md §1, §4.0, §4.1)."""

import uuid

import pytest

import zaqard_harness as harness

CLIENT_REQUIRED = ("Missing header value", 'The "Client-ID" header is required.')
WRONG_UUID = ("Wrong UUID value", "Malformed hexadecimal UUID.")


def allow_set(response):
    return {m.strip() for m in (response.header("Allow") or "").split(",") if m.strip()}


def assert_error(r, status, title, description=None):
    assert r.status == status, r
    assert r.json["title"] == title, r
    if description is not None:
        assert r.json["description"] == description, r


# --- versions and home document -------------------------------------------------------

def test_versions_document_needs_no_headers(api):
    r = api.get("/", default_headers=False)
    assert r.status == 300, r
    versions = r.json["versions"]
    assert [v["id"] for v in versions] == ["1", "1.1", "2"]
    v2 = versions[2]
    assert v2["status"] == "CURRENT"
    assert v2["links"] == [{"href": "/v2/", "rel": "self"}]
    assert v2["media-types"][0]["type"] == "application/vnd.openstack.messaging-v2+json"
    assert [v["status"] for v in versions[:2]] == ["DEPRECATED", "DEPRECATED"]


def test_home_document(api):
    r = api.get("/v2/")
    assert r.status == 200, r
    assert r.header("Content-Type").split(";")[0].strip() == "application/json-home"
    assert r.header("Cache-Control") == "max-age=86400"
    res = r.json["resources"]
    expected = {
        "rel/queues": ("/v2/queues{?marker,limit,detailed}", ["GET"]),
        "rel/queue": ("/v2/queues/{queue_name}", ["GET", "PUT", "DELETE", "PATCH"]),
        "rel/queue_stats": ("/v2/queues/{queue_name}/stats", ["GET"]),
        "rel/post_messages": ("/v2/queues/{queue_name}/messages", ["POST"]),
        "rel/messages_delete": ("/v2/queues/{queue_name}/messages{?ids,pop}", ["DELETE"]),
        "rel/post_claim": ("/v2/queues/{queue_name}/claims{?limit}", ["POST"]),
        "rel/claim": ("/v2/queues/{queue_name}/claims/{claim_id}", ["GET"]),
    }
    for rel, (template, allow) in expected.items():
        assert rel in res, rel
        assert res[rel]["href-template"] == template, rel
        assert sorted(res[rel]["hints"]["allow"]) == sorted(allow), rel
    assert res["rel/ping"]["hints"]["allow"] == ["GET"]
    # admin_mode = true in the harness config: admin rels are listed.
    for rel in ("rel/pools", "rel/pool", "rel/flavors", "rel/flavor", "rel/health"):
        assert rel in res, rel
    assert res["rel/health"]["href"] == "/v2/health"
    assert not any(k.startswith("rel/topic") for k in res)


def test_home_document_needs_client_id_and_project(api):
    assert_error(api.get("/v2/", headers={"Client-ID": None}), 400, *CLIENT_REQUIRED)
    r = api.get("/v2/", headers={"X-Project-ID": None})
    assert_error(r, 400, "Project-Id Missing")


def test_home_document_head_is_405(api):
    r = api.head("/v2/")
    assert r.status == 405


# --- ping and health ------------------------------------------------------------------

def test_ping_get_and_head(api):
    r = api.get("/v2/ping")
    assert r.status == 204 and r.body == b"", r
    r = api.head("/v2/ping")
    assert r.status == 204, r


def test_ping_needs_headers(api):
    assert_error(api.get("/v2/ping", headers={"Client-ID": None}), 400, *CLIENT_REQUIRED)
    assert api.head("/v2/ping", headers={"Client-ID": None}).status == 400


def test_health_admin(api):
    r = api.get("/v2/health", headers={"X-Roles": "admin"})
    assert r.status == 200, r
    assert r.json["storage_reachable"] is True
    ops = r.json["operation_status"]
    for op in ("create_queue", "post_messages", "claim_messages", "list_messages",
               "delete_messages", "delete_claim", "bulk_delete_messages", "delete_queue"):
        assert ops[op]["succeeded"] is True, (op, ops[op])
        assert isinstance(ops[op]["seconds"], (int, float))
        assert ops[op]["ref"] is None


def test_health_admin_role_in_a_list(api):
    r = api.get("/v2/health", headers={"X-Roles": "member,admin"})
    assert r.status == 200, r


def test_health_without_admin_role_is_403(api):
    assert_error(api.get("/v2/health"), 403, "Not authorized",
                 "You are not authorized to complete this action.")
    assert_error(api.get("/v2/health", headers={"X-Roles": "member"}), 403, "Not authorized")


def test_health_leaves_no_queue_in_the_callers_project(api):
    assert api.get("/v2/health", headers={"X-Roles": "admin"}).status == 200
    r = api.get("/v2/queues")
    assert r.json["queues"] == []


def test_health_message_volume(tmp_path):
    """message_volume counts every queue of every project (Zaqar's MongoDB driver shape);
    enough queues that the registry scan takes several SSCAN round trips."""
    st = harness.Stack(str(tmp_path))
    st.start()
    try:
        admin = {"X-Roles": "admin"}
        a = st.client(project="vol-a")
        b = st.client(project="vol-b")
        r = a.get("/v2/health", headers=admin)
        assert r.status == 200, r
        assert r.json["message_volume"] == {"free": 0, "claimed": 0, "total": 0}
        a.post_messages("q1", [{"body": i, "ttl": 300} for i in range(5)])
        b.post_messages("q2", [{"body": i, "ttl": 300} for i in range(3)])
        r = a.claim("q1", limit=2)
        assert r.status == 201, r
        r = b.get("/v2/health", headers=admin)
        assert r.status == 200, r
        assert r.json["storage_reachable"] is True
        assert r.json["message_volume"] == {"free": 6, "claimed": 2, "total": 8}
        for i in range(600):
            b.post_messages(f"many{i}", [{"body": i, "ttl": 300}])
        r = a.get("/v2/health", headers=admin)
        assert r.json["message_volume"] == {"free": 606, "claimed": 2, "total": 608}
        # Deleted messages and queues no longer count.
        assert b.delete("/v2/queues/q2").status == 204
        r = a.get("/v2/health", headers=admin)
        assert r.json["message_volume"] == {"free": 603, "claimed": 2, "total": 605}
    finally:
        problems = st.stop()
    assert not problems, problems


# --- routing --------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v2", "/v3/queues", "/v1.1/queues", "/v1/queues",
                                  "/v2/queues/q/unknown", "/v2/nothing", "/v2/topicz",
                                  "/v2/queues/q/messages/m/x", "/favicon.ico"])
def test_unknown_route_404(api, path):
    r = api.get(path)
    assert r.status == 404, r
    assert r.json == {"title": "404 Not Found"}


def test_unknown_route_404_before_header_checks(api):
    r = api.get("/v3/queues", default_headers=False)
    assert r.status == 404, r
    assert r.json == {"title": "404 Not Found"}


@pytest.mark.parametrize("method,path,allowed", [
    ("POST", "/v2/queues", {"GET"}),
    ("DELETE", "/v2/queues", {"GET"}),
    ("POST", "/v2/queues/q", {"GET", "PUT", "PATCH", "DELETE"}),
    ("HEAD", "/v2/queues/q", {"GET", "PUT", "PATCH", "DELETE"}),
    ("GET", "/v2/queues/q/claims", {"POST"}),
    ("PUT", "/v2/queues/q/messages", {"GET", "POST", "DELETE"}),
    ("POST", "/v2/queues/q/stats", {"GET"}),
    ("GET", "/v2/queues/q/purge", {"POST"}),
    ("POST", "/v2/queues/q/claims/c", {"GET", "PATCH", "DELETE"}),
    ("PUT", "/v2/queues/q/messages/m", {"GET", "DELETE"}),
    ("POST", "/v2/ping", {"GET", "HEAD"}),
])
def test_method_not_allowed(api, method, path, allowed):
    r = api.request(method, path)
    assert r.status == 405, r
    if method != "HEAD":
        assert r.json == {"title": "405 Method Not Allowed"}
    assert allow_set(r) == allowed | {"OPTIONS"}, r.header("Allow")


def test_method_not_allowed_checks_headers_first(api):
    r = api.post("/v2/queues", headers={"Client-ID": None})
    assert_error(r, 400, *CLIENT_REQUIRED)


@pytest.mark.parametrize("path,allowed", [
    ("/v2/queues", {"GET"}),
    ("/v2/queues/q", {"GET", "PUT", "PATCH", "DELETE"}),
    ("/v2/queues/q/messages", {"GET", "POST", "DELETE"}),
    ("/v2/queues/q/claims", {"POST"}),
])
def test_options(api, path, allowed):
    r = api.options(path)
    assert r.status == 200, r
    assert r.body == b""
    assert allowed <= allow_set(r), r.header("Allow")


def test_trailing_slash_is_empty_queue_name(api):
    assert_error(api.get("/v2/queues/"), 400, "Invalid queue identification",
                 "The format of the submitted queue name or project id is not valid.")


# --- header checks, in Zaqar's order --------------------------------------------------

def test_client_id_missing(api):
    assert_error(api.get("/v2/queues", headers={"Client-ID": None}), 400, *CLIENT_REQUIRED)


@pytest.mark.parametrize("bad", ["not-a-uuid", "1234", "", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
                                 "3381af92-2b9e-11e3-b191-71861300734", "{3381af92}"])
def test_client_id_bad(api, bad):
    assert_error(api.get("/v2/queues", headers={"Client-ID": bad}), 400, *WRONG_UUID)


@pytest.mark.parametrize("form", [
    lambda u: str(u),
    lambda u: str(u).upper(),
    lambda u: u.hex,
    lambda u: "{%s}" % u,
    lambda u: "urn:uuid:%s" % u,
])
def test_client_id_uuid_forms_accepted(api, form):
    r = api.get("/v2/queues", headers={"Client-ID": form(uuid.uuid4())})
    assert r.status == 200, r


def test_project_missing(api):
    assert_error(api.get("/v2/queues", headers={"X-Project-ID": None}), 400,
                 "Project-Id Missing")


def test_project_empty(api):
    assert_error(api.get("/v2/queues", headers={"X-Project-ID": ""}), 400,
                 "Empty project header not allowed")


def test_project_header_case_insensitive(api):
    r = api.put("/v2/queues/caseq", headers={"X-Project-ID": None, "x-project-id": api.project})
    assert r.status == 201, r
    assert [q["name"] for q in api.get("/v2/queues").json["queues"]] == ["caseq"]


def test_client_id_checked_before_project(api):
    r = api.get("/v2/queues", headers={"Client-ID": None, "X-Project-ID": None})
    assert_error(r, 400, *CLIENT_REQUIRED)


def test_project_checked_before_queue_name(api):
    r = api.get("/v2/queues/bad%20name", headers={"X-Project-ID": None})
    assert_error(r, 400, "Project-Id Missing")


@pytest.mark.parametrize("name", ["bad%20name", "a" * 65, "caf%C3%A9", "q!", "q%2B"])
def test_bad_queue_name(api, name):
    assert_error(api.get(f"/v2/queues/{name}"), 400, "Invalid queue identification",
                 "The format of the submitted queue name or project id is not valid.")


def test_queue_name_with_dot_and_max_length(api):
    assert api.put("/v2/queues/a.b-c_D9").status == 201
    assert api.put("/v2/queues/" + "x" * 64).status == 201


def test_project_too_long_only_with_queue_in_path(api):
    long_project = "p" * 257
    r = api.get("/v2/queues/q", headers={"X-Project-ID": long_project})
    assert_error(r, 400, "Invalid queue identification")
    assert api.get("/v2/queues", headers={"X-Project-ID": long_project}).status == 200
    assert api.get("/v2/queues/q", headers={"X-Project-ID": "p" * 256}).status == 200


def test_urlencoded_body_rejected(api):
    r = api.post("/v2/queues/q/messages", raw=b"a=b",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(r, 400, "Invalid Content-Type")
    assert "application/x-www-form-urlencoded" in r.json["description"]
    # case-insensitive, and checked before Client-ID
    r = api.put("/v2/queues/q", raw=b"a=b",
                headers={"Content-Type": "Application/X-WWW-Form-URLEncoded", "Client-ID": None})
    assert_error(r, 400, "Invalid Content-Type")


def test_urlencoded_without_body_is_fine(api):
    r = api.get("/v2/queues", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r


@pytest.mark.parametrize("accept", ["application/xml", "text/plain", "image/png"])
def test_accept_not_json_406(api, accept):
    r = api.get("/v2/queues", headers={"Accept": accept})
    assert r.status == 406, r


@pytest.mark.parametrize("accept", ["*/*", "application/*", "application/json",
                                    "text/html, application/json;q=0.9"])
def test_accept_json_ok(api, accept):
    assert api.get("/v2/queues", headers={"Accept": accept}).status == 200


def test_accept_checked_before_client_id(api):
    r = api.get("/v2/queues", headers={"Accept": "application/xml", "Client-ID": None})
    assert r.status == 406, r


# --- response basics ------------------------------------------------------------------

def test_json_content_type(api):
    r = api.get("/v2/queues")
    assert r.header("Content-Type") == "application/json"


def test_request_id_header_present(api):
    r1 = api.get("/v2/queues")
    r2 = api.get("/v2/queues")
    assert r1.header("X-Request-ID"), r1
    assert r1.header("X-Request-ID") != r2.header("X-Request-ID")
    # also on errors
    assert api.get("/v2/queues", headers={"Client-ID": None}).header("X-Request-ID")


def test_request_id_echoes_openstack_request_id(api):
    r = api.get("/v2/queues", headers={"X-Openstack-Request-ID": "req-abc123"})
    assert r.header("X-Request-ID") == "req-abc123"


def test_error_body_shape(api):
    r = api.get("/v2/queues", params={"limit": "abc"})
    assert_error(r, 400, "Invalid parameter",
                 'The "limit" parameter is invalid. The value must be an integer.')
    assert r.header("Content-Type") == "application/json"
