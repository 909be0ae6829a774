"""An SMTP sink for the notifier tests (aiosmtpd).

Usage: smtp_sink.py RECORD_FILE [--auth USER:PASSWORD] [--tls CERT KEY]
Prints its loopback port on the first stdout line and appends one JSON line per
received message to RECORD_FILE: {"mail_from", "rcpt_tos", "data", "auth", "tls",
"tls_version"} (tls_version: e.g. "TLSv1.2", null without STARTTLS).
--tls offers STARTTLS and requires it before MAIL. --auth requires AUTH (PLAIN/LOGIN),
after STARTTLS when --tls is given, else without TLS.
"""
import asyncio
import json
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

args = sys.argv[1:]
record = args.pop(0)
auth = None
tls = None
while args:
    flag = args.pop(0)
    if flag == "--auth":
        auth = args.pop(0).split(":", 1)
    elif flag == "--tls":
        tls = (args.pop(0), args.pop(0))


class Handler:
    async def handle_DATA(self, server, session, envelope):
        with open(record, "a") as f:
            f.write(json.dumps({
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "data": envelope.content.decode("utf-8", "replace"),
                "auth": bool(session.authenticated),
                "tls": session.ssl is not None,
                "tls_version": (session.ssl["ssl_object"].version()
                                if session.ssl is not None else None),
            }) + "\n")
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (auth is not None and auth_data.login.decode() == auth[0]
          and auth_data.password.decode() == auth[1])
    return AuthResult(success=ok)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


kwargs = {}
if auth:
    kwargs.update(authenticator=authenticator, auth_required=True,
                  auth_require_tls=tls is not None)
if tls:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*tls)
    kwargs.update(tls_context=context, require_starttls=True)
port = free_port()
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print(port, flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
