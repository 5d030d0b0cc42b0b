"""Hang forensics, run inside the container by flakehunt before it stops a hung iteration.

Prints the process list (from /proc, so procps is not needed), a py-spy dump of each Python
process when py-spy is installed, and every thread's stack of each pytest process that loaded the
flakehunt plugin (which registered faulthandler on SIGUSR1 and left a pid file).
"""
import glob
import os
import shutil
import signal
import subprocess
import time

ARTIFACTS = os.environ.get("FLAKEHUNT_ARTIFACTS", "/flakehunt/artifacts")
REPORTS = os.path.join(ARTIFACTS, "flakehunt")


def processes():
    rows = []
    for entry in sorted(glob.glob("/proc/[0-9]*"), key=lambda p: int(p.rsplit("/", 1)[1])):
        try:
            with open(entry + "/stat") as f:
                stat = f.read()
            with open(entry + "/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        rows.append((int(entry.rsplit("/", 1)[1]), int(fields[1]), fields[0], cmd or stat[stat.index("(") : stat.rindex(")") + 1]))
    return rows


def main():
    # Outside a container (the local executor) the harness lists the process group itself.
    in_container = os.environ.get("FLAKEHUNT_FORENSICS_LOCAL") != "1"
    rows = processes() if in_container else []
    if in_container:
        print("== processes (pid ppid state command) ==")
    for pid, ppid, state, cmd in rows:
        if pid != os.getpid():
            print("%6d %6d %s %s" % (pid, ppid, state, cmd[:300]))
    py_spy = shutil.which("py-spy")
    if py_spy and in_container:
        for pid, _, _, cmd in rows:
            if "python" in cmd and pid != os.getpid():
                print("== py-spy dump --pid %d ==" % pid)
                subprocess.run([py_spy, "dump", "--pid", str(pid)], timeout=20, check=False)
    sizes = {}
    for pid_file in glob.glob(os.path.join(REPORTS, "pid-*")):
        pid = int(pid_file.rsplit("-", 1)[1])
        with open(pid_file) as f:
            stacks = os.path.join(REPORTS, "stacks-%s.txt" % f.read().strip())
        sizes[stacks] = os.path.getsize(stacks) if os.path.exists(stacks) else 0
        try:
            os.kill(pid, signal.SIGUSR1)
        except OSError:
            sizes.pop(stacks)
    deadline = time.monotonic() + 3
    while sizes and time.monotonic() < deadline:
        if all(os.path.exists(s) and os.path.getsize(s) > n for s, n in sizes.items()):
            break
        time.sleep(0.05)
    for stacks, before in sorted(sizes.items()):
        print("== thread stacks: %s ==" % os.path.basename(stacks))
        with open(stacks, errors="replace") as f:
            f.seek(before)
            print(f.read())


if __name__ == "__main__":
    main()
