"""A real Keystone for the tests: Debian's python3-keystone served by uwsgi on loopback.

build() makes a Keystone in a temp dir (keystone.conf with a SQLite database and the
fernet and credential key repositories next to it; keystone-manage db_sync, fernet_setup,
credential_setup, bootstrap); start() serves /usr/bin/keystone-wsgi-public with uwsgi on
a free 127.0.0.1 port, as a child of the test process, stopped by PID; setup_accounts()
creates through the v3 API what the tests log in as:
  project `service`, user `zaqar` (admin there): zaqard's [keystone_authtoken] user
  project `demo`, users demo-member / demo-reader / demo-admin with that role there
Keystone's implied roles apply: admin implies member, member implies reader.

The four keystone-manage commands run in ONE interpreter (keystone-manage's own entry
point, keystone.cmd.cli.main, called once per command): each /usr/bin/keystone-manage
start costs ~5 s of imports on a loaded machine, the commands themselves take < 1.5 s.

Tests observe what zaqard asked Keystone through uwsgi's request log (requests()).
"""

import contextlib
import datetime
import json
import os
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import zaqard_harness as harness

PYTHON = "/usr/bin/python3"
UWSGI = "/usr/bin/uwsgi"
WSGI_FILE = "/usr/bin/keystone-wsgi-public"
ADMIN_PASSWORD = "admin-" + uuid.uuid4().hex[:8]
SERVICE_USER = "zaqar"
SERVICE_PASSWORD = "zaqar-" + uuid.uuid4().hex[:8]
USER_PASSWORD = "demo-" + uuid.uuid4().hex[:8]
DEMO_USERS = {"demo-member": "member", "demo-reader": "reader", "demo-admin": "admin"}

# Runs keystone-manage's commands in one interpreter; argv: config file, JSON list of
# argument lists. CONF.clear() lets cli.main parse the next command line.
_MANAGE = r"""
import json, sys
from keystone.cmd import cli
for args in json.loads(sys.argv[2]):
    cli.CONF.clear()
    cli.main(argv=["keystone-manage", "--config-file", sys.argv[1]] + args)
"""


class KeystoneError(RuntimeError):
    def __init__(self, status, body):
        super().__init__(f"Keystone answered {status}: {body[:500]!r}")
        self.status = status


