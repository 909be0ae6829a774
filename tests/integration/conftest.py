"""pytest fixtures: one redis-server + zaqard per test module, a fresh project per test;
a real Keystone (keystone_server.py) per test session, for the modules that ask for it.

Module scope keeps the suite fast; a fresh project id (uuid) per test keeps tests
independent. At teardown zaqard gets SIGTERM and the module fails if it exited non-zero
or printed a sanitizer report.
"""

import os
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keystone_server  # noqa: E402
import zaqard_harness as harness  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: waits for claim/message TTLs (>= 60 s)")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from harness.running_stack(str(tmp_path_factory.mktemp("stack")))


@pytest.fixture
def api(stack):
    """A client with a fresh project and Client-ID."""
    return stack.client(project="p-" + uuid.uuid4().hex)


@pytest.fixture
def base_url(stack):
    return stack.base_url


@pytest.fixture(scope="session")
def real_keystone(tmp_path_factory):
    """Debian's Keystone under uwsgi, built once per session (database, keys, accounts)."""
    yield from keystone_server.running_keystone(str(tmp_path_factory.mktemp("keystone")))
