"""The web console (docs/console.md) in a real browser: headless Chromium driven by Selenium
through chromedriver loads /console/ from a real zaqard (with its real redis-server), logs
in, and uses every page and action: queues with live stats, create / purge / delete, post,
browse, claim, delete with and without a claim, release, subscriptions, the live tail (a
WebSocket subscription receiving a message the test posts over REST, and the polling tail
of a server without notifications), the pools and flavors pages (with pooling, and the
message without it), and a Keystone login against a real Keystone. What the console did is
checked through the REST API, not only on the page.

The static-file serving itself (types, ETag/304, HEAD, 404, 405, config.json) and the
WebSocket Origin rule that lets the console's own origin in are checked over plain HTTP.

The queues page is saved as a screenshot: to a temporary file, and to docs/console.png
(the README's picture) when ZAQARD_UPDATE_SCREENSHOT=1.
"""

import json
import os
import shutil
import socket
import struct
import time
import urllib.error
import urllib.request
import uuid

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import zaqard_harness as harness
from headless_chromium import running_chromium

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCREENSHOT = os.path.join(REPO, "docs", "console.png")

NOTIFY = {"storage": {"message_pipeline": "zaqar.notification.notifier"},
          "zaqard": {"notification_poll_interval": "0.2"}}

# ------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """admin_mode (the harness' default) without pooling, notifications on: WebSocket push."""
    yield from harness.running_stack(str(tmp_path_factory.mktemp("console")), extra_config=NOTIFY)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """No notifications: the live tail polls."""
    yield from harness.running_stack(str(tmp_path_factory.mktemp("plain")))


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    """admin_mode and pooling (pool_redis is the pool the test registers)."""
    yield from harness.running_stack(str(tmp_path_factory.mktemp("pooled")), extra_config={
        "DEFAULT": {"admin_mode": "true", "pooling": "true"}})


@pytest.fixture(scope="module")
def pool_redis(tmp_path_factory):
    r = harness.RedisProcess(str(tmp_path_factory.mktemp("pool-redis"))).start()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def browser():
    yield from running_chromium(["--window-size=1280,900", "--hide-scrollbars",
                                 "--force-device-scale-factor=1"])


# ------------------------------------------------------------------------------ helpers

def wait(browser, condition, timeout=20, what="condition"):
    """Waits for condition(browser) to be truthy; re-tries through re-rendered elements."""
    def check(d):
        try:
            return condition(d)
        except StaleElementReferenceException:
            return False
    return WebDriverWait(browser, timeout, poll_frequency=0.1).until(
        check, message=f"timed out waiting for {what}; status: {status_text(browser)!r}")


def status_text(browser):
    try:
        return browser.find_element(By.ID, "status").text
    except Exception:  # noqa: BLE001 - only for the failure message
        return "?"


def el(browser, css):
    return wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, css), what=css)


def fill(browser, css, text):
    field = el(browser, css)
    field.clear()
    field.send_keys(text)


def click(browser, css):
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, css).is_displayed(), what=css)
    el(browser, css).click()


def click_twice(browser, css):
    """A destructive button asks for a second click (dangerButton in app.js)."""
    click(browser, css)
    wait(browser, lambda d: "confirming" in d.find_element(By.CSS_SELECTOR, css)
         .get_attribute("class"), what=f"{css} armed")
    click(browser, css)


def text_of(browser, css):
    return el(browser, css).text


def wait_status(browser, contains):
    wait(browser, lambda d: contains in d.find_element(By.ID, "status").text,
         what=f"status with {contains!r}")


def row(queue=None, message=None, subscription=None, pool=None, flavor=None):
    for key, value in (("queue", queue), ("message", message), ("subscription", subscription),
                       ("pool", pool), ("flavor", flavor)):
        if value is not None:
            return f'tr[data-{key}="{value}"]'
    raise ValueError("no row key")


def open_console(browser, base_url, fragment=""):
    browser.get(f"{base_url}/console/{fragment}")
    wait(browser, lambda d: d.execute_script("return document.body.dataset.ready === 'true'"),
         what="the console to start")


