// zaqard web console (docs/console.md). Plain JavaScript, no build step, no dependency.
// It talks to the Zaqar v2 REST API on the origin that served it, and to zaqard's
// WebSocket listener (port from ./config.json) for the live tail of a queue.
// Views are picked by the location hash: #/login, #/queues, #/queue/<name>, #/pools,
// #/flavors. Every value from the server is inserted as text, never as HTML.
"use strict";

(() => {
  const AUTO_REFRESH_MS = 5000;   // queue stats
  const POLL_MS = 1000;           // live tail without notifications
  const MAX_PAGES = 50;           // bounds every paging loop
  const PAGE = 20;                // Zaqar's largest page of queues / messages

  let config = {websocket_port: 9000, auth_strategy: "noauth", notifications: false};
  let session = null;             // {project, token, roles, clientId}
  let timers = [];                // cleared when the view changes
  let tail = null;                // the running live tail, stopped with the view

  // ------------------------------------------------------------------ helpers

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (v === true) el.setAttribute(k, "");
      else el.setAttribute(k, String(v));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  // A v4 UUID for Client-ID. crypto.randomUUID exists only in secure contexts (https,
  // localhost); getRandomValues exists everywhere.
  function uuid4() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  function show(text, kind) {
    const box = document.getElementById("status");
    box.replaceChildren();
    if (text) box.append(h("div", {class: `msg ${kind || "ok"}`, id: `status-${kind || "ok"}`}, text));
  }
  const ok = (text) => show(text, "ok");
  const fail = (text) => show(text, "error");

  function describe(res) {
    const b = res.body;
    if (b && typeof b === "object") {
      const parts = [b.title, b.description, b.error && b.error.message].filter(Boolean);
      if (parts.length) return `${res.status}: ${parts.join(" — ")}`;
    }
    return `${res.status}${res.text ? ": " + res.text.slice(0, 200) : ""}`;
  }

  function every(ms, fn) {
    timers.push(setInterval(fn, ms));
  }

  const enc = encodeURIComponent;
  const fmtAge = (s) => (s === undefined || s === null ? "" : s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`);
  const json = (v) => JSON.stringify(v);

  // A button that asks for a second click before a destructive action.
  function dangerButton(label, cls, action) {
    let armed = null;
    const button = h("button", {type: "button", class: `danger ${cls}`}, label);
    button.addEventListener("click", async () => {
      if (!armed) {
        button.classList.add("confirming");
        button.textContent = `Confirm ${label.toLowerCase()}?`;
        armed = setTimeout(() => {
          armed = null;
          button.classList.remove("confirming");
          button.textContent = label;
        }, 4000);
        return;
      }
      clearTimeout(armed);
      armed = null;
      button.disabled = true;
      try {
        await action();
      } finally {
        button.disabled = false;
        button.classList.remove("confirming");
        button.textContent = label;
      }
    });
    return button;
  }

  // ------------------------------------------------------------------ REST

  async function api(method, path, body, extraHeaders) {
    const headers = {"Accept": "application/json", "Client-ID": session.clientId,
                     "X-Project-ID": session.project, ...(extraHeaders || {})};
    if (session.token) headers["X-Auth-Token"] = session.token;
    if (session.roles) headers["X-Roles"] = session.roles;
    const init = {method, headers, cache: "no-store"};
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      return {status: 0, body: null, text: `network error: ${e}`, headers: new Headers()};
    }
    const text = await response.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = null; }
    const res = {status: response.status, body: parsed, text, headers: response.headers};
    if (res.status === 401 && session.token) {
      fail("Keystone rejected the token (expired or revoked): log in again.");
    }
    return res;
  }

  const nextHref = (body) => ((body && body.links) || []).find((l) => l.rel === "next");

  // ------------------------------------------------------------------ session

  function loadSession() {
    try { session = JSON.parse(sessionStorage.getItem("zaqard-console") || "null"); } catch (e) { session = null; }
  }
  function saveSession() {
    if (session) sessionStorage.setItem("zaqard-console", json(session));
    else sessionStorage.removeItem("zaqard-console");
  }

  function renderChrome() {
    const logged = !!session;
    document.getElementById("nav").hidden = !logged;
    document.getElementById("session").hidden = !logged;
    document.getElementById("session-project").textContent = logged ? `project ${session.project}` : "";
    const route = location.hash.split("/")[1] || "";
    for (const a of document.querySelectorAll("#nav a")) {
      a.classList.toggle("active", a.id === `nav-${route === "queue" ? "queues" : route}`);
    }
  }

  function loginView(view) {
    const keystone = config.auth_strategy === "keystone";
    const project = h("input", {id: "login-project", required: true, autocomplete: "off",
                                placeholder: keystone ? "the token's project id" : "e.g. my-project"});
    const token = h("input", {id: "login-token", type: "password", autocomplete: "off",
                              required: keystone, placeholder: "X-Auth-Token"});
    const roles = h("input", {id: "login-roles", autocomplete: "off", placeholder: "e.g. admin"});
    const form = h("form", {id: "login-form", class: "stack", onsubmit: async (e) => {
      e.preventDefault();
      session = {project: project.value.trim(), token: token.value.trim(),
                 roles: keystone ? "" : roles.value.trim(), clientId: uuid4()};
      const res = await api("GET", "/v2/queues?limit=1");
      if (res.status !== 200 && res.status !== 204) {
        const why = describe(res);
        session = null;
        fail(`Login failed (${why})`);
        return;
      }
      saveSession();
      ok(`Logged in to project ${session.project}.`);
      location.hash = "#/queues";
    }},
      h("label", {}, "Project ID", project),
      keystone ? h("label", {}, "Keystone token", token) : h("label", {}, "Roles (noauth: sent as X-Roles; admin for pools and flavors)", roles),
      h("div", {}, h("button", {type: "submit", id: "login-submit"}, "Log in")));
    view.append(h("div", {class: "card login"},
      h("h1", {}, "Log in"),
      h("p", {class: "muted", id: "login-mode"}, keystone
        ? "This zaqard validates Keystone tokens (auth_strategy = keystone): paste a token and its project id."
        : "This zaqard runs without authentication (noauth): the project id is trusted as sent."),
      form));
    project.focus();
  }

  // ------------------------------------------------------------------ queues

  async function listQueueNames() {
    const names = [];
    let path = `/v2/queues?limit=${PAGE}`;
    for (let page = 0; page < MAX_PAGES && path; page++) {
      const res = await api("GET", path);
      if (res.status === 204) break;
      if (res.status !== 200) throw new Error(describe(res));
      const queues = res.body.queues || [];
      names.push(...queues.map((q) => q.name));
      const next = nextHref(res.body);
      path = queues.length === PAGE && next ? next.href : null;
    }
    return names;
  }

  async function queueStats(name) {
    const res = await api("GET", `/v2/queues/${enc(name)}/stats`);
    return res.status === 200 ? res.body.messages : null;
  }

  function queuesView(view) {
    const tbody = h("tbody", {id: "queues-body"});
    let shown = "";
    const name = h("input", {id: "queue-create-name", placeholder: "queue name", required: true,
                             pattern: "[a-zA-Z0-9_-]{1,64}"});
    const auto = h("input", {type: "checkbox", id: "queues-auto", checked: true});
    const updated = h("span", {class: "muted", id: "queues-updated"});

    async function refresh() {
      let names;
      try {
        names = await listQueueNames();
      } catch (e) {
        fail(`Listing queues failed: ${e.message}`);
        return;
      }
      const stats = await Promise.all(names.map(queueStats));
      const rows = names.map((n, i) => ({name: n, stats: stats[i]}));
      updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
      if (json(rows) === shown) return;   // unchanged: keep the rows (and armed buttons)
      shown = json(rows);
      tbody.replaceChildren(...(rows.length ? rows.map(queueRow) : [
        h("tr", {}, h("td", {colspan: 6, class: "empty"}, "No queues yet: create one above."))]));
    }

    function queueRow({name: q, stats: s}) {
      s = s || {};
      return h("tr", {dataset: {queue: q}},
        h("td", {}, h("a", {href: `#/queue/${enc(q)}`, class: "queue-link"}, q)),
        h("td", {class: "num stat-free"}, s.free ?? ""),
        h("td", {class: "num stat-claimed"}, s.claimed ?? ""),
        h("td", {class: "num stat-total"}, s.total ?? ""),
        h("td", {class: "num stat-oldest"}, s.oldest ? fmtAge(s.oldest.age) : "—"),
        h("td", {class: "actions"},
          dangerButton("Purge", "queue-purge", async () => {
            const res = await api("POST", `/v2/queues/${enc(q)}/purge`, {resource_types: ["messages"]});
            if (res.status === 204) ok(`Queue ${q} purged.`); else fail(`Purge failed: ${describe(res)}`);
            await refresh();
          }),
          dangerButton("Delete", "queue-delete", async () => {
            const res = await api("DELETE", `/v2/queues/${enc(q)}`);
            if (res.status === 204) ok(`Queue ${q} deleted.`); else fail(`Delete failed: ${describe(res)}`);
            await refresh();
          })));
    }

    const form = h("form", {id: "queue-create-form", class: "inline", onsubmit: async (e) => {
      e.preventDefault();
      const q = name.value.trim();
      const res = await api("PUT", `/v2/queues/${enc(q)}`, {});
      if (res.status === 201 || res.status === 204) {
        ok(res.status === 201 ? `Queue ${q} created.` : `Queue ${q} already exists.`);
        name.value = "";
      } else {
        fail(`Creating ${q} failed: ${describe(res)}`);
      }
      await refresh();
    }}, h("label", {}, "New queue", name), h("button", {type: "submit", id: "queue-create-submit"}, "Create queue"));

    view.append(
      h("h1", {}, "Queues"),
      h("div", {class: "card"},
        h("div", {class: "toolbar"}, form,
          h("div", {class: "row"}, updated,
            h("label", {class: "check"}, auto, "live stats"),
            h("button", {type: "button", class: "secondary", id: "queues-refresh", onclick: refresh}, "Refresh"))),
        h("table", {id: "queues-table"},
          h("thead", {}, h("tr", {}, h("th", {}, "Queue"), h("th", {class: "num"}, "Free"),
            h("th", {class: "num"}, "Claimed"), h("th", {class: "num"}, "Total"),
            h("th", {class: "num"}, "Oldest"), h("th", {}, ""))),
          tbody)));
    refresh();
    every(AUTO_REFRESH_MS, () => { if (auto.checked) refresh(); });
  }

  // ------------------------------------------------------------------ one queue

  function queueView(view, q) {
    const statsLine = h("span", {id: "queue-stats", class: "muted"});
    async function refreshStats() {
      const s = await queueStats(q);
      statsLine.textContent = s ? `${s.free} free · ${s.claimed} claimed · ${s.total} total` +
        (s.oldest ? ` · oldest ${fmtAge(s.oldest.age)}` : "") : "";
    }
    const sections = {
      messages: messagesCard(q, refreshStats),
      post: postCard(q, () => { refreshStats(); sections.messages.reload(); }),
      claim: claimCard(q, () => { refreshStats(); sections.messages.reload(); }),
      subs: subscriptionsCard(q),
      tail: tailCard(q),
    };
    view.append(
      h("div", {class: "crumbs"}, h("a", {href: "#/queues"}, "← Queues")),
      h("h1", {}, "Queue ", h("span", {id: "queue-name"}, q), " ", statsLine),
      h("div", {class: "grid"}, sections.post.el, sections.claim.el),
      sections.tail.el, sections.messages.el, sections.subs.el);
    refreshStats();
    every(AUTO_REFRESH_MS, refreshStats);
  }

  function messageRow(q, m, onChange, claimId) {
    return h("tr", {dataset: {message: m.id}},
      h("td", {class: "mono"}, m.id),
      h("td", {class: "num"}, fmtAge(m.age)),
      h("td", {class: "num"}, m.ttl),
      h("td", {}, h("pre", {class: "message-body"}, json(m.body))),
      h("td", {class: "actions"},
        dangerButton("Delete", claimId ? "claimed-delete" : "message-delete", async () => {
          const query = claimId ? `?claim_id=${enc(claimId)}` : "";
          const res = await api("DELETE", `/v2/queues/${enc(q)}/messages/${enc(m.id)}${query}`);
          if (res.status === 204) ok(`Message ${m.id} deleted.`); else fail(`Delete failed: ${describe(res)}`);
          await onChange();
        })));
  }

  function messagesCard(q, onChange) {
    const tbody = h("tbody", {id: "messages-body"});
    const more = h("button", {type: "button", class: "secondary", id: "messages-more", hidden: true}, "More");
    let next = null;
    async function load(append) {
      const path = append && next ? next : `/v2/queues/${enc(q)}/messages?echo=true&include_claimed=true&limit=${PAGE}`;
      const res = await api("GET", path);
      if (res.status !== 200 && res.status !== 204) { fail(`Listing messages failed: ${describe(res)}`); return; }
      const messages = (res.body && res.body.messages) || [];
      const link = nextHref(res.body);
      next = messages.length === PAGE && link ? link.href : null;
      more.hidden = !next;
      const rows = messages.map((m) => messageRow(q, m, reload));
      if (append) tbody.append(...rows);
      else tbody.replaceChildren(...(rows.length ? rows : [h("tr", {}, h("td", {colspan: 5, class: "empty"}, "No messages."))]));
    }
    async function reload() { await load(false); await onChange(); }
    more.addEventListener("click", () => load(true));
    const el = h("div", {class: "card"},
      h("div", {class: "toolbar"}, h("h2", {}, "Messages"),
        h("button", {type: "button", class: "secondary", id: "messages-refresh", onclick: () => load(false)}, "Refresh")),
      h("table", {id: "messages-table"},
        h("thead", {}, h("tr", {}, h("th", {}, "ID"), h("th", {class: "num"}, "Age"),
          h("th", {class: "num"}, "TTL"), h("th", {}, "Body"), h("th", {}, ""))), tbody),
      h("div", {class: "row"}, more));
    load(false);
    return {el, reload: () => load(false)};
  }

  function postCard(q, onPosted) {
    const body = h("textarea", {id: "post-body"}, '{"event": "hello"}');
    const ttl = h("input", {type: "number", id: "post-ttl", value: 3600, min: 60});
    const delay = h("input", {type: "number", id: "post-delay", value: 0, min: 0});
    const form = h("form", {id: "post-form", class: "stack", onsubmit: async (e) => {
      e.preventDefault();
      let parsed;
      try { parsed = JSON.parse(body.value); } catch (err) { fail(`The body is not JSON: ${err.message}`); return; }
      const message = {body: parsed, ttl: Number(ttl.value)};
      if (Number(delay.value) > 0) message.delay = Number(delay.value);
      const res = await api("POST", `/v2/queues/${enc(q)}/messages`, {messages: [message]});
      if (res.status === 201) ok(`Posted message ${res.body.resources[0].split("/").pop()}.`);
      else fail(`Post failed: ${describe(res)}`);
      onPosted();
    }},
      h("label", {}, "Body (JSON)", body),
      h("div", {class: "row"}, h("label", {}, "TTL (s)", ttl), h("label", {}, "Delay (s)", delay),
        h("button", {type: "submit", id: "post-submit"}, "Post message")));
    return {el: h("div", {class: "card"}, h("h2", {}, "Post a message"), form)};
  }

  function claimCard(q, onChange) {
    const limit = h("input", {type: "number", id: "claim-limit", value: 5, min: 1, max: 20});
    const ttl = h("input", {type: "number", id: "claim-ttl", value: 300, min: 60});
    const grace = h("input", {type: "number", id: "claim-grace", value: 60, min: 60});
    const result = h("div", {id: "claim-result"});
    async function claim(e) {
      e.preventDefault();
      const res = await api("POST", `/v2/queues/${enc(q)}/claims?limit=${Number(limit.value)}`,
                            {ttl: Number(ttl.value), grace: Number(grace.value)});
      if (res.status === 204) { result.replaceChildren(h("p", {class: "muted", id: "claim-none"}, "Nothing to claim.")); return; }
      if (res.status !== 201) { fail(`Claim failed: ${describe(res)}`); return; }
      const claimId = (res.headers.get("Location") || "").split("/").pop();
      showClaim(claimId, res.body.messages || []);
      ok(`Claimed ${(res.body.messages || []).length} message(s).`);
      onChange();
    }
    function showClaim(claimId, messages) {
      const tbody = h("tbody", {}, messages.map((m) => messageRow(q, m, async () => {
        tbody.querySelector(`tr[data-message="${CSS.escape(m.id)}"]`)?.remove();
        onChange();
      }, claimId)));
      result.replaceChildren(
        h("p", {}, "Claim ", h("code", {id: "claim-id"}, claimId), " ",
          h("button", {type: "button", class: "secondary", id: "claim-release", onclick: async () => {
            const res = await api("DELETE", `/v2/queues/${enc(q)}/claims/${enc(claimId)}`);
            if (res.status === 204) { ok(`Claim ${claimId} released.`); result.replaceChildren(); }
            else fail(`Release failed: ${describe(res)}`);
            onChange();
          }}, "Release claim")),
        h("table", {id: "claimed-table"}, tbody));
    }
    const form = h("form", {id: "claim-form", class: "inline", onsubmit: claim},
      h("label", {}, "Limit", limit), h("label", {}, "TTL (s)", ttl), h("label", {}, "Grace (s)", grace),
      h("button", {type: "submit", id: "claim-submit"}, "Claim"));
    return {el: h("div", {class: "card"}, h("h2", {}, "Claim messages"), form, result)};
  }

  function subscriptionsCard(q) {
    const tbody = h("tbody", {id: "subs-body"});
    const subscriber = h("input", {id: "sub-subscriber", placeholder: "https://example.com/hook or mailto:ops@example.com", required: true, size: 40});
    const ttl = h("input", {type: "number", id: "sub-ttl", value: 3600, min: 60});
    const options = h("textarea", {id: "sub-options"}, "{}");
    async function load() {
      const res = await api("GET", `/v2/queues/${enc(q)}/subscriptions?limit=${PAGE}`);
      if (res.status !== 200) { fail(`Listing subscriptions failed: ${describe(res)}`); return; }
      const subs = res.body.subscriptions || [];
      tbody.replaceChildren(...(subs.length ? subs.map((s) => h("tr", {dataset: {subscription: s.id}},
        h("td", {class: "mono"}, s.id),
        h("td", {class: "sub-subscriber"}, s.subscriber),
        h("td", {class: "num"}, s.ttl),
        h("td", {}, h("pre", {}, json(s.options || {}))),
        h("td", {class: "actions"}, dangerButton("Delete", "sub-delete", async () => {
          const del = await api("DELETE", `/v2/queues/${enc(q)}/subscriptions/${enc(s.id)}`);
          if (del.status === 204) ok(`Subscription ${s.id} deleted.`); else fail(`Delete failed: ${describe(del)}`);
          await load();
        })))) : [h("tr", {}, h("td", {colspan: 5, class: "empty"}, "No subscriptions."))]));
    }
    const form = h("form", {id: "sub-form", class: "stack", onsubmit: async (e) => {
      e.preventDefault();
      let opts;
      try { opts = JSON.parse(options.value || "{}"); } catch (err) { fail(`Options are not JSON: ${err.message}`); return; }
      const res = await api("POST", `/v2/queues/${enc(q)}/subscriptions`,
                            {subscriber: subscriber.value.trim(), ttl: Number(ttl.value), options: opts});
      if (res.status === 201) { ok(`Subscription ${res.body.subscription_id} created.`); subscriber.value = ""; }
      else fail(`Subscribing failed: ${describe(res)}`);
      await load();
    }},
      h("div", {class: "row"}, h("label", {}, "Subscriber", subscriber), h("label", {}, "TTL (s)", ttl)),
      h("label", {}, "Options (JSON)", options),
      h("div", {}, h("button", {type: "submit", id: "sub-submit"}, "Subscribe")));
    load();
    return {el: h("div", {class: "card"},
      h("div", {class: "toolbar"}, h("h2", {}, "Subscriptions"),
        h("button", {type: "button", class: "secondary", id: "subs-refresh", onclick: load}, "Refresh")),
      h("table", {id: "subs-table"},
        h("thead", {}, h("tr", {}, h("th", {}, "ID"), h("th", {}, "Subscriber"),
          h("th", {class: "num"}, "TTL"), h("th", {}, "Options"), h("th", {}, ""))), tbody),
      h("h2", {class: "muted"}, "New subscription"), form)};
  }

  // ------------------------------------------------------------------ live tail

  // Push: a WebSocket that subscribes itself to the queue (subscription_create without
  // subscriber); zaqard sends one notification frame per posted message and deletes the
  // subscription when the socket closes. Needs [storage] message_pipeline with the
  // notifier (config.json "notifications"); without it the tail polls the REST listing
  // with its next-page marker.
  function websocketUrl() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const host = location.hostname.includes(":") ? `[${location.hostname}]` : location.hostname;
    return `${scheme}://${host}:${config.websocket_port}/`;
  }

  function tailCard(q) {
    const list = h("ul", {class: "tail", id: "tail-log"});
    const status = h("span", {class: "badge", id: "tail-status"}, "stopped");
    const start = h("button", {type: "button", id: "tail-start"}, "Start live tail");
    const stop = h("button", {type: "button", class: "secondary", id: "tail-stop", hidden: true}, "Stop");
    let count = 0;

    function add(body, ttl, id) {
      count++;
      list.prepend(h("li", {class: "tail-item", dataset: {n: count}},
        h("span", {class: "when"}, new Date().toLocaleTimeString()),
        id ? h("code", {}, id.slice(0, 8)) : null,
        h("pre", {class: "tail-body"}, json(body)),
        h("span", {class: "muted"}, `ttl ${ttl}`)));
    }
    function setStatus(text, live) {
      status.textContent = text;
      status.classList.toggle("live", !!live);
    }

    function startPush() {
      const headers = {"Client-ID": session.clientId, "X-Project-ID": session.project};
      if (session.roles) headers["X-Roles"] = session.roles;
      let socket;
      try { socket = new WebSocket(websocketUrl()); } catch (e) { setStatus(`error: ${e}`); return null; }
      const state = {stop: () => socket.close(1000), socket};
      const send = (action, body, extra) => socket.send(json({action, headers: {...headers, ...(extra || {})}, body}));
      socket.onopen = () => {
        setStatus("subscribing…");
        if (session.token) send("authenticate", {}, {"X-Auth-Token": session.token});
        else send("subscription_create", {queue_name: q, ttl: 3600});
      };
      socket.onmessage = (event) => {
        let frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (frame.Message_Type === "Notification") { add(frame.body, frame.ttl); return; }
        const action = frame.request && frame.request.action;
        const code = frame.headers && frame.headers.status;
        if (action === "authenticate") {
          if (code === 200) send("subscription_create", {queue_name: q, ttl: 3600});
          else setStatus(`authentication failed (${code})`);
        } else if (action === "subscription_create") {
          if (code === 201) setStatus("live (websocket push)", true);
          else setStatus(`subscribe failed (${code}): ${json(frame.body)}`);
        }
      };
      socket.onerror = () => setStatus("websocket error");
      socket.onclose = (event) => {
        if (tail === state) setStatus(`closed (${event.code})`);
      };
      return state;
    }

    function startPolling() {
      let marker = null, stopped = false, busy = false;
      const base = `/v2/queues/${enc(q)}/messages?echo=true&include_claimed=true&limit=${PAGE}`;
      // One page after the marker; returns whether a full page came (more to read).
      async function page(record) {
        const res = await api("GET", marker ? `${base}&marker=${enc(marker)}` : base);
        if (res.status !== 200) return false;
        const messages = res.body.messages || [];
        const link = nextHref(res.body);
        if (link) marker = new URL(link.href, location.href).searchParams.get("marker") || marker;
        if (record) for (const m of messages) add(m.body, m.ttl, m.id);
        return messages.length === PAGE;
      }
      (async () => {
        // Skip what the queue already holds: the tail shows what comes next.
        for (let i = 0; i < MAX_PAGES && !stopped && (await page(false)); i++);
        if (stopped) return;
        setStatus("live (polling)", true);
        const timer = setInterval(async () => {
          if (stopped) { clearInterval(timer); return; }
          if (busy) return;
          busy = true;
          try {
            for (let i = 0; i < MAX_PAGES && !stopped && (await page(true)); i++);
          } finally { busy = false; }
        }, POLL_MS);
        timers.push(timer);
      })();
      return {stop: () => { stopped = true; }};
    }

    start.addEventListener("click", () => {
      if (tail) tail.stop();
      tail = config.notifications ? startPush() : startPolling();
      if (!tail) return;
      setStatus(config.notifications ? "connecting…" : "starting…");
      start.hidden = true;
      stop.hidden = false;
    });
    stop.addEventListener("click", () => {
      if (tail) tail.stop();
      tail = null;
      setStatus("stopped");
      start.hidden = false;
      stop.hidden = true;
    });
    return {el: h("div", {class: "card"},
      h("div", {class: "toolbar"}, h("h2", {}, "Live tail ", status),
        h("div", {class: "row"}, start, stop)),
      h("p", {class: "muted"}, config.notifications
        ? "Messages appear as they are posted (a WebSocket subscription of this page)."
        : "Notifications are off on this server ([storage] message_pipeline): the tail polls the queue every second."),
      list)};
  }

  // ------------------------------------------------------------------ pools, flavors

  const ADMIN_MISSING = "Pools and flavors exist only when zaqard runs with [DEFAULT] admin_mode = true and pooling = true (docs/scaling.md).";

  // The admin pages: 404 means the routes do not exist on this server, 403 a missing role.
  function adminUnavailable(res, what) {
    if (res.status === 404) return h("p", {class: "notice", id: `${what}-unavailable`}, ADMIN_MISSING);
    if (res.status === 403) return h("p", {class: "notice", id: `${what}-forbidden`},
      `Managing ${what} needs the admin role (${session.token ? "a token with the admin role" : "log in with roles = admin"}).`);
    return h("p", {class: "notice", id: `${what}-error`}, `The server answered ${describe(res)}.`);
  }

  function poolsView(view) {
    const holder = h("div", {});
    view.append(h("h1", {}, "Pools"), holder);
    const name = h("input", {id: "pool-name", required: true, placeholder: "name"});
    const uri = h("input", {id: "pool-uri", required: true, size: 34, placeholder: "redis://127.0.0.1:6379?dbid=1"});
    const weight = h("input", {type: "number", id: "pool-weight", value: 100, min: 0});
    const flavor = h("input", {id: "pool-flavor", placeholder: "(none)"});
    async function load() {
      const res = await api("GET", `/v2/pools?detailed=true&limit=${PAGE}`);
      if (res.status !== 200 && res.status !== 204) { holder.replaceChildren(adminUnavailable(res, "pools")); return; }
      const pools = (res.body && res.body.pools) || [];
      holder.replaceChildren(h("div", {class: "card"},
        h("table", {id: "pools-table"},
          h("thead", {}, h("tr", {}, h("th", {}, "Pool"), h("th", {}, "URI"), h("th", {class: "num"}, "Weight"),
            h("th", {}, "Flavor"), h("th", {}, ""))),
          h("tbody", {}, pools.length ? pools.map((p) => h("tr", {dataset: {pool: p.name}},
            h("td", {}, p.name), h("td", {class: "mono"}, p.uri), h("td", {class: "num"}, p.weight),
            h("td", {}, p.flavor || ""),
            h("td", {class: "actions"}, dangerButton("Delete", "pool-delete", async () => {
              const del = await api("DELETE", `/v2/pools/${enc(p.name)}`);
              if (del.status === 204) ok(`Pool ${p.name} deleted.`); else fail(`Delete failed: ${describe(del)}`);
              await load();
            })))) : h("tr", {}, h("td", {colspan: 5, class: "empty"}, "No pools.")))),
        h("h2", {class: "muted"}, "Add a pool"),
        h("form", {id: "pool-form", class: "inline", onsubmit: async (e) => {
          e.preventDefault();
          const doc = {uri: uri.value.trim(), weight: Number(weight.value)};
          if (flavor.value.trim()) doc.flavor = flavor.value.trim();
          const put = await api("PUT", `/v2/pools/${enc(name.value.trim())}`, doc);
          if (put.status === 201) ok(`Pool ${name.value.trim()} created.`); else fail(`Creating the pool failed: ${describe(put)}`);
          await load();
        }}, h("label", {}, "Name", name), h("label", {}, "URI", uri), h("label", {}, "Weight", weight),
          h("label", {}, "Flavor", flavor), h("button", {type: "submit", id: "pool-submit"}, "Add pool"))));
    }
    load();
  }

  function flavorsView(view) {
    const holder = h("div", {});
    view.append(h("h1", {}, "Flavors"), holder);
    const name = h("input", {id: "flavor-name", required: true, placeholder: "name"});
    const pools = h("input", {id: "flavor-pools", size: 30, placeholder: "pool names, comma-separated"});
    async function load() {
      const res = await api("GET", `/v2/flavors?detailed=true&limit=${PAGE}`);
      if (res.status !== 200 && res.status !== 204) { holder.replaceChildren(adminUnavailable(res, "flavors")); return; }
      const flavors = (res.body && res.body.flavors) || [];
      holder.replaceChildren(h("div", {class: "card"},
        h("table", {id: "flavors-table"},
          h("thead", {}, h("tr", {}, h("th", {}, "Flavor"), h("th", {}, "Pools"), h("th", {}, "Capabilities"), h("th", {}, ""))),
          h("tbody", {}, flavors.length ? flavors.map((f) => h("tr", {dataset: {flavor: f.name}},
            h("td", {}, f.name), h("td", {class: "flavor-pools"}, (f.pool_list || []).join(", ")),
            h("td", {class: "muted"}, (f.capabilities || []).join(", ")),
            h("td", {class: "actions"}, dangerButton("Delete", "flavor-delete", async () => {
              const del = await api("DELETE", `/v2/flavors/${enc(f.name)}`);
              if (del.status === 204) ok(`Flavor ${f.name} deleted.`); else fail(`Delete failed: ${describe(del)}`);
              await load();
            })))) : h("tr", {}, h("td", {colspan: 4, class: "empty"}, "No flavors.")))),
        h("h2", {class: "muted"}, "Add a flavor"),
        h("form", {id: "flavor-form", class: "inline", onsubmit: async (e) => {
          e.preventDefault();
          const list = pools.value.split(",").map((s) => s.trim()).filter(Boolean);
          const put = await api("PUT", `/v2/flavors/${enc(name.value.trim())}`, {pool_list: list});
          if (put.status === 201) ok(`Flavor ${name.value.trim()} created.`); else fail(`Creating the flavor failed: ${describe(put)}`);
          await load();
        }}, h("label", {}, "Name", name), h("label", {}, "Pools", pools),
          h("button", {type: "submit", id: "flavor-submit"}, "Add flavor"))));
    }
    load();
  }

  // ------------------------------------------------------------------ routing

  function route() {
    for (const t of timers) clearInterval(t);
    timers = [];
    if (tail) { tail.stop(); tail = null; }
    const view = document.getElementById("view");
    view.replaceChildren();
    const parts = location.hash.replace(/^#\/?/, "").split("/");
    if (!session && parts[0] !== "login") { location.hash = "#/login"; return; }
    renderChrome();
    switch (parts[0]) {
      case "login": return loginView(view);
      case "queue": return queueView(view, decodeURIComponent(parts.slice(1).join("/")));
      case "pools": return poolsView(view);
      case "flavors": return flavorsView(view);
      default:
        if (parts[0] !== "queues") { location.hash = "#/queues"; return; }
        return queuesView(view);
    }
  }

  async function main() {
    try {
      const res = await fetch("config.json", {cache: "no-store"});
      if (res.ok) config = {...config, ...(await res.json())};
    } catch (e) { /* defaults */ }
    loadSession();
    document.getElementById("logout").addEventListener("click", () => {
      session = null;
      saveSession();
      show("");
      location.hash = "#/login";
    });
    window.addEventListener("hashchange", route);
    document.body.dataset.ready = "true";
    route();
  }

  main();
})();
