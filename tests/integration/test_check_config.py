"""zaqard --check-config FILE: the real binary on good and bad files. Every problem is
one "FILE:LINE: ..." line on stdout, exit status 1; a clean file prints "FILE: OK" and
exits 0. Nothing is started: no listener, no Redis connection."""

import os
import socket
import subprocess

import zaqard_harness as harness

BINARY = os.environ.get("ZAQARD_BIN")


def run_check(path):
    proc = subprocess.run([BINARY, "--check-config", path], capture_output=True, text=True,
                          timeout=30)
    return proc.returncode, proc.stdout.splitlines(), proc.stderr


def write(tmp_path, text):
    path = str(tmp_path / "zaqar.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def test_good_file_is_ok_and_starts_nothing(tmp_path):
    # The port is held here and no Redis runs: a zaqard that started anything would fail
    # or hang instead of answering OK at once.
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        path = str(tmp_path / "good.conf")
        harness.write_config(path, port, harness.free_port(),
                             {"zaqard": {"log_format": "json"}})
        status, lines, stderr = run_check(path)
    assert (status, lines) == (0, [f"{path}: OK"]), stderr


def test_the_sample_config_is_ok():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "conf", "zaqar.conf")
    status, lines, _ = run_check(path)
    assert status == 0 and lines == [f"{path}: OK"]


def test_every_problem_with_its_line(tmp_path):
    path = write(tmp_path, "\n".join([
        "[DEFAULT]",
        "debug = true",
        "admin_mod = true",  # 3: typo
        "",
        "[drivers:transport:wsgi]",
        "prot = 8888",  # 6: typo (a swap)
        "",
        "[notifcation]",  # 8: unknown section
        "smtp_host = localhost",  # 9
        "",
        "[transport]",
        "max_messages_per_page = lots",  # 12: invalid value
        "",
        "[zaqard]",
        "max_requests_per_wakeup = 0",  # 15: out of range
        "frobnicate = 1",  # 16: unknown, nothing close
        "",
    ]))
    status, lines, stderr = run_check(path)
    assert status == 1, (lines, stderr)
    assert lines == [
        f"{path}:3: unknown option 'admin_mod' in [DEFAULT] (did you mean 'admin_mode'?)",
        f"{path}:6: unknown option 'prot' in [drivers:transport:wsgi] (did you mean 'port'?)",
        f"{path}:9: unknown section [notifcation] (option 'smtp_host') "
        "(did you mean [notification]?)",
        f"{path}:12: [transport] max_messages_per_page: invalid value 'lots': "
        "expected an integer",
        f"{path}:15: [zaqard] max_requests_per_wakeup: invalid value '0': expected an "
        "integer from 1 to 1024",
        f"{path}:16: unknown option 'frobnicate' in [zaqard]",
    ]


def test_syntax_error_and_missing_file(tmp_path):
    path = write(tmp_path, "[DEFAULT]\ndebug = true\n[broken\n")
    assert run_check(path)[:2] == (1, [f"{path}:3: syntax error on line 3"])
    missing = str(tmp_path / "missing.conf")
    assert run_check(missing)[:2] == (1, [f"{missing}: cannot open {missing}"])


def test_start_up_still_only_warns_about_unknown_names(tmp_path):
    """The check reports unknown names as errors; start-up keeps them as warnings."""
    redis = harness.RedisProcess(str(tmp_path / "redis"))
    redis.start()
    zaqard = harness.ZaqardProcess(str(tmp_path), redis.port,
                                   {"DEFAULT": {"admin_mod": "true"}})
    try:
        zaqard.start()
        assert harness.Client(zaqard.base_url).get("/v2/ping").status == 204
    finally:
        zaqard.stop()
        redis.stop()
    assert "WARNING config: unknown option 'admin_mod' in [DEFAULT] ignored" in \
        zaqard.stderr_text()
    assert zaqard.problems() == []
    status, lines, _ = run_check(zaqard.config_path)
    assert status == 1 and len(lines) == 1 and "did you mean 'admin_mode'" in lines[0]