def login(browser, base_url, project, roles=None, token=None):
    open_console(browser, base_url)
    browser.execute_script("sessionStorage.clear(); location.hash = '#/login';")
    wait(browser, lambda d: d.find_element(By.ID, "login-form"), what="the login form")
    fill(browser, "#login-project", project)
    if token is not None:
        fill(browser, "#login-token", token)
    if roles is not None:
        fill(browser, "#login-roles", roles)
    click(browser, "#login-submit")
    wait(browser, lambda d: d.find_elements(By.ID, "queues-table"), what="the queues page")
    assert project in text_of(browser, "#session-project")


def goto(browser, fragment, ready_css):
    browser.execute_script("location.hash = arguments[0]", fragment)
    return el(browser, ready_css)


def stat(browser, queue, name):
    return browser.find_element(By.CSS_SELECTOR, f"{row(queue=queue)} td.stat-{name}").text


def http(method, url, headers=None, body=None):
    """urllib: (status, headers, body bytes); HTTP errors are answers too."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=15) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def rest(base_url, project, **extra):
    return harness.Client(base_url, project=project, extra_headers=extra or None)


def ws_handshake(ws_port, origin, host):
    """An upgrade request with this Origin and Host; returns the answer's status code."""
    lines = ["GET / HTTP/1.1", f"Host: {host}", "Upgrade: websocket", "Connection: Upgrade",
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
             f"Origin: {origin}"]
    with socket.create_connection(("127.0.0.1", ws_port), timeout=10) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        deadline = time.monotonic() + 10
        while b"\r\n" not in data and time.monotonic() < deadline:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ")[1])


def new_project():
    return "p-" + uuid.uuid4().hex[:12]


# ------------------------------------------------------------------------------ serving

