"""Every option zaqard reads takes effect or is refused at start-up (design.md).

Walks every option of the sample conf/zaqar.conf (and the deprecated aliases it lists):
  * statically, the option must be read by something: its name is in the loader's table
    (src/config/config_loader.cpp) or in keystone_options.cpp, and the Config field it
    sets is used by code outside the config folder -- or its setter is `refused(...)`,
    which accepts only the value that describes what zaqard does anyway;
  * dynamically, zaqard started with every sample option set to its sample value starts;
  * each refused option, set to a value zaqard cannot honour, stops start-up with a
    message naming it."""

import os
import re
import subprocess
import uuid

import pytest

import zaqard_harness as harness

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CODE_DIRS = ("src", "transports", "storage", "notifiers")


def sample_options():
    """[(section, name, value)] of the commented options in conf/zaqar.conf."""
    out, section = [], None
    with open(os.path.join(ROOT, "conf", "zaqar.conf")) as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^#?\[([^\]]+)\]$", line)
            if m:
                section = m.group(1)
                continue
            m = re.match(r"^#(\w+) =\s?(.*)$", line)
            if m:
                out.append((section, m.group(1), m.group(2)))
    return out


def loader_table():
    """{(section, name): setter text} for every add(...) of the loader's option table,
    deprecated aliases included (they map to their option's setter)."""
    path = os.path.join(ROOT, "src", "config", "config_loader.cpp")
    text = open(path).read()
    variables = {m.group(1): m.group(2)
                 for m in re.finditer(r'const std::string (\w+) = "([^"]+)";', text)}
    table = {}
    chunks = re.split(r"\n\s*add\(", text[text.index("optionTable() {"):])[1:]
    for chunk in chunks:
        chunk = chunk.split("\n        return t;")[0]
        m = re.match(r'\s*(\w+|"[^"]+")\s*,\s*"?(\w+)"?\s*,', chunk)
        if not m:
            continue
        section = m.group(1).strip('"')
        section = variables.get(section, section)
        names = [m.group(2)]
        if m.group(2) == "name":  # the [trustee] loop: add("trustee", name, ...)
            loop = re.findall(r'for \(const char\* name : \{([^}]*)\}\)', text)
            names = re.findall(r'"(\w+)"', loop[-1]) if loop else []
        for name in names:
            table[(section, name)] = chunk
        for alias_section, alias in re.findall(r'\{\s*(\w+|"[^"]+")\s*,\s*"(\w+)"\s*\}', chunk):
            alias_section = variables.get(alias_section.strip('"'), alias_section.strip('"'))
            table[(alias_section, alias)] = chunk
    return table


def code_files():
    for top in CODE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith((".cpp", ".h")):
                    yield os.path.join(dirpath, name)


CODE = {path: open(path).read() for path in code_files()}


def field_is_used(field):
    """The Config field `field` (e.g. limits.max_claim_ttl) is read somewhere: any line
    naming it that is not its declaration, a table entry or the setter writing it."""
    leaf = field.split(".")[-1]
    member = re.compile(r"(\.|->)%s\b" % re.escape(leaf))  # config.x, limits.x, c->x
    word = re.compile(r"\b%s\b" % re.escape(leaf))
    for path, text in CODE.items():
        rel = os.path.relpath(path, ROOT)
        # Config's own methods read fields by bare name; elsewhere only as a member.
        pattern = word if rel == "src/config/config.h" else member
        for line in text.splitlines():
            if not pattern.search(line) or "ZQ_FIELD(" in line or line.strip().startswith("//"):
                continue
            if rel == "src/config/config.h" and re.match(
                    r"^\s*[\w:<>, ]+\s+%s\s*(=|;|\{)" % re.escape(leaf), line):
                continue  # the declaration
            if re.search(r"\bc(\.|->)%s\s*=" % re.escape(field), line):
                continue  # the setter's own assignment
            return True
    return False


def keystone_option_is_used(name):
    """[keystone_authtoken] options land in KeystoneAuthOptions fields of the same name
    (keystone_options.cpp): read by src/auth, or checked at start-up there."""
    ks = CODE[os.path.join(ROOT, "src", "config", "keystone_options.cpp")]
    if f'"{name}"' not in ks:
        return False
    member = re.compile(r"(\.|->)%s\b" % re.escape(name))
    checks = ks[ks.index("bool checkKeystoneOptions"):]
    return bool(member.search(checks)) or any(
        member.search(text) for path, text in CODE.items() if "/src/config/" not in path)


# Parsed and deliberately without effect, with the reason (keep this list empty if you can).
WITHOUT_EFFECT = {
    ("drivers", "transport"): "Zaqar runs one transport per process; every zaqard process "
                              "serves REST and WebSocket, so either value describes it",
}


SAMPLE = sample_options()
TABLE = loader_table()


def test_sample_lists_options():
    assert len(SAMPLE) > 80, SAMPLE
    assert ("cors", "allowed_origin", "") in SAMPLE


@pytest.mark.parametrize("section,name,value", SAMPLE,
                         ids=[f"{s}.{n}" for s, n, _ in SAMPLE])
