#!/usr/bin/python3
"""Summarises a bench/compare result directory: one row per run with its fraction of the
machine's ceilings (HEAD/GET /v2/ping for HTTP, redis-benchmark EVALSHA for storage) and
the issue's targets. Writes summary.md and summary.json next to the runs.

usage: summarize.py DIR
"""
import json
import os
import sys

# Issue #12's targets (absolute ones; the NATS ratios and websocket/REST ratios are
# computed in target_lines()).
TARGETS = [
    # (description, run, value getter, comparison, threshold)
    ("single post p99 < 5 ms (64 connections)", "producer", lambda d: d["kinds"]["post"]["latency_ms"]["p99"], "<", 5.0),
    ("list >= 10,000 req/s", "observer", lambda d: d["kinds"]["list"]["requests_per_s"], ">=", 10000),
    ("zaqard CPU <= 20 us per single post", "producer", lambda d: d["cpu"]["per_request_us"]["zaqard"], "<=", 20.0),
    ("Redis CPU <= 15 us per single post", "producer", lambda d: d["cpu"]["per_request_us"]["redis"], "<=", 15.0),
]
# (zaqard run, NATS run, minimum ratio of zaqard msg/s over NATS msg/s)
NATS_TARGETS = [
    ("producer", "nats_post1", 1.0),
    ("producer_batch10", "nats_post10", 1.0),
    ("consumer_16_48", "nats_consumer_16_48", 1.0),
    ("consumer_each", "nats_consumer", 0.5),
]

ROWS = ["http_head", "http_get", "redis_post1", "redis_post1_p16", "redis_post10", "producer", "producer_rate50",
        "producer_batch10", "consumer", "consumer_each", "consumer_16_48", "observer", "churn"]
FANOUT = ["fanout_1", "fanout_1_rate50", "fanout_10", "fanout_10_rate50", "fanout_100", "fanout_100_rate50"]
ROWS += FANOUT
# 4 websocket: each right after the REST row it repeats over websocket.
WEBSOCKET = {"producer": "ws_producer", "consumer": "ws_consumer"}
for rest_row, ws_row in WEBSOCKET.items():
    ROWS.insert(ROWS.index(rest_row) + 1, ws_row)

LABELS = {
    "http_head": "HTTP ceiling: HEAD /v2/ping",
    "http_get": "GET /v2/ping (Redis PING)",
    "redis_post1": "storage ceiling: EVALSHA post x1",
    "redis_post1_p16": "storage ceiling: EVALSHA post x1, -P 16",
    "redis_post10": "storage ceiling: EVALSHA post x10",
    "producer": "1 producer: post 1 message",
    "producer_rate50": "1 producer: post 1, constant rate 50 %",
    "producer_batch10": "1 producer: post batches of 10",
    "consumer": "2 consumer cycle (claim 10 + bulk delete)",
    "consumer_each": "2 consumer cycle (delete each, pipeline 4)",
    "consumer_16_48": "2 consumer cycle, 16 producers + 48 consumers (claim 10 + bulk delete)",
    "observer": "3 observer: list with marker + producers",
    "churn": "6 queue churn: PUT, PATCH, DELETE",
    "fanout_1": "5 fan-out: 1 subscriber (msg/s = notifications/s)",
    "fanout_1_rate50": "5 fan-out: 1 subscriber, constant rate 50 %",
    "fanout_10": "5 fan-out: 10 subscribers",
    "fanout_10_rate50": "5 fan-out: 10 subscribers, constant rate 50 %",
    "fanout_100": "5 fan-out: 100 subscribers",
    "fanout_100_rate50": "5 fan-out: 100 subscribers, constant rate 50 %",
    "ws_producer": "4 websocket: post 1 message",
    "ws_consumer": "4 websocket: consumer cycle (claim 10 + bulk delete)",
}


# NATS JetStream in the same shapes (bench/compare --only nats): (zaqard run, NATS run, label).
NATS_PAIRS = [
    ("producer", "nats_post1", "post 1 message / js_Publish awaiting the PubAck"),
    ("producer_batch10", "nats_post10", "post 10 / 10 x js_PublishAsync + PublishAsyncComplete"),
    ("consumer", "nats_consumer", "claim 10 + bulk delete / Fetch 10 + Ack each (same split)"),
    ("consumer_16_48", "nats_consumer_16_48", "claim 10 + bulk delete / Fetch 10 + Ack, 16 prod + 48 cons"),
    ("consumer_each", "nats_consumer", "claim 10 + delete each (pipeline 4) / Fetch 10 + Ack each"),
]


def latency_of(name, d):
    """The per-request latency quoted for a run: the post kind for zaqard's producer runs."""
    if name.startswith("producer") and name != "producer_batch10":
        return d["kinds"]["post"]["latency_ms"]
    return d.get("latency_ms", {})