def test_static_files_types_caching_and_errors(stack):
    base = stack.base_url
    # /console redirects to the directory, so the page's relative URLs resolve under it
    conn = harness.Client(base)
    r = conn.get("/console", default_headers=False)
    assert r.status == 301 and r.header("Location") == "/console/", r

    status, headers, body = http("GET", f"{base}/console/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<script src="app.js" defer></script>' in body
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-cache"
    etag = headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34
    status, _, index = http("GET", f"{base}/console/index.html")
    assert status == 200 and index == body

    for name, media_type in (("app.js", "text/javascript; charset=utf-8"),
                             ("style.css", "text/css; charset=utf-8"),
                             ("favicon.svg", "image/svg+xml")):
        status, headers, body = http("GET", f"{base}/console/{name}")
        assert status == 200 and headers["Content-Type"] == media_type, (name, headers)
        with open(os.path.join(REPO, "console", name), "rb") as f:
            assert body == f.read(), name
        # a conditional GET with the ETag (or a list holding it, or a weak form) is a 304
        for validator in (headers["ETag"], f'"nope", {headers["ETag"]}', "W/" + headers["ETag"]):
            r = conn.get(f"/console/{name}", default_headers=False,
                         headers={"If-None-Match": validator})
            assert r.status == 304 and r.body == b"", (name, validator, r)
            assert r.header("ETag") == headers["ETag"]
        r = conn.get(f"/console/{name}", default_headers=False, headers={"If-None-Match": '"x"'})
        assert r.status == 200 and r.body == body
        # HEAD: GET's headers and length, no body
        r = conn.head(f"/console/{name}", default_headers=False)
        assert r.status == 200 and r.body == b"", r
        assert r.header("Content-Length") == str(len(body))
        assert r.header("Content-Type") == media_type

    # config.json: what the page needs before logging in
    status, headers, body = http("GET", f"{base}/console/config.json")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-store"
    assert json.loads(body) == {"websocket_port": stack.zaqard.ws_port,
                                "auth_strategy": "noauth", "notifications": True}

    # anything else under /console/ is a 404 (Zaqar's JSON error), never a file elsewhere
    for path in ("/console/nope.js", "/console/../CMakeLists.txt", "/console/%2e%2e/README.md",
                 "/console/app.js/", "/console/sub/index.html", "/consolex"):
        r = conn.get(path, default_headers=False)
        assert r.status == 404, (path, r)
        assert r.json == {"title": "404 Not Found"}, (path, r)
    r = conn.post("/console/", body={}, default_headers=False)
    assert r.status == 405 and r.header("Allow") == "GET, HEAD", r
    # the tenant API still wants its headers
    assert conn.get("/v2/queues", default_headers=False).status == 400


def test_plain_server_says_no_notifications(plain):
    status, _, body = http("GET", f"{plain.base_url}/console/config.json")
    assert status == 200 and json.loads(body)["notifications"] is False


def test_websocket_accepts_the_console_origin_only(stack):
    ws_port, rest_port = stack.zaqard.ws_port, stack.zaqard.port
    host = f"127.0.0.1:{ws_port}"
    # the console's origin: the host the client connected to, at the REST port
    assert ws_handshake(ws_port, f"http://127.0.0.1:{rest_port}", host) == 101
    assert ws_handshake(ws_port, f"http://LOCALHOST:{rest_port}", f"localhost:{ws_port}") == 101
    # another port of that host, or the REST port of another host: refused
    assert ws_handshake(ws_port, f"http://127.0.0.1:{rest_port + 1}", host) == 403
    assert ws_handshake(ws_port, f"http://evil.example:{rest_port}", host) == 403
    assert ws_handshake(ws_port, f"http://127.0.0.1:{rest_port}", f"localhost:{ws_port}") == 403
    assert ws_handshake(ws_port, f"ftp://127.0.0.1:{rest_port}", host) == 403


# ------------------------------------------------------------------------------ pages

def test_login_and_queues_page_with_live_stats(browser, stack, tmp_path):
    project = new_project()
    login(browser, stack.base_url, project)
    api = rest(stack.base_url, project)
    assert "No queues yet" in text_of(browser, "#queues-body")

    # create queues through the console's form
    for name in ("orders", "emails", "thumbnails", "audit-log", "payments"):
        fill(browser, "#queue-create-name", name)
        click(browser, "#queue-create-submit")
        wait_status(browser, f"Queue {name} created.")
        el(browser, row(queue=name))
    listed = [q["name"] for q in api.get("/v2/queues").json["queues"]]
    assert sorted(listed) == ["audit-log", "emails", "orders", "payments", "thumbnails"]

    # stats follow what is posted and claimed over REST, without a click (live stats)
    api.post_messages("orders", [{"body": {"order": i}, "ttl": 3600} for i in range(12)])
    api.post_messages("emails", [{"body": {"to": f"user{i}@example.com"}, "ttl": 3600}
                                 for i in range(4)])
    api.post_messages("thumbnails", [{"body": {"image": i}, "ttl": 3600} for i in range(7)])
    api.post_messages("payments", [{"body": {"amount": 10}, "ttl": 3600}])
    assert api.claim("orders", limit=3).status == 201
    assert api.claim("thumbnails", limit=7).status == 201
    wait(browser, lambda d: stat(d, "orders", "total") == "12", timeout=30,
         what="auto-refreshed stats")
    assert stat(browser, "orders", "free") == "9"
    assert stat(browser, "orders", "claimed") == "3"
    assert stat(browser, "thumbnails", "claimed") == "7"
    assert stat(browser, "emails", "free") == "4"
    assert stat(browser, "audit-log", "total") == "0"
    assert stat(browser, "audit-log", "oldest") == "—"

    # the refresh button, with the live stats switched off
    click(browser, "#queues-auto")
    api.post_messages("audit-log", [{"body": {"login": "alice"}, "ttl": 3600}])
    click(browser, "#queues-refresh")
    wait(browser, lambda d: stat(d, "audit-log", "total") == "1", what="refreshed stats")

    # the picture for the README: the queues page with some queues, live stats on
    click(browser, "#queues-auto")
    browser.execute_script("document.getElementById('status').replaceChildren()")
    path = str(tmp_path / "console.png")
    assert browser.save_screenshot(path)
    with open(path, "rb") as f:
        png = f.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1280 and height >= 700, (width, height)
    if os.environ.get("ZAQARD_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(path, SCREENSHOT)


def test_purge_and_delete_a_queue(browser, stack):
    project = new_project()
    api = rest(stack.base_url, project)
    api.post_messages("doomed", [{"body": i, "ttl": 300} for i in range(3)])
    api.create_queue("kept")
    login(browser, stack.base_url, project)
    wait(browser, lambda d: stat(d, "doomed", "total") == "3", what="stats")

    click_twice(browser, f"{row(queue='doomed')} .queue-purge")
    wait_status(browser, "Queue doomed purged.")
    assert api.get("/v2/queues/doomed/stats").json["messages"]["total"] == 0
    wait(browser, lambda d: stat(d, "doomed", "total") == "0", what="purged stats")

    # one click only arms the button: nothing is deleted
    click(browser, f"{row(queue='doomed')} .queue-delete")
    assert "Confirm" in text_of(browser, f"{row(queue='doomed')} .queue-delete")
    assert "doomed" in [q["name"] for q in api.get("/v2/queues").json["queues"]]
    click(browser, f"{row(queue='doomed')} .queue-delete")
    wait_status(browser, "Queue doomed deleted.")
    assert [q["name"] for q in api.get("/v2/queues").json["queues"]] == ["kept"]
    wait(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, row(queue="doomed")),
         what="the row to go")


def test_post_browse_claim_delete_release(browser, stack):
    project = new_project()
    api = rest(stack.base_url, project)
    api.create_queue("work")
    login(browser, stack.base_url, project)
    click(browser, f"{row(queue='work')} a.queue-link")
    el(browser, "#post-form")
    assert text_of(browser, "#queue-name") == "work"

    # post three messages through the form
    for i in range(3):
        fill(browser, "#post-body", json.dumps({"job": i, "note": "from the console"}))
        fill(browser, "#post-ttl", "600")
        click(browser, "#post-submit")
        wait(browser, lambda d, i=i: len(d.find_elements(By.CSS_SELECTOR,
                                                           "#messages-body tr[data-message]")) == i + 1,
             what=f"message {i} listed")
    messages = api.list_messages("work", echo=True)["messages"]
    assert [m["body"] for m in messages] == [{"job": i, "note": "from the console"}
                                             for i in range(3)]
    assert all(m["ttl"] == 600 for m in messages)
    wait(browser, lambda d: d.find_element(By.ID, "queue-stats").text.startswith("3 free"),
         what="queue stats")
    # the browse table shows each body
    bodies = [json.loads(e.text) for e in browser.find_elements(
        By.CSS_SELECTOR, "#messages-body pre.message-body")]
    assert bodies == [m["body"] for m in messages]

    # a bad body is refused on the page, nothing is posted
    fill(browser, "#post-body", "{not json")
    click(browser, "#post-submit")
    wait_status(browser, "The body is not JSON")
    assert len(api.list_messages("work", echo=True)["messages"]) == 3

    # claim two, delete one with its claim, release the claim
    fill(browser, "#claim-limit", "2")
    click(browser, "#claim-submit")
    wait_status(browser, "Claimed 2 message(s).")
    claim_id = text_of(browser, "#claim-id")
    claimed = [e.get_attribute("data-message") for e in
               browser.find_elements(By.CSS_SELECTOR, "#claimed-table tr[data-message]")]
    assert claimed == [m["id"] for m in messages[:2]]
    r = api.get(f"/v2/queues/work/claims/{claim_id}")
    assert r.status == 200 and [m["id"] for m in r.json["messages"]] == claimed

    click_twice(browser, f"#claimed-table {row(message=claimed[0])} .claimed-delete")
    wait_status(browser, f"Message {claimed[0]} deleted.")
    assert api.get(f"/v2/queues/work/messages/{claimed[0]}").status == 404
    click(browser, "#claim-release")
    wait_status(browser, f"Claim {claim_id} released.")
    assert api.get(f"/v2/queues/work/claims/{claim_id}").status == 404
    stats = api.get("/v2/queues/work/stats").json["messages"]
    assert (stats["free"], stats["claimed"]) == (2, 0)

    # delete an unclaimed message from the browse table
    click(browser, "#messages-refresh")
    target = messages[2]["id"]
    click_twice(browser, f"#messages-body {row(message=target)} .message-delete")
    wait_status(browser, f"Message {target} deleted.")
    assert api.get(f"/v2/queues/work/messages/{target}").status == 404
    wait(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, f"#messages-body {row(message=target)}"),
         what="the deleted message's row to go")

    # nothing left to claim after another claim takes the rest
    assert api.claim("work", limit=20).status == 201
    click(browser, "#claim-submit")
    wait(browser, lambda d: d.find_elements(By.ID, "claim-none"), what="nothing to claim")