def test_every_sample_option_is_read_by_something(section, name, value):
    key = ("default" if section == "DEFAULT" else section, name)
    if key in WITHOUT_EFFECT:
        return
    if section == "keystone_authtoken":
        assert keystone_option_is_used(name), f"[{section}] {name}: nothing reads it"
        return
    assert key in TABLE, f"[{section}] {name}: not in the loader's option table"
    setter = TABLE[key]
    if "refused(" in setter or "storeOpt(" in setter:
        return  # refused unless it describes what zaqard does (tested below)
    fields = re.findall(r"ZQ_FIELD\(([\w.]+)\)", setter) + \
        re.findall(r"&Config::(\w+)", setter) + re.findall(r"\bc\.([\w.]+)\s*=", setter)
    assert fields, f"[{section}] {name}: its setter names no Config field:\n{setter}"
    for field in fields:
        assert field_is_used(field), f"[{section}] {name}: Config::{field} is never read"


def run_zaqard(workdir, extra, expect_start):
    """Starts zaqard with `extra`; returns (started, stderr)."""
    redis = harness.RedisProcess(os.path.join(workdir, "redis")).start()
    z = harness.ZaqardProcess(workdir, redis.port, extra, name="z-" + uuid.uuid4().hex[:8])
    try:
        if expect_start:
            z.start()
            return True, z.stderr_text()
        proc = subprocess.run([z.binary, "--config", z.config_path], capture_output=True,
                              text=True, timeout=30)
        return proc.returncode == 0, proc.stderr
    finally:
        if z.proc:
            z.stop()
            assert not z.problems(), z.problems()
        redis.stop()


def test_zaqard_starts_with_every_sample_option_set(tmp_path):
    extra = {}
    skip = {("drivers:transport:wsgi", "bind"), ("drivers:transport:wsgi", "port"),
            ("drivers:transport:websocket", "bind"), ("drivers:transport:websocket", "port"),
            ("drivers:message_store:redis", "uri"), ("drivers:management_store:redis", "uri"),
            ("zaqard", "shards"), ("DEFAULT", "admin_mode")}  # the harness's own
    for section, name, value in SAMPLE:
        if value == "" or (section, name) in skip or section == "limits:transport":
            continue  # unset in the sample; deprecated aliases would only warn
        extra.setdefault(section, {})[name] = value
    assert len(extra) > 10
    started, stderr = run_zaqard(str(tmp_path), extra, expect_start=True)
    assert started
    assert "unknown option" not in stderr, stderr


REFUSED = [
    ("DEFAULT", "unreliable", "false"),
    ("DEFAULT", "enable_deprecated_api_versions", "1.1"),
    ("drivers:transport:websocket", "external_port", "443"),
    ("drivers:message_store:redis", "max_reconnect_attempts", "10"),
    ("drivers:message_store:redis", "reconnect_sleep", "1.0"),
    ("drivers:management_store:redis", "max_reconnect_attempts", "10"),
    ("drivers:management_store:redis", "reconnect_sleep", "1.0"),
    ("drivers:management_store:redis", "uri", "redis://127.0.0.1:1"),
    ("storage", "queue_pipeline", "my.stage"),
    ("storage", "message_pipeline", "my.stage"),
    ("storage", "claim_pipeline", "my.stage"),
    ("storage", "subscription_pipeline", "my.stage"),
    ("storage", "topic_pipeline", "my.stage"),
    ("oslo_policy", "enforce_scope", "true"),
    ("oslo_policy", "enforce_new_defaults", "true"),
    ("cache", "enabled", "true"),
    ("cache", "backend", "dogpile.cache.memory"),
    ("profiler", "enabled", "true"),
    ("cors.horizon", "allowed_origin", "https://h.example"),
]


# Read now, and refused at start-up when they cannot work: an algorithm other than Zaqar's
# one, [trustee] without Keystone (test_encryption.py and test_keystone_trusts.py show them
# taking effect).
@pytest.mark.parametrize("extra,text", [
    ({"transport": {"message_encryption_algorithms": "AES128"}},
     "message_encryption_algorithms: invalid value 'AES128'"),
    ({"transport": {"message_encryption_key": ""}}, "message_encryption_key"),
    ({"trustee": {"auth_url": "http://127.0.0.1:1/v3", "username": "t"}},
     "auth_strategy = keystone"),
    ({"trustee": {"auth_type": "token"}}, "auth_type: invalid value 'token'"),
])
def test_encryption_and_trustee_options_are_checked(tmp_path, extra, text):
    started, stderr = run_zaqard(str(tmp_path), extra, expect_start=False)
    assert not started
    assert text in stderr, stderr


@pytest.mark.parametrize("section,name,value", REFUSED,
                         ids=[f"{s}.{n}" for s, n, _ in REFUSED])
def test_refused_option_stops_start_up_naming_it(tmp_path, section, name, value):
    started, stderr = run_zaqard(str(tmp_path), {section: {name: value}}, expect_start=False)
    assert not started, stderr
    assert f"[{section}] {name}" in stderr, stderr
    assert "not supported by zaqard" in stderr, stderr


def test_refused_options_are_all_in_the_table_or_known():
    refused_in_table = {key for key, setter in TABLE.items() if "refused(" in setter}
    tested = {("default" if s == "DEFAULT" else s, n) for s, n, _ in REFUSED}
    missing = {k for k in refused_in_table - tested if k[0] != "drivers:storage:redis"}
    assert not missing, f"refused options without a start-up test: {sorted(missing)}"