def _write_conf(path, workdir, token_expiration=None):
    lines = ["[DEFAULT]", f"log_dir = {workdir}", "log_file = keystone.log", "",
             "[database]", f"connection = sqlite:///{workdir}/keystone.db", "",
             "[fernet_tokens]", f"key_repository = {workdir}/fernet-keys", "",
             "[credential]", f"key_repository = {workdir}/credential-keys", "",
             "[token]", "provider = fernet"]
    if token_expiration is not None:
        lines.append(f"expiration = {token_expiration}")
    lines += ["",
             # bcrypt's fewest rounds: every login and user creation hashes a password
              "[identity]", "password_hash_rounds = 4"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class KeystoneServer:
    """One Keystone data dir; `clone()` serves the same data on another port."""

    def __init__(self, workdir, port=None, conf_path=None, name="keystone"):
        self.workdir = workdir
        self.port = port or harness.free_port()
        self.conf_path = conf_path or os.path.join(workdir, "keystone.conf")
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}-uwsgi.log")
        self.proc = None
        self.ids = {}  # name -> id of the projects, users and roles made here
        self._admin_token = None

    # -- lifecycle -------------------------------------------------------------------
    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def auth_url(self):
        return self.url + "/v3"

    def build(self):
        """keystone.conf, database, key repositories and the bootstrap admin."""
        os.makedirs(self.workdir, exist_ok=True)
        for d in ("fernet-keys", "credential-keys"):
            os.makedirs(os.path.join(self.workdir, d), exist_ok=True)
        _write_conf(self.conf_path, self.workdir)
        owner = ["--keystone-user", "root", "--keystone-group", "root"]
        commands = [["db_sync"], ["fernet_setup"] + owner, ["credential_setup"] + owner,
                    ["bootstrap", "--bootstrap-password", ADMIN_PASSWORD,
                     "--bootstrap-admin-url", self.auth_url,
                     "--bootstrap-public-url", self.auth_url,
                     "--bootstrap-region-id", "RegionOne"]]
        out_path = os.path.join(self.workdir, "keystone-manage.out")
        with open(out_path, "wb") as out:
            rc = subprocess.run([PYTHON, "-c", _MANAGE, self.conf_path, json.dumps(commands)],
                                stdout=out, stderr=subprocess.STDOUT, timeout=300,
                                cwd=self.workdir).returncode
        if rc != 0 or not os.path.exists(os.path.join(self.workdir, "keystone.db")):
            with open(out_path, errors="replace") as f:
                raise RuntimeError(f"keystone-manage failed ({rc}):\n{f.read()[-4000:]}")
        # Write-ahead log: a reader does not block a writer (Keystone's requests hold
        # SQLite transactions open longer than one statement; in rollback-journal mode a
        # write then fails with "database is locked" after 5 s).
        with contextlib.closing(sqlite3.connect(os.path.join(self.workdir, "keystone.db"))) as db:
            db.execute("PRAGMA journal_mode=WAL")
        return self

    def start(self, timeout=60.0):
        """uwsgi serving keystone-wsgi-public; ready when GET /v3 answers 200.
        One thread: Keystone's SQLite sessions are not safe across threads (with two,
        requests fail with "database is locked"); --lazy-apps loads Keystone in the
        worker, not in the master before fork(), so no SQLite handle crosses a fork.
        uwsgi's http-socket closes the connection after each answer: "Connection: close"
        says so, else a keep-alive client (keystoneauth) sends its next request on the
        closed connection and gets "Connection reset by peer"."""
        args = [UWSGI, "--plugin", "python3", "--http-socket", f"127.0.0.1:{self.port}",
                "--wsgi-file", WSGI_FILE, "--processes", "1", "--threads", "1",
                "--master", "--lazy-apps", "--die-on-term", "--need-app",
                "--buffer-size", "65535", "--chdir", self.workdir,
                "--add-header", "Connection: close",
                "--env", f"OS_KEYSTONE_CONFIG_FILES={self.conf_path}"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"uwsgi (Keystone) exited with {self.proc.returncode}:\n"
                                   + self.log_text()[-4000:])
            try:
                with urllib.request.urlopen(self.auth_url, timeout=2) as r:
                    if r.status == 200:
                        return self
            except (OSError, urllib.error.URLError) as e:
                last = e
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Keystone not ready within {timeout}s ({last}):\n"
                           + self.log_text()[-4000:])

    def stop(self):
        if self.proc:
            harness._stop_pid(self.proc)

    def clone(self, port=None, token_expiration=None, name=None):
        """Another uwsgi on the same database and keys (tokens are valid on both);
        token_expiration: [token] expiration (seconds) of the tokens it issues."""
        name = name or "keystone-" + uuid.uuid4().hex[:6]
        conf = os.path.join(self.workdir, f"{name}.conf")
        _write_conf(conf, self.workdir, token_expiration)
        other = KeystoneServer(self.workdir, port, conf, name)
        other.ids = self.ids
        return other

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def requests(self, method, path, status=None):
        """How many `method path` requests uwsgi has logged (query string ignored),
        only those answered `status` if given. uwsgi logs a request after its answer is
        sent: the count is read until it holds still for 0.2 s."""
        needle = f"] {method} {path}"

        def count():
            return sum(1 for line in self.log_text().splitlines()
                       if (needle + " " in line or needle + "?" in line)
                       and (status is None or f"(HTTP/1.1 {status})" in line))
        last = count()
        for _ in range(20):
            time.sleep(0.2)
            now = count()
            if now == last:
                return now
            last = now
        return last

    # -- v3 API ----------------------------------------------------------------------
    def call(self, method, path, body=None, token=None, headers=None):
        """(status, headers, JSON body) of a v3 request; raises KeystoneError on >= 400."""
        h = {"Content-Type": "application/json", "Accept": "application/json"}
        if token is not None:
            h["X-Auth-Token"] = token
        h.update(headers or {})
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.auth_url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, r.headers, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raise KeystoneError(e.code, e.read()) from None

    def login(self, username, password, project_id=None, project_name=None):
        """A password login scoped to a project; returns (token id, token document)."""
        scope = {"id": project_id} if project_id else {
            "name": project_name, "domain": {"id": "default"}}
        _, headers, doc = self.call("POST", "/auth/tokens", {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": username, "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": scope}}})
        return headers["X-Subject-Token"], doc["token"]

    def admin_token(self):
        if self._admin_token is None:
            self._admin_token = self.login("admin", ADMIN_PASSWORD, project_name="admin")[0]
        return self._admin_token

    def admin(self, method, path, body=None, **kw):
        return self.call(method, path, body, token=self.admin_token(), **kw)[2]

    def setup_accounts(self):
        roles = self.admin("GET", "/roles")["roles"]
        self.ids.update({"role:" + r["name"]: r["id"] for r in roles})
        self.ids["project:service"] = self.create_project("service")
        self.ids["user:" + SERVICE_USER] = self._create_user(SERVICE_USER, SERVICE_PASSWORD)
        self.grant(SERVICE_USER, "admin", self.ids["project:service"])
        self.ids["project:demo"] = self.create_project("demo")
        for user, role in DEMO_USERS.items():
            self.ids["user:" + user] = self._create_user(user, USER_PASSWORD)
            self.grant(user, role, self.ids["project:demo"])
        return self

    def _create_user(self, name, password):
        return self.admin("POST", "/users", {"user": {
            "name": name, "password": password, "domain_id": "default",
            "enabled": True}})["user"]["id"]

    def create_project(self, name=None):
        name = name or "p-" + uuid.uuid4().hex[:10]
        return self.admin("POST", "/projects", {"project": {
            "name": name, "domain_id": "default", "enabled": True}})["project"]["id"]

    def grant(self, user, role, project_id):
        self.call("PUT", f"/projects/{project_id}/users/{self.ids['user:' + user]}"
                  f"/roles/{self.ids['role:' + role]}", token=self.admin_token())

    def new_project(self, users=("demo-member",)):
        """A fresh project where each demo user of `users` has its role; its id."""
        project_id = self.create_project()
        for user in users:
            self.grant(user, DEMO_USERS[user], project_id)
        return project_id

    def token(self, project_id=None, user="demo-member"):
        """A token of a demo user scoped to `project_id` (default: demo)."""
        return self.login(user, USER_PASSWORD, project_id or self.ids["project:demo"])[0]

    def short_token(self, project_id, seconds, user="demo-member"):
        """A token that expires in `seconds`: Keystone caps a token issued through an
        application credential at the credential's expires_at (token/provider.py)."""
        user_token = self.token(project_id, user)
        expires = datetime.datetime.now(datetime.timezone.utc) + \
            datetime.timedelta(seconds=seconds)
        cred = self.call("POST", f"/users/{self.ids['user:' + user]}/application_credentials",
                         {"application_credential": {
                             "name": "short-" + uuid.uuid4().hex[:8],
                             "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.%f")}},
                         token=user_token)[2]["application_credential"]
        _, headers, _ = self.call("POST", "/auth/tokens", {"auth": {"identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": cred["id"], "secret": cred["secret"]}}}})
        return headers["X-Subject-Token"]

    def revoke(self, token):
        self.call("DELETE", "/auth/tokens", token=self.admin_token(),
                  headers={"X-Subject-Token": token})

    def revoke_user_tokens(self, user):
        """Setting a user's password (even to the same one) revokes all its tokens."""
        password = SERVICE_PASSWORD if user == SERVICE_USER else USER_PASSWORD
        self.admin("PATCH", f"/users/{self.ids['user:' + user]}",
                   {"user": {"password": password}})

    def register_messaging(self, url):
        """The catalog's messaging endpoint (public, RegionOne) = `url`."""
        services = self.admin("GET", "/services?type=messaging")["services"]
        if services:
            service_id = services[0]["id"]
        else:
            service_id = self.admin("POST", "/services", {"service": {
                "type": "messaging", "name": "zaqar", "enabled": True}})["service"]["id"]
        for endpoint in self.admin("GET", f"/endpoints?service_id={service_id}")["endpoints"]:
            self.admin("DELETE", f"/endpoints/{endpoint['id']}")
        self.admin("POST", "/endpoints", {"endpoint": {
            "service_id": service_id, "interface": "public", "url": url,
            "region_id": "RegionOne", "enabled": True}})

    def authtoken_config(self, www_authenticate_uri=None, **extra):
        """zaqard's [keystone_authtoken] for this Keystone."""
        section = {"auth_url": self.url, "auth_type": "password",
                   "username": SERVICE_USER, "password": SERVICE_PASSWORD,
                   "project_name": "service", "user_domain_name": "Default",
                   "project_domain_name": "Default"}
        if www_authenticate_uri:
            section["www_authenticate_uri"] = www_authenticate_uri
        section.update({k: str(v) for k, v in extra.items()})
        return section


def running_keystone(workdir):
    """For a session fixture (`yield from`): build, start, accounts; stop at the end."""
    started = time.monotonic()
    ks = KeystoneServer(workdir).build()
    ks.start()
    try:
        ks.setup_accounts()
        ks.startup_seconds = time.monotonic() - started
        yield ks
    finally:
        ks.stop()