def test_browse_pages_through_many_messages(browser, stack):
    project = new_project()
    api = rest(stack.base_url, project)
    api.post_messages("big", [{"body": {"n": i}, "ttl": 600} for i in range(10)])
    api.post_messages("big", [{"body": {"n": i}, "ttl": 600} for i in range(10, 20)])
    api.post_messages("big", [{"body": {"n": i}, "ttl": 600} for i in range(20, 25)])
    login(browser, stack.base_url, project)
    goto(browser, "#/queue/big", "#messages-table")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#messages-body tr[data-message]")) == 20,
         what="the first page")
    click(browser, "#messages-more")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#messages-body tr[data-message]")) == 25,
         what="the second page")
    bodies = [json.loads(e.text)["n"] for e in browser.find_elements(
        By.CSS_SELECTOR, "#messages-body pre.message-body")]
    assert bodies == list(range(25))
    assert not el(browser, "#messages-more").is_displayed()


def test_subscriptions_list_create_delete(browser, stack):
    project = new_project()
    api = rest(stack.base_url, project)
    api.create_queue("events")
    existing = api.post("/v2/queues/events/subscriptions",
                        body={"subscriber": "http://127.0.0.1:9/existing", "ttl": 3600}).json
    login(browser, stack.base_url, project)
    goto(browser, "#/queue/events", "#subs-table")
    el(browser, row(subscription=existing["subscription_id"]))

    fill(browser, "#sub-subscriber", "http://127.0.0.1:9/hook")
    fill(browser, "#sub-ttl", "7200")
    fill(browser, "#sub-options", '{"team": "ops"}')
    click(browser, "#sub-submit")
    wait_status(browser, "Subscription ")
    subs = {s["subscriber"]: s for s in
            api.get("/v2/queues/events/subscriptions").json["subscriptions"]}
    assert set(subs) == {"http://127.0.0.1:9/existing", "http://127.0.0.1:9/hook"}
    created = subs["http://127.0.0.1:9/hook"]
    assert created["ttl"] == 7200 and created["options"] == {"team": "ops"}
    el(browser, f"{row(subscription=created['id'])} .sub-subscriber")

    # a subscriber zaqard refuses: its 400 is shown, nothing is created
    fill(browser, "#sub-subscriber", "ftp://example.com/x")
    click(browser, "#sub-submit")
    wait_status(browser, "Subscribing failed: 400")
    assert len(api.get("/v2/queues/events/subscriptions").json["subscriptions"]) == 2

    click_twice(browser, f"{row(subscription=existing['subscription_id'])} .sub-delete")
    wait_status(browser, f"Subscription {existing['subscription_id']} deleted.")
    left = api.get("/v2/queues/events/subscriptions").json["subscriptions"]
    assert [s["id"] for s in left] == [created["id"]]


