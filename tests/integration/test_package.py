"""The Debian package (scripts/package.sh, cmake/Packaging.cmake), installed for real:
dpkg -i, the files in their paths, the unit checked by systemd-analyze verify, the man
page rendered by man, zaqard started from its installed paths (the unit's ExecStart, the
installed /etc/zaqar/zaqar.conf) against a redis-server of the test's, READY=1 through
NOTIFY_SOCKET, REST requests, a stop by PID, then dpkg -P.

Installing a package changes the machine, so this runs as root only (CI runs as root on a
throwaway machine) and never when a zaqard package is installed already. The .deb is
$ZAQARD_DEB when set (scripts/test.sh builds it before ctest), else scripts/package.sh
builds it here (a release build: minutes on 2 cores without ccache)."""

import fcntl
import gzip
import os
import re
import shlex
import signal
import subprocess

import pytest

import zaqard_harness as harness
from sd_notify_listener import NotifyListener

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = "/usr/bin/zaqard"
CONFIG = "/etc/zaqar/zaqar.conf"
UNIT = "/lib/systemd/system/zaqard.service"
MAN = "/usr/share/man/man8/zaqard.8.gz"

if os.geteuid() != 0:
    pytest.skip("installs the .deb with dpkg -i and removes it with dpkg -P: needs root "
                "(CI runs as root)", allow_module_level=True)


def run(args, check=True, **kw):
    proc = subprocess.run(args, capture_output=True, text=True, timeout=kw.pop("timeout", 600),
                          **kw)
    if check:
        assert proc.returncode == 0, (args, proc.stdout[-3000:], proc.stderr[-3000:])
    return proc


def installed_version():
    proc = run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", "zaqard"], check=False)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def man_pages_excluded():
    """Minimal Debian images tell dpkg not to install man pages (path-exclude)."""
    folder = "/etc/dpkg/dpkg.cfg.d"
    for name in os.listdir(folder) if os.path.isdir(folder) else []:
        with open(os.path.join(folder, name), errors="replace") as f:
            if re.search(r"^path-exclude[= ]/usr/share/man/", f.read(), re.M):
                return os.path.join(folder, name)
    return None


