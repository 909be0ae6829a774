"""What users run: the `openstack` CLI (python3-openstackclient with python-zaqarclient's
messaging plugin) against a real Keystone (keystone_server.py) and zaqard with
auth_strategy = keystone. The CLI logs in to Keystone with the OS_* variables, finds
zaqard in the catalog (messaging, public, RegionOne) and sends Keystone's token; zaqard
validates it with Keystone. Outputs are read with -f json."""

import json
import os
import subprocess
import uuid

import pytest

import zaqard_harness as harness
from keystone_server import USER_PASSWORD

OPENSTACK = "/usr/bin/openstack"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, real_keystone):
    workdir = str(tmp_path_factory.mktemp("cli"))
    config = {"DEFAULT": {"auth_strategy": "keystone"},
              "keystone_authtoken": real_keystone.authtoken_config(real_keystone.url)}
    st = harness.Stack(workdir, extra_config=config)
    st.redis.start()
    try:
        st.zaqard = harness.ZaqardProcess(workdir, st.redis.port, config)
        st.zaqard.start(any_status=True)  # /v2/ping needs a token
        real_keystone.register_messaging(st.base_url)
        yield st
    finally:
        problems = st.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def project(real_keystone):
    """A fresh project where demo-member is a member; its name."""
    name = "cli-" + uuid.uuid4().hex[:8]
    real_keystone.grant("demo-member", "member", real_keystone.create_project(name))
    return name


def openstack(keystone, project, *args, user="demo-member", expect_ok=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update({"OS_AUTH_URL": keystone.auth_url, "OS_USERNAME": user,
                "OS_PASSWORD": USER_PASSWORD, "OS_PROJECT_NAME": project,
                "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
                "OS_IDENTITY_API_VERSION": "3", "OS_INTERFACE": "public",
                "OS_REGION_NAME": "RegionOne", "HOME": keystone.workdir,
                "OS_MESSAGE_CLIENT_ID": str(uuid.uuid4())})  # message commands need one
    r = subprocess.run([OPENSTACK] + list(args), env=env, capture_output=True, text=True,
                       timeout=120)
    if expect_ok:
        assert r.returncode == 0, f"openstack {' '.join(args)}: {r.returncode}\n" \
                                  f"{r.stdout}\n{r.stderr}"
    return r


def as_json(r):
    return json.loads(r.stdout) if r.stdout.strip() else None


def test_queue_message_and_subscription_ttl_update(stack, real_keystone, project):
    ks = real_keystone
    assert as_json(openstack(ks, project, "messaging", "queue", "create", "cliq",
                             "-f", "json")) == {"Name": "cliq"}
    openstack(ks, project, "messaging", "message", "post", "cliq",
              json.dumps([{"body": {"n": 1}, "ttl": 300}, {"body": "two", "ttl": 300}]))
    listed = as_json(openstack(ks, project, "messaging", "message", "list", "cliq",
                               "--echo", "-f", "json"))
    assert sorted(json.dumps(m["Body"]) for m in listed) == ['"two"', '{"n": 1}'], listed

    hook = "http://127.0.0.1:9/hook"
    created = as_json(openstack(ks, project, "messaging", "subscription", "create", "cliq",
                                hook, "3600", "-f", "json"))
    assert (created["Subscriber"], created["TTL"], created["Options"]) == (hook, 3600, {}), \
        created
    sub_id = created["ID"]
    # python-zaqarclient sends {"subscriber": null, "ttl": 7200, "options": {}}.
    openstack(ks, project, "messaging", "subscription", "update", "cliq", sub_id,
              "--ttl", "7200", "-f", "json")
    shown = as_json(openstack(ks, project, "messaging", "subscription", "show", "cliq",
                              sub_id, "-f", "json"))
    assert (shown["ID"], shown["Subscriber"], shown["TTL"], shown["Options"]) == \
        (sub_id, hook, 7200, {}), shown


def test_queues_belong_to_the_token_project(stack, real_keystone, project):
    ks = real_keystone
    openstack(ks, project, "messaging", "queue", "create", "mine")
    assert as_json(openstack(ks, project, "messaging", "queue", "list", "-f", "json")) == \
        [{"Name": "mine"}]
    other = "cli-" + uuid.uuid4().hex[:8]
    ks.grant("demo-member", "member", ks.create_project(other))
    assert as_json(openstack(ks, other, "messaging", "queue", "list", "-f", "json")) == []