def tail_bodies(browser):
    return [json.loads(e.text) for e in browser.find_elements(By.CSS_SELECTOR, "#tail-log .tail-body")]


def test_live_tail_over_websocket_push(browser, stack):
    project = new_project()
    api = rest(stack.base_url, project)
    api.post_messages("stream", [{"body": {"old": True}, "ttl": 600}])
    login(browser, stack.base_url, project)
    goto(browser, "#/queue/stream", "#tail-start")
    click(browser, "#tail-start")
    wait(browser, lambda d: d.find_element(By.ID, "tail-status").text == "live (websocket push)",
         what="the tail to subscribe")
    # the page's connection is a subscriber of the queue now
    subs = api.get("/v2/queues/stream/subscriptions").json["subscriptions"]
    assert len(subs) == 1 and subs[0]["subscriber"].startswith("http://"), subs

    # messages posted over REST by someone else appear, in order, without a click
    status, _, _ = http("POST", f"{stack.base_url}/v2/queues/stream/messages",
                        headers={"Client-ID": str(uuid.uuid4()), "X-Project-ID": project},
                        body={"messages": [{"body": {"live": 1}, "ttl": 300}]})
    assert status == 201
    wait(browser, lambda d: tail_bodies(d) == [{"live": 1}], what="the pushed message")
    api.post_messages("stream", [{"body": {"live": 2}, "ttl": 300},
                                 {"body": {"live": 3}, "ttl": 300}])
    wait(browser, lambda d: tail_bodies(d) == [{"live": 3}, {"live": 2}, {"live": 1}],
         what="two more pushed messages (newest first)")
    # a message posted from the console's own form shows up too
    fill(browser, "#post-body", '{"live": 4}')
    click(browser, "#post-submit")
    wait(browser, lambda d: tail_bodies(d)[:1] == [{"live": 4}], what="the console's own post")

    # stopping closes the socket: zaqard drops its subscription
    click(browser, "#tail-stop")
    deadline = time.monotonic() + 15
    while api.get("/v2/queues/stream/subscriptions").json["subscriptions"]:
        assert time.monotonic() < deadline, "the tail's subscription outlived its socket"
        time.sleep(0.1)
    assert text_of(browser, "#tail-status") == "stopped"


