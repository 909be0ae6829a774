"""A stand-in for sendmail: mail_command.py OUTPUT_FILE [EXIT_STATUS] [ARGS...]
Writes its stdin to OUTPUT_FILE, its extra arguments to OUTPUT_FILE.args, and exits
with EXIT_STATUS (default 0)."""
import sys

data = sys.stdin.buffer.read()
with open(sys.argv[1], "wb") as f:
    f.write(data)
with open(sys.argv[1] + ".args", "w") as f:
    f.write("\n".join(sys.argv[3:]))
sys.exit(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
