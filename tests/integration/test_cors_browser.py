"""CORS from a real browser: headless Chromium (driven by Selenium through chromedriver)
loads a page from another origin than zaqard's (same loopback address, another port), and
the page uses the REST API with fetch() -- its Client-ID / X-Project-ID / JSON headers make
the browser send a preflight first -- and the WebSocket API. A page from an origin that
[cors] allowed_origin does not list must be refused by the browser (fetch fails) and by
zaqard's WebSocket handshake check."""

import json
import os
import uuid
from http.server import SimpleHTTPRequestHandler

import pytest
from selenium.webdriver.support.ui import WebDriverWait

import zaqard_harness as harness
from headless_chromium import running_chromium

PAGE = r"""<!doctype html>
<html><head><meta charset="utf-8"><title>zaqard CORS</title></head><body><script>
const params = new URLSearchParams(location.search);
const api = params.get("api"), ws = params.get("ws");
const headers = {"Client-ID": params.get("client"), "X-Project-ID": params.get("project")};
const queue = params.get("queue");
window.results = {};

async function rest() {
  try {
    const post = await fetch(`${api}/v2/queues/${queue}/messages`, {
      method: "POST",
      headers: {...headers, "Content-Type": "application/json"},
      body: JSON.stringify({messages: [{body: {hello: "from the browser"}, ttl: 300}]}),
    });
    results.post = {status: post.status, body: await post.json()};
    const list = await fetch(`${api}/v2/queues/${queue}/messages?echo=true`, {headers});
    results.list = {status: list.status, body: await list.json()};
  } catch (e) {
    results.fetchError = String(e);
  }
}

function socket() {
  return new Promise((resolve) => {
    let sock;
    try {
      sock = new WebSocket(ws);
    } catch (e) {
      results.wsError = String(e);
      return resolve();
    }
    const timer = setTimeout(() => { results.wsError = "timeout"; resolve(); }, 10000);
    sock.onopen = () => {
      results.wsOpen = true;
      sock.send(JSON.stringify({action: "message_list", headers,
                                body: {queue_name: queue, echo: true}}));
    };
    sock.onmessage = (event) => {
      results.wsReply = JSON.parse(event.data);
      clearTimeout(timer);
      sock.close();
      resolve();
    };
    sock.onerror = () => { results.wsError = "error"; };
    sock.onclose = (event) => {
      if (!results.wsReply) {
        results.wsClose = event.code;
        clearTimeout(timer);
        resolve();
      }
    };
  });
}

(async () => {
  await rest();
  await socket();
  window.done = true;
})();
</script></body></html>
"""

@pytest.fixture(scope="module")
def page_server(tmp_path_factory):
    """The page's own origin: python's http.server on another loopback port."""
    root = str(tmp_path_factory.mktemp("page"))
    with open(os.path.join(root, "page.html"), "w") as f:
        f.write(PAGE)

    class Handler(harness.QuietHttpHandler, SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=root, **kwargs)

    server = harness.serve_http_in_thread(0, Handler)
    yield server.server_address[1]
    harness.stop_http_server(server)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, page_server):
    # Listed: the page on 127.0.0.1. Not listed: the same page loaded as localhost.
    yield from harness.running_stack(str(tmp_path_factory.mktemp("stack")), extra_config={
        "cors": {"allowed_origin": f"http://127.0.0.1:{page_server}",
                 "allow_headers": "Client-ID,X-Project-ID"}})


@pytest.fixture(scope="module")
def browser():
    yield from running_chromium()


def run_page(browser, stack, page_origin, queue):
    project = "p-" + uuid.uuid4().hex
    query = {"api": stack.base_url, "ws": stack.zaqard.ws_url, "project": project,
             "client": str(uuid.uuid4()), "queue": queue}
    from urllib.parse import urlencode
    browser.get(f"{page_origin}/page.html?{urlencode(query)}")
    WebDriverWait(browser, 30, poll_frequency=0.1).until(
        lambda d: d.execute_script("return window.done === true"))
    return browser.execute_script("return window.results"), project


def test_page_on_allowed_origin_uses_rest_and_websocket(browser, stack, page_server):
    results, project = run_page(browser, stack, f"http://127.0.0.1:{page_server}", "bq")
    assert "fetchError" not in results, results
    assert results["post"]["status"] == 201, results
    assert len(results["post"]["body"]["resources"]) == 1
    assert results["list"]["status"] == 200, results
    assert [m["body"] for m in results["list"]["body"]["messages"]] == \
        [{"hello": "from the browser"}]
    assert results.get("wsOpen") is True, results
    reply = results["wsReply"]
    assert reply["headers"]["status"] == 200, json.dumps(reply)
    assert reply["request"]["action"] == "message_list"
    assert [m["body"] for m in reply["body"]["messages"]] == \
        [{"hello": "from the browser"}]
    # the message really is in zaqard, under the page's project
    listed = harness.Client(stack.base_url, project=project).list_messages("bq", echo=True)
    assert len(listed["messages"]) == 1


def test_page_on_other_origin_is_refused(browser, stack, page_server):
    results, project = run_page(browser, stack, f"http://localhost:{page_server}", "rq")
    # the preflight got no Access-Control-* headers: the browser refuses the fetch
    assert "TypeError" in results.get("fetchError", ""), results
    assert "post" not in results and "list" not in results
    # zaqard refused the WebSocket handshake (403): it never opened
    assert not results.get("wsOpen"), results
    assert "wsReply" not in results
    # and nothing was posted (the POST never left the browser)
    r = harness.Client(stack.base_url, project=project).get("/v2/queues/rq/messages",
                                                            params={"echo": "true"})
    assert r.status in (200, 204) and not (r.json or {}).get("messages"), r
