"""E-mail notifications end to end through the real zaqard, one stack per transport
configuration: self_local over STARTTLS to an aiosmtpd relay that requires it (certificate
checked against smtp_ca_file, login after STARTTLS), the same with a CA that did not sign
the relay's certificate (dead letter, nothing delivered), and third_part through
smtp_command. The certificates are made at test time with the openssl command."""

import time

import json
import os
import re
import subprocess
import uuid

import pytest

import zaqard_harness as harness
from notify_helpers import SmtpRelayProcess
from test_notifications import fast, notify_config, redis_int, subscribe, wait_until

MAIL_COMMAND = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit", "helpers",
                            "mail_command.py")


def self_signed(directory, name):
    """A self-signed certificate for localhost (and 127.0.0.1) that is its own CA."""
    cert = os.path.join(directory, name + "-cert.pem")
    key = os.path.join(directory, name + "-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("certs"))
    return {"relay": self_signed(directory, "relay"), "other": self_signed(directory, "other")}


@pytest.fixture(scope="module")
def relay(tmp_path_factory, certs):
    sink = SmtpRelayProcess(str(tmp_path_factory.mktemp("relay")), tls=certs["relay"],
                            auth=("zaqar", "s3cret")).start()
    yield sink
    sink.stop()


def tls_config(relay, ca_file):
    # localhost, not 127.0.0.1: libesmtp matches the certificate's DNS names only.
    return notify_config(smtp_mode="self_local", smtp_host="localhost", smtp_port=relay.port,
                         smtp_starttls="required", smtp_ca_file=ca_file,
                         smtp_user_name="zaqar", smtp_user_password="s3cret")


def start_stack(tmp_path_factory, name, config):
    return harness.running_stack(str(tmp_path_factory.mktemp(name)), extra_config=config)


@pytest.fixture(scope="module")
def tls_stack(tmp_path_factory, relay, certs):
    yield from start_stack(tmp_path_factory, "smtp-tls", tls_config(relay, certs["relay"][0]))


@pytest.fixture(scope="module")
def wrong_ca_stack(tmp_path_factory, relay, certs):
    yield from start_stack(tmp_path_factory, "smtp-wrong-ca", tls_config(relay, certs["other"][0]))


def new_api(stack):
    return stack.client(project="p-" + uuid.uuid4().hex)


def mail_body(data):
    return json.loads(data.replace("\r\n", "\n").split("\n\n", 1)[1].strip())


def test_mailto_over_starttls_with_ca_file_and_login(tls_stack, relay):
    api = new_api(tls_stack)
    before = len(relay.messages())
    subscribe(api, "tlsq", "mailto:ops@example.com",
              options={"from": "zaqar@example.com", "subject": "Over TLS"})
    # Several e-mails, one session each. Before the fix, about every second session over
    # STARTTLS hung in libesmtp for zaqard's 10 s SMTP timeout and ended with QUIT (the
    # e-mail came only with a retry, if at all).
    started = time.monotonic()
    api.post_messages("tlsq", [{"body": {"n": n}, "ttl": 300} for n in range(6)])
    mails = relay.wait_for(before + 6)[before:]
    assert time.monotonic() - started < 8
    assert sorted(mail_body(m["data"])["body"]["n"] for m in mails) == list(range(6))
    for mail in mails:
        assert mail["rcpt_tos"] == ["ops@example.com"]
        assert mail["mail_from"] == "zaqar@example.com"
        assert "subject: Over TLS\r\n" in mail["data"]
        assert mail["tls"] and mail["tls_version"] == "TLSv1.2"
        assert mail["auth"]
        body = mail_body(mail["data"])
        assert body["queue_name"] == "tlsq" and body["Message_Type"] == "Notification"
        assert body["ttl"] == 300
    assert redis_int(tls_stack, "XLEN", "z:nd:{" + api.project + "/tlsq}") == 0


def dead_letter_reasons(stack, api, queue):
    entries = stack.redis.command("XRANGE", "z:nd:{" + api.project + "/" + queue + "}", "-", "+")
    return [m.group(2).decode() for m in
            re.finditer(rb"\$6\r\nreason\r\n\$(\d+)\r\n([^\r]*)\r\n", entries)]


def test_wrong_ca_is_not_delivered_and_dead_letters(wrong_ca_stack, relay):
    api = new_api(wrong_ca_stack)
    before = len(relay.messages())
    subscribe(api, "badcaq", "mailto:ops@example.com",
              options={"subject": "Must not arrive", "_retry_policy": fast(1)})
    api.post_messages("badcaq", [{"body": "secret", "ttl": 300}])
    wait_until(lambda: dead_letter_reasons(wrong_ca_stack, api, "badcaq"), timeout=30,
               what="a dead letter")
    reasons = dead_letter_reasons(wrong_ca_stack, api, "badcaq")
    assert reasons == ["retries exhausted; last error: "
                       "the SMTP server's TLS certificate could not be verified"]
    assert "certificate could not be verified" in wrong_ca_stack.zaqard.stderr_text()
    assert len(relay.messages()) == before


def test_third_part_runs_smtp_command(tmp_path_factory):
    output = str(tmp_path_factory.mktemp("mailer") / "mail.txt")
    command = f"/usr/bin/python3 {MAIL_COMMAND} {output} 0 -t -oi"
    config = notify_config(smtp_mode="third_part", smtp_command=command,
                           # ignored by third_part: must not be used
                           smtp_host="localhost", smtp_port=harness.free_port())
    for stack in start_stack(tmp_path_factory, "smtp-command", config):
        api = new_api(stack)
        subscribe(api, "cmdq", "mailto:ops@example.com", options={"subject": "By command"})
        api.post_messages("cmdq", [{"body": {"a": 1}, "ttl": 300}])
        wait_until(lambda: os.path.exists(output + ".args"), timeout=20, what="the mailer")
        with open(output + ".args") as f:
            assert f.read() == "-t\n-oi"
        with open(output) as f:
            text = f.read()
        assert "to: ops@example.com\n" in text and "subject: By command\n" in text
        assert mail_body(text)["body"] == {"a": 1}