def test_live_tail_polls_without_notifications(browser, plain):
    project = new_project()
    api = rest(plain.base_url, project)
    # more than a page already there: the tail starts after them
    api.post_messages("polled", [{"body": {"old": i}, "ttl": 600} for i in range(10)])
    api.post_messages("polled", [{"body": {"old": i}, "ttl": 600} for i in range(10, 22)])
    login(browser, plain.base_url, project)
    goto(browser, "#/queue/polled", "#tail-start")
    click(browser, "#tail-start")
    wait(browser, lambda d: d.find_element(By.ID, "tail-status").text == "live (polling)",
         what="the polling tail")
    api.post_messages("polled", [{"body": {"new": 1}, "ttl": 300}])
    wait(browser, lambda d: tail_bodies(d) == [{"new": 1}], what="the polled message")
    api.post_messages("polled", [{"body": {"new": 2}, "ttl": 300}])
    wait(browser, lambda d: tail_bodies(d) == [{"new": 2}, {"new": 1}], what="the next one")
    # the polling tail never subscribed
    assert api.get("/v2/queues/polled/subscriptions").json["subscriptions"] == []
    click(browser, "#tail-stop")


def test_pools_and_flavors_pages_without_pooling(browser, stack):
    login(browser, stack.base_url, new_project(), roles="admin")
    goto(browser, "#/pools", "#pools-unavailable")
    assert "pooling = true" in text_of(browser, "#pools-unavailable")
    goto(browser, "#/flavors", "#flavors-unavailable")
    assert "admin_mode = true" in text_of(browser, "#flavors-unavailable")


def test_pools_and_flavors_pages_with_pooling(browser, pooled, pool_redis):
    # without the admin role: the pools page says so; flavors may be listed (Zaqar's
    # flavors:get_all is open) but not created
    login(browser, pooled.base_url, new_project())
    goto(browser, "#/pools", "#pools-forbidden")
    goto(browser, "#/flavors", "#flavors-table")
    fill(browser, "#flavor-name", "cheap")
    click(browser, "#flavor-submit")
    wait_status(browser, "Creating the flavor failed: 403")

    project = new_project()
    admin = rest(pooled.base_url, project, **{"X-Roles": "admin"})
    login(browser, pooled.base_url, project, roles="admin")
    goto(browser, "#/pools", "#pools-table")
    fill(browser, "#pool-name", "fast")
    fill(browser, "#pool-uri", f"redis://127.0.0.1:{pool_redis.port}?dbid=3")
    fill(browser, "#pool-weight", "50")
    click(browser, "#pool-submit")
    wait_status(browser, "Pool fast created.")
    el(browser, row(pool="fast"))
    r = admin.get("/v2/pools/fast")
    assert r.status == 200, r
    assert r.json["uri"] == f"redis://127.0.0.1:{pool_redis.port}?dbid=3"
    assert r.json["weight"] == 50

    goto(browser, "#/flavors", "#flavors-table")
    fill(browser, "#flavor-name", "gold")
    fill(browser, "#flavor-pools", "fast")
    click(browser, "#flavor-submit")
    wait_status(browser, "Flavor gold created.")
    assert text_of(browser, f"{row(flavor='gold')} .flavor-pools") == "fast"
    r = admin.get("/v2/flavors/gold")
    assert r.status == 200 and r.json["pool_list"] == ["fast"], r

    # the pool's flavor shows on the pools page
    goto(browser, "#/pools", "#pools-table")
    wait(browser, lambda d: "gold" in d.find_element(By.CSS_SELECTOR, row(pool="fast")).text,
         what="the pool's flavor")

    goto(browser, "#/flavors", "#flavors-table")
    click_twice(browser, f"{row(flavor='gold')} .flavor-delete")
    wait_status(browser, "Flavor gold deleted.")
    assert admin.get("/v2/flavors/gold").status == 404
    goto(browser, "#/pools", "#pools-table")
    click_twice(browser, f"{row(pool='fast')} .pool-delete")
    wait_status(browser, "Pool fast deleted.")
    assert admin.get("/v2/pools/fast").status == 404
    wait(browser, lambda d: "No pools." in d.find_element(By.ID, "pools-table").text,
         what="the empty pool list")