def build_deb():
    deb = os.environ.get("ZAQARD_DEB")
    if deb:
        assert os.path.isfile(deb), f"ZAQARD_DEB={deb} does not exist"
        return deb
    out = run(["bash", os.path.join(ROOT, "scripts", "package.sh")], timeout=1800).stdout
    return out.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def package():
    """Installs the .deb for the module's tests, purges it at the end."""
    # One package test per machine at a time (dpkg has one database).
    with open("/run/lock/zaqard-package-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed_version().startswith(("ii", "iU", "iF", "rc")):
            pytest.skip("a zaqard package is installed on this machine already "
                        f"({installed_version()}): not touching it")
        if os.path.exists("/etc/zaqar"):
            # dpkg -P would remove a config this machine's owner put there (Zaqar's own).
            pytest.skip("/etc/zaqar exists on this machine: not installing over it")
        deb = build_deb()
        try:
            run(["dpkg", "-i", deb], timeout=300)
            yield deb
        finally:
            run(["dpkg", "-P", "zaqard"], check=False, timeout=300)
        # Purged: nothing of it is left.
        assert installed_version() == ""
        for path in (BINARY, CONFIG, UNIT, MAN, "/etc/zaqar"):
            assert not os.path.exists(path), f"{path} left after dpkg -P"


def test_files_land_in_their_paths(package):
    listed = set(run(["dpkg-query", "-L", "zaqard"]).stdout.split())
    for path in (BINARY, CONFIG, UNIT) + (() if man_pages_excluded() else (MAN,)):
        assert path in listed, (path, sorted(listed))
        assert os.path.isfile(path), path
    assert os.access(BINARY, os.X_OK)
    with open(CONFIG, "rb") as installed, open(os.path.join(ROOT, "conf", "zaqar.conf"),
                                               "rb") as source:
        assert installed.read() == source.read()
    if not man_pages_excluded():
        with gzip.open(MAN, "rb") as page, open(os.path.join(ROOT, "packaging", "zaqard.8"),
                                                 "rb") as source:
            assert page.read() == source.read()
    # The config is a conffile: dpkg keeps an operator's edits on upgrade.
    conffiles = run(["dpkg-query", "-W", "-f=${Conffiles}", "zaqard"]).stdout
    assert re.search(r"^ /etc/zaqar/zaqar.conf [0-9a-f]{32}$", conffiles, re.M), conffiles
    assert run([BINARY, "--version"]).stdout.startswith("zaqard ")


def test_control_fields_and_a_release_binary(package):
    fields = run(["dpkg-deb", "-f", package, "Package", "Depends", "Recommends"]).stdout
    assert "Package: zaqard" in fields
    assert re.search(r"^Recommends: redis-server$", fields, re.M), fields
    depends = re.search(r"^Depends: (.*)$", fields, re.M).group(1)
    # From dpkg-shlibdeps: the libraries zaqard links, with versions.
    for library in ("libc6", "libevent-2.1-7", "libhiredis0.14", "libsystemd0",
                    "libwebsockets17"):
        assert re.search(rf"\b{re.escape(library)}\b( \(>= [^)]+\))?", depends), depends
    # The release build: no sanitizer runtime linked or listed.
    assert "libasan" not in depends and "libubsan" not in depends, depends
    linked = run(["ldd", BINARY]).stdout
    assert "libasan" not in linked and "libubsan" not in linked, linked
    assert "libsystemd.so.0" in linked, linked


def test_unit_passes_systemd_analyze_verify(package):
    proc = run(["systemd-analyze", "verify", UNIT], check=False, timeout=60)
    # verify also loads other units of the machine and may warn about them; nothing may
    # concern ours.
    about_ours = [line for line in (proc.stdout + proc.stderr).splitlines()
                  if "zaqard" in line]
    assert proc.returncode == 0 and about_ours == [], (proc.returncode, proc.stdout,
                                                       proc.stderr)
    with open(UNIT) as f:
        unit = f.read()
    for directive in ("Type=notify", "ExecStart=/usr/bin/zaqard --config /etc/zaqar/zaqar.conf",
                      "DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes",
                      "CapabilityBoundingSet=\n", "LimitNOFILE=65536", "Restart=on-failure"):
        assert directive in unit, directive
    # systemd's own rating of the sandbox, from the unit file alone (0 best, 10 worst;
    # "OK" up to 4.9): the settings above and the rest of the unit's hardening.
    proc = run(["systemd-analyze", "security", "--offline=yes", UNIT], timeout=60)
    level = re.search(r"Overall exposure level for zaqard.service: ([0-9.]+)", proc.stdout)
    assert level and float(level.group(1)) <= 2.0, proc.stdout[-3000:]


def test_man_page_renders(package):
    if man_pages_excluded():
        pytest.skip(f"{man_pages_excluded()} tells dpkg not to install man pages")
    proc = run(["man", "--warnings", "8", "zaqard"], env=dict(os.environ, MANWIDTH="80",
                                                              MANPAGER="cat", PAGER="cat"))
    assert proc.stderr == "", proc.stderr
    assert "zaqard - multi-tenant messaging service" in proc.stdout, proc.stdout[:500]
    for heading in ("SYNOPSIS", "OPTIONS", "SIGNALS", "SYSTEMD", "FILES"):
        assert re.search(rf"^{heading}$", proc.stdout, re.M), heading
    # The page's footer names the packaged version (packaging/zaqard.8's .TH line).
    version = run(["dpkg-deb", "-f", package, "Version"]).stdout.strip()
    assert re.search(rf"^zaqard {re.escape(version)} +\S", proc.stdout, re.M), \
        (version, proc.stdout[-300:])


def test_check_config_with_the_installed_binary(package, tmp_path):
    proc = run([BINARY, "--check-config", CONFIG])
    assert proc.stdout.splitlines() == [f"{CONFIG}: OK"]
    bad = tmp_path / "bad.conf"
    bad.write_text("[DEFAULT]\nadmin_mod = true\n")
    proc = run([BINARY, "--check-config", str(bad)], check=False)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f"{bad}:2: unknown option 'admin_mod' in [DEFAULT] (did you mean 'admin_mode'?)"]


def unit_exec_start():
    with open(UNIT) as f:
        for line in f:
            if line.startswith("ExecStart="):
                return shlex.split(line[len("ExecStart="):])
    raise AssertionError("no ExecStart in the unit")


def test_installed_zaqard_is_ready_and_serves(package, tmp_path):
    redis = harness.RedisProcess(str(tmp_path / "redis")).start()
    listener = NotifyListener()
    http_port, ws_port = harness.free_port(), harness.free_port()
    # The installed config, pointed at the test's Redis and free ports (dpkg -P removes
    # the edited conffile too).
    harness.write_config(CONFIG, http_port, redis.port, ws_port=ws_port)
    command = unit_exec_start()
    assert command == [BINARY, "--config", CONFIG]
    stderr_path = tmp_path / "zaqard.stderr"
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(command, stdout=err, stderr=err,
                                env=dict(os.environ, NOTIFY_SOCKET=listener.path))
    try:
        ready = listener.wait_for("READY", "1", 30)
        assert ready is not None, (listener.messages, stderr_path.read_text()[-3000:])
        assert f"http://127.0.0.1:{http_port}" in ready["STATUS"], ready
        api = harness.Client(f"http://127.0.0.1:{http_port}")
        api.create_queue("packaged")
        api.post_messages("packaged", [{"ttl": 300, "body": {"from": "the .deb"}}])
        listed = api.list_messages("packaged", echo=True)["messages"]
        assert [m["body"] for m in listed] == [{"from": "the .deb"}]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, stderr_path.read_text()[-3000:]
        assert listener.wait_for("STOPPING", "1", 2) is not None, listener.messages
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        listener.close()
        redis.stop()