def nats_section(directory, runs, summary):
    lines = ["| shape (zaqard / NATS) | zaqard msg/s | NATS msg/s | zaqard / NATS | zaqard p50 / p99 ms | "
             "NATS p50 / p99 ms | NATS errors | NATS roles |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for zname, nname, label in NATS_PAIRS:
        n = load(directory, nname)
        if not n:
            continue
        z = runs.get(zname) or {}
        zm, nm = z.get("messages_per_s", 0), n.get("messages_per_s", 0)
        zl, nl = latency_of(zname, z) if z else {}, n.get("latency_ms", {})
        ratio = zm / nm if zm and nm else None
        lines.append("| %s | %s | %.0f | %s | %s | %.3f / %.3f | %s | %s |" % (
            label, "%.0f" % zm if zm else "", nm, "%.2f" % ratio if ratio else "",
            "%.3f / %.3f" % (zl.get("p50", 0), zl.get("p99", 0)) if zl else "",
            nl.get("p50", 0), nl.get("p99", 0), n.get("errors", ""), n.get("roles", "")))
        summary.setdefault("nats", {})[zname + " / " + nname] = {
            "zaqard_run": zname, "messages_per_s": nm, "requests_per_s": n.get("requests_per_s", 0),
            "latency_ms": nl, "errors": n.get("errors"), "zaqard_messages_per_s": zm,
            "ratio_zaqard_over_nats": ratio, "cpu": n.get("nats_cpu")}
    if len(lines) == 2:
        return ""
    return "\nNATS JetStream, same machine and run (ratio = zaqard msg/s / NATS msg/s):\n\n" + "\n".join(lines)


def load(directory, name):
    try:
        with open(os.path.join(directory, name + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def pct(a, b):
    return "%.0f %%" % (100.0 * a / b) if a and b else ""


def main():
    directory = sys.argv[1]
    runs = {name: load(directory, name) for name in ROWS}
    machine = load(directory, "machine") or {}
    head = (runs.get("http_head") or {}).get("requests_per_s")
    get = (runs.get("http_get") or {}).get("requests_per_s")
    store1 = (runs.get("redis_post1") or {}).get("requests_per_s")
    store1p = (runs.get("redis_post1_p16") or {}).get("requests_per_s")
    store10 = (runs.get("redis_post10") or {}).get("messages_per_s")

    lines = ["| run | req/s | msg/s | p50 ms | p99 ms | p99.9 ms | errors | vs HEAD ping | vs GET ping | vs storage |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    summary = {"machine": machine, "runs": {}, "targets": []}
    for name in ROWS:
        d = runs.get(name)
        if not d:
            continue
        rps = d.get("requests_per_s", 0)
        mps = d.get("messages_per_s", 0)
        lat = d.get("latency_ms", {})
        if name.startswith("producer") and name != "producer_batch10":
            lat = d["kinds"]["post"]["latency_ms"]
        storage = ""
        if name in ("producer", "producer_rate50"):
            storage = "%s of x1, %s of x1 -P16" % (pct(rps, store1), pct(rps, store1p))
        elif name == "producer_batch10":
            storage = pct(mps, store10) + " of x10 (msg/s)"
        errors = d.get("errors", "")
        row = [LABELS.get(name, name), "%.0f" % rps, "%.0f" % mps if mps else "",
               "%.3f" % lat.get("p50", 0), "%.3f" % lat.get("p99", 0),
               "%.3f" % lat["p99_9"] if "p99_9" in lat else "", str(errors),
               pct(rps, head) if not name.startswith(("http", "redis", "fanout")) else "",
               pct(rps, get) if not name.startswith(("http", "redis", "fanout")) else "", storage]
        lines.append("| " + " | ".join(row) + " |")
        summary["runs"][name] = {"requests_per_s": rps, "messages_per_s": mps, "latency_ms": lat,
                                 "errors": errors, "zaqard_rss_kb": d.get("zaqard_rss_kb")}
    extra = []
    for name in ("consumer", "consumer_each", "consumer_16_48", "ws_consumer"):
        d = runs.get(name)
        if d:
            g = d.get("gauges", {})
            h = d.get("histograms_ms", {}).get("post_to_claim", {})
            extra.append("- %s: delivered %.0f msg/s, posted %.0f msg/s, backlog at end %s (claimed %s); "
                         "post-to-claim p50 %.1f ms, p99 %.1f ms; empty claims %d/s" % (
                             name, d["messages_per_s"], d["counters"]["messages_posted"]["per_s"],
                             "%.0f" % g["backlog_total"] if "backlog_total" in g else "?",
                             "%.0f" % g["backlog_claimed"] if "backlog_claimed" in g else "?",
                             h.get("p50", 0), h.get("p99", 0), d["counters"]["empty_claims"]["per_s"]))
    d = runs.get("observer")
    if d:
        extra.append("- observer: list %.0f req/s (%.0f messages listed/s), posts %.0f req/s alongside" % (
            d["kinds"]["list"]["requests_per_s"], d["messages_per_s"], d["kinds"]["post"]["requests_per_s"]))
    d = runs.get("churn")
    if d:
        extra.append("- churn: %.0f queues created+patched+deleted per second" % d["counters"]["queues_cycled"]["per_s"])
    for name in FANOUT:
        d = runs.get(name)
        if not d:
            continue
        g = d.get("gauges", {})
        h = d.get("histograms_ms", {}).get("post_to_delivery", {})
        received = g.get("deliveries_received", 0)
        zaqard_s = (d.get("cpu") or {}).get("zaqard_s")
        summary["runs"][name]["post_to_delivery_ms"] = h
        summary["runs"][name]["deliveries"] = g
        extra.append("- %s: %s, %.0f notifications/s, %.0f posts/s; post-to-delivery p50 %.1f ms, p90 %.1f ms, "
                     "p99 %.1f ms, p99.9 %.1f ms; missing after the drain %s of %s (waited %.0f ms)%s" % (
                         name, d.get("roles", ""), d["messages_per_s"], d["kinds"]["post"]["requests_per_s"],
                         h.get("p50", 0), h.get("p90", 0), h.get("p99", 0), h.get("p99_9", 0),
                         "%.0f" % g["deliveries_missing"] if "deliveries_missing" in g else "?",
                         "%.0f" % g.get("deliveries_expected", 0), g.get("drain_ms", 0),
                         "; zaqard CPU %.0f us/notification" % (1e6 * zaqard_s / received)
                         if zaqard_s and received else ""))

    cpu_lines = ["| run | zaqard us/req | Redis us/req | loadgen us/req | EVALSHA us/call (in Redis) | "
                 "2-core bound req/s | zaqard-alone bound req/s |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
    for name in ROWS:
        d = runs.get(name) or {}
        c = d.get("cpu")
        if not c:
            continue
        p = c["per_request_us"]
        total = p["zaqard"] + p["redis"] + p["loadgen"]
        cpu_lines.append("| %s | %.1f | %.1f | %.1f | %s | %.0f | %.0f |" % (
            LABELS.get(name, name), p["zaqard"], p["redis"], p["loadgen"],
            "%.1f" % c["redis_evalsha_usec_per_call"] if "redis_evalsha_usec_per_call" in c else "",
            2e6 / total if total else 0, 2e6 / p["zaqard"] if p["zaqard"] else 0))
        summary["runs"][name]["cpu"] = c
    if len(cpu_lines) > 2:
        extra.append("\nCPU per request (whole run, all processes; the bounds assume the 2 cores are all ours):\n\n" +
                     "\n".join(cpu_lines))

    nats = nats_section(directory, runs, summary)
    if nats:
        extra.append(nats)

    targets = []

    def record(text, value, ok, shown):
        targets.append("- %s %s: measured %s" % ("PASS" if ok else "MISS", text, shown))
        summary["targets"].append({"target": text, "value": value, "met": ok})

    for text, run, getter, op, threshold in TARGETS:
        d = runs.get(run)
        if not d:
            continue
        try:
            value = getter(d)
        except KeyError:
            continue
        ok = value >= threshold if op == ">=" else value < threshold if op == "<" else value <= threshold
        record(text, value, ok, "%.1f" % value)
    for zname, nname, minimum in NATS_TARGETS:
        z, n = runs.get(zname), load(directory, nname)
        if not z or not n or not n.get("messages_per_s"):
            continue
        ratio = z["messages_per_s"] / n["messages_per_s"]
        record("%s >= %.1fx NATS %s" % (zname, minimum, nname), ratio, ratio >= minimum,
               "%.2fx (%.0f vs %.0f msg/s)" % (ratio, z["messages_per_s"], n["messages_per_s"]))
    for rest_row, ws_row in WEBSOCKET.items():
        r, w = runs.get(rest_row), runs.get(ws_row)
        if not r or not w or not r.get("messages_per_s"):
            continue
        ratio = w["messages_per_s"] / r["messages_per_s"]
        record("%s within 15 %% of %s" % (ws_row, rest_row), ratio, ratio >= 0.85,
               "%.2fx of REST (%.0f vs %.0f msg/s)" % (ratio, w["messages_per_s"], r["messages_per_s"]))

    memory = load(directory, "memory")
    if memory:
        summary["memory"] = memory
        extra.append("- memory: zaqard RSS %d kB idle, %d kB after 1 M queued messages (Redis used_memory %.0f MB); "
                     "during the consumer cycle %s..%s kB, growth second half vs first %s kB" % (
                         memory["rss_kb_idle"], memory["rss_kb_after_1m_fill"],
                         memory["redis_used_memory_1m"] / 1e6, memory.get("rss_kb_min"), memory.get("rss_kb_max"),
                         memory.get("rss_kb_growth_second_half")))

    text = "\n".join(lines) + "\n\n" + "\n".join(extra) + "\n\nTargets:\n" + "\n".join(targets) + "\n"
    if machine:
        text = "Machine: %s cores, %s, kernel %s, Redis %s (AOF %s), load before %s\n\n" % (
            machine.get("nproc"), machine.get("cpu"), machine.get("kernel"), machine.get("redis"),
            machine.get("aof"), machine.get("load_before")) + text
    with open(os.path.join(directory, "summary.md"), "w") as f:
        f.write(text)
    with open(os.path.join(directory, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print()
    print(text)


if __name__ == "__main__":
    main()
