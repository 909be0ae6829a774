#!/usr/bin/python3
"""A real Keystone for bench/compare (tests/integration/keystone_server.py: Debian's
keystone under uwsgi on 127.0.0.1, SQLite, fernet tokens). Builds and starts it in
WORKDIR, writes one JSON line to stdout -- zaqard's [keystone_authtoken] options, a
demo-member token and its project id -- then serves until stdin closes, and stops
Keystone (by PID, as the tests do).

    bench/tools/keystone_for_bench.py WORKDIR
"""

import json
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tests", "integration"))
import keystone_server  # noqa: E402


def main():
    # A TERM (bench/compare's cleanup) still stops uwsgi through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    workdir = sys.argv[1]
    os.makedirs(workdir, exist_ok=True)
    ks = keystone_server.KeystoneServer(workdir).build()
    ks.start()
    try:
        ks.setup_accounts()
        project = ks.ids["project:demo"]
        print(json.dumps({"authtoken": ks.authtoken_config(), "token": ks.token(project),
                          "project": project}), flush=True)
        sys.stdin.read()  # until bench/compare closes the pipe
    finally:
        ks.stop()


if __name__ == "__main__":
    main()
