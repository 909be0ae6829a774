"""[zaqard] log_format: json makes every line of the log one JSON object (time, level,
shard, message; access lines add the request's fields); text keeps the old lines."""

import json
import os
import re
import subprocess
import uuid

import pytest

import zaqard_harness as harness

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def run_requests(tmp_path, log_format):
    """Starts zaqard logging to a file, makes a few requests, stops it; returns the log's
    lines and what the requests were."""
    log_file = str(tmp_path / "zaqard.log")
    stack = harness.Stack(str(tmp_path), extra_config={
        "DEFAULT": {"log_file": log_file},
        "zaqard": {"log_format": log_format}})
    stack.start()
    project = "p-" + uuid.uuid4().hex
    request_id = "req-" + str(uuid.uuid4())
    try:
        api = stack.client(project=project)
        posted = api.post("/v2/queues/q\"x/messages", {"messages": [{"body": 1, "ttl": 60}]},
                          headers={"X-Openstack-Request-ID": request_id})
        missing = api.get("/v2/nowhere")
        ping = api.get("/v2/ping")
    finally:
        problems = stack.stop()
    assert problems == []
    with open(log_file) as f:
        lines = f.read().splitlines()
    return lines, project, request_id, posted, missing, ping


def test_json_lines(tmp_path):
    lines, project, request_id, posted, missing, ping = run_requests(tmp_path, "json")
    assert posted.status == 400 and missing.status == 404 and ping.status == 204
    assert lines
    records = [json.loads(line) for line in lines]  # every line parses
    for record in records:
        assert TIME.match(record["time"]), record
        assert record["level"] in ("DEBUG", "INFO", "WARNING", "ERROR")
        assert record["shard"] is None or record["shard"] in (0, 1)
        assert isinstance(record["message"], str)
    access = {r["path"]: r for r in records if "request_id" in r}
    post = access['/v2/queues/q"x/messages']  # the quote is escaped, not a broken line
    assert post["request_id"] == request_id
    assert post["project"] == project
    assert post["action"] == "message_post"
    assert post["status"] == 400
    assert post["method"] == "POST"
    assert isinstance(post["duration_ms"], float) and post["duration_ms"] >= 0
    assert re.match(r"^127\.0\.0\.1:\d+$", post["client"])
    assert post["shard"] in (0, 1)
    assert post["level"] == "INFO"
    nowhere = access["/v2/nowhere"]
    assert (nowhere["status"], nowhere["action"]) == (404, None)
    pinged = access["/v2/ping"]
    assert (pinged["status"], pinged["action"], pinged["method"]) == (204, "ping_node", "GET")
    # Lines from outside the shards (start-up, shut-down) have no shard.
    assert any(r["shard"] is None for r in records)


def test_text_lines_are_unchanged(tmp_path):
    lines, project, request_id, posted, missing, ping = run_requests(tmp_path, "text")
    assert re.compile(
        r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO http: POST /v2/queues/q"x/messages '
        r"400 \d+\.\d{3}ms " + re.escape(request_id) + "$").match(
        [line for line in lines if "POST" in line][0])
    assert any(re.match(r"^\S+Z INFO http: GET /v2/ping 204 \d+\.\d{3}ms req-[0-9a-f-]{36}$",
                        line) for line in lines)
    for line in lines:
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) ",
                        line), line


@pytest.mark.parametrize("value", ["xml", "JSON"])
def test_other_values_are_refused(tmp_path, value):
    path = str(tmp_path / "zaqar.conf")
    harness.write_config(path, harness.free_port(), harness.free_port(),
                         {"zaqard": {"log_format": value}})
    proc = subprocess.run([os.environ["ZAQARD_BIN"], "--config", path], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 2
    assert f"[zaqard] log_format: invalid value '{value}': expected one of: 'text' 'json'" \
        in proc.stderr