def test_logout_returns_to_the_login_page(browser, stack):
    login(browser, stack.base_url, new_project())
    click(browser, "#logout")
    el(browser, "#login-form")
    assert browser.execute_script("return sessionStorage.getItem('zaqard-console')") is None
    # a page of the console without a session goes to the login page
    browser.execute_script("location.hash = '#/queues'")
    el(browser, "#login-form")


# ------------------------------------------------------------------------------ Keystone

@pytest.fixture(scope="module")
def keystone_stack(tmp_path_factory, real_keystone):
    workdir = str(tmp_path_factory.mktemp("keystone"))
    config = {"DEFAULT": {"auth_strategy": "keystone"},
              "keystone_authtoken": real_keystone.authtoken_config(real_keystone.url),
              **NOTIFY}
    st = harness.Stack(workdir, extra_config=config)
    st.redis.start()
    try:
        st.zaqard = harness.ZaqardProcess(workdir, st.redis.port, config)
        st.zaqard.start(any_status=True)  # /v2/ping needs a token now
    except BaseException:
        if st.zaqard and st.zaqard.proc:
            st.zaqard.stop()
        st.redis.stop()
        raise
    yield st
    problems = st.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_keystone_login_queues_and_live_tail(browser, keystone_stack, real_keystone):
    base = keystone_stack.base_url
    # the console itself needs no token
    status, _, body = http("GET", f"{base}/console/config.json")
    assert status == 200 and json.loads(body)["auth_strategy"] == "keystone"
    assert http("GET", f"{base}/console/app.js")[0] == 200

    project = real_keystone.new_project()
    token = real_keystone.token(project)
    api = rest(base, project, **{"X-Auth-Token": token})
    api.post_messages("ks-queue", [{"body": {"n": 1}, "ttl": 600}])

    # a bad token is refused at login
    open_console(browser, base)
    browser.execute_script("sessionStorage.clear(); location.hash = '#/login';")
    assert "Keystone" in text_of(browser, "#login-mode")
    fill(browser, "#login-project", project)
    fill(browser, "#login-token", "not-a-token")
    click(browser, "#login-submit")
    wait_status(browser, "Login failed (401")
    assert browser.find_elements(By.ID, "login-form")

    login(browser, base, project, token=token)
    wait(browser, lambda d: stat(d, "ks-queue", "total") == "1", what="the token's queue")
    goto(browser, "#/queue/ks-queue", "#tail-start")
    click(browser, "#tail-start")
    wait(browser, lambda d: d.find_element(By.ID, "tail-status").text == "live (websocket push)",
         what="the authenticated tail")
    api.post_messages("ks-queue", [{"body": {"n": 2}, "ttl": 600}])
    wait(browser, lambda d: tail_bodies(d) == [{"n": 2}], what="the pushed message")
    click(browser, "#tail-stop")
    # pools need admin_mode: the page says so
    goto(browser, "#/pools", "#pools-unavailable")


if __name__ == "__main__":
    raise SystemExit(pytest.main([os.path.abspath(__file__), "-q"]))
