#!/usr/bin/python3
"""A tiny in-memory stand-in for zaqard's v2 REST API, for testing the load generator's
flows (not for performance numbers): ping, message post/list/claim/delete, stats, queue
put/patch/delete, HTTP/1.1 keep-alive with pipelining.

usage: fake_zaqar.py PORT
"""
import asyncio
import json
import sys
import time
import uuid
from urllib.parse import parse_qs, urlsplit

QUEUES = {}  # (project, queue) -> {"meta": dict, "messages": list of dict}


def queue(project, name, create=False):
    key = (project, name)
    if key not in QUEUES and create:
        QUEUES[key] = {"meta": {}, "messages": []}
    return QUEUES.get(key)


def live(q, now):
    q["messages"] = [m for m in q["messages"] if m["expires"] > now]
    return q["messages"]


def message_view(qname, m, now):
    href = "/v2/queues/%s/messages/%s" % (qname, m["id"])
    if m["claim"] and m["claim_expires"] > now:
        href += "?claim_id=" + m["claim"]
    return {"id": m["id"], "href": href, "ttl": m["ttl"], "age": int(now - m["created"]), "body": m["body"]}


def handle(method, target, headers, body):
    url = urlsplit(target)
    params = {k: v[-1] for k, v in parse_qs(url.query).items()}
    parts = url.path.strip("/").split("/")
    if "client-id" not in headers or not headers.get("x-project-id"):
        return 400, {"title": "Missing header value", "description": "The \"Client-ID\" header is required."}
    project = headers["x-project-id"]
    client = headers["client-id"]
    now = time.time()
    if parts == ["v2", "ping"] and method in ("GET", "HEAD"):
        return 204, None
    if len(parts) < 3 or parts[:2] != ["v2", "queues"]:
        return 404, {"title": "404 Not Found"}
    name = parts[2]
    rest = parts[3:]
    if rest == []:
        if method == "PUT":
            if queue(project, name):
                return 204, None
            queue(project, name, True)["meta"] = json.loads(body) if body else {}
            return 201, None
        if method == "PATCH":
            if headers.get("content-type") != "application/openstack-messaging-v2.0-json-patch":
                return 415, {"title": "bad media type"}
            q = queue(project, name)
            if not q:
                return 404, {"title": "Not found"}
            for op in json.loads(body):
                key = op["path"].split("/")[-1]
                if op["op"] == "remove":
                    q["meta"].pop(key, None)
                else:
                    q["meta"][key] = op["value"]
            return 200, q["meta"]
        if method == "DELETE":
            QUEUES.pop((project, name), None)
            return 204, None
    if rest == ["stats"] and method == "GET":
        q = queue(project, name)
        msgs = live(q, now) if q else []
        claimed = sum(1 for m in msgs if m["claim"] and m["claim_expires"] > now)
        return 200, {"messages": {"claimed": claimed, "free": len(msgs) - claimed, "total": len(msgs)}}
    if rest == ["messages"]:
        if method == "POST":
            q = queue(project, name, True)
            ids = []
            for item in json.loads(body)["messages"]:
                m = {"id": uuid.uuid4().hex, "body": item.get("body"), "ttl": item.get("ttl", 3600),
                     "created": now, "client": client, "claim": None, "claim_expires": 0}
                m["expires"] = now + m["ttl"]
                q["messages"].append(m)
                ids.append(m["id"])
            return 201, {"resources": ["/v2/queues/%s/messages/%s" % (name, i) for i in ids]}
        if method == "GET":
            q = queue(project, name)
            msgs = live(q, now) if q else []
            limit = int(params.get("limit", 10))
            echo = params.get("echo") == "true"
            start = 0
            if "marker" in params:
                idx = [i for i, m in enumerate(msgs) if m["id"] == params["marker"]]
                start = idx[0] + 1 if idx else len(msgs)
            page = []
            for m in msgs[start:]:
                if (m["claim"] and m["claim_expires"] > now) or (not echo and m["client"] == client):
                    continue
                page.append(message_view(name, m, now))
                if len(page) == limit:
                    break
            links = []
            if page:
                links = [{"rel": "next", "href": "/v2/queues/%s/messages?echo=%s&limit=%d&marker=%s"
                          % (name, "true" if echo else "false", limit, page[-1]["id"])}]
            return 200, {"messages": page, "links": links}
        if method == "DELETE":
            q = queue(project, name)
            ids = set(params.get("ids", "").split(","))
            if q:
                q["messages"] = [m for m in q["messages"] if m["id"] not in ids]
            return 204, None
    if len(rest) == 2 and rest[0] == "messages" and method == "DELETE":
        q = queue(project, name)
        if q:
            q["messages"] = [m for m in q["messages"] if m["id"] != rest[1]]
        return 204, None
    if rest == ["claims"] and method == "POST":
        q = queue(project, name)
        msgs = live(q, now) if q else []
        spec = json.loads(body) if body else {}
        cid = str(uuid.uuid4())
        out = []
        for m in msgs:
            if len(out) == int(params.get("limit", 10)):
                break
            if m["claim"] and m["claim_expires"] > now:
                continue
            m["claim"], m["claim_expires"] = cid, now + spec.get("ttl", 300)
            out.append(message_view(name, m, now))
        if not out:
            return 204, None
        return 201, {"messages": out}
    return 405, {"title": "405 Method Not Allowed"}


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(headers.get("content-length", 0)))
            status, doc = handle(method, target, headers, body)
            payload = b"" if doc is None else json.dumps(doc).encode()
            out = "HTTP/1.1 %d X\r\n" % status
            if status != 204:
                out += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(payload)
            writer.write(out.encode() + b"\r\n" + (b"" if method == "HEAD" else payload))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
