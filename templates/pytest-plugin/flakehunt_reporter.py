"""flakehunt's in-container pytest plugin.

Records each test's start and outcome the moment it happens, one JSON line per event, into
$FLAKEHUNT_ARTIFACTS/flakehunt/, so a crash or hang that cuts pytest short (before it prints its
failures section) loses nothing. Also registers faulthandler on SIGUSR1, writing every thread's
stack to a file there, so the harness can see where a hung test is stuck before it stops it:
faulthandler's handler is C-level and works even while Python is blocked in native code.
"""
import faulthandler
import json
import os
import signal

_state = {"file": None, "stacks": None}
MAX_MESSAGE = 4000


def _secrets():
    # flakehunt names the variables that hold secrets; their values never go into a report.
    names = [n for n in os.environ.get("FLAKEHUNT_SECRET_NAMES", "").split(",") if n]
    values = [os.environ.get(n, "") for n in names]
    return sorted({v for v in values if len(v) >= 4}, key=len, reverse=True)


def _clean(message):
    for secret in _secrets():
        message = message.replace(secret, "[redacted]")
    return message[:MAX_MESSAGE]


def _worker():
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _reports_dir():
    base = os.environ.get("FLAKEHUNT_ARTIFACTS")
    if not base:
        return None
    path = os.path.join(base, "flakehunt")
    os.makedirs(path, exist_ok=True)
    return path


def _write(record):
    if _state["file"] is None:
        return
    _state["file"].write(json.dumps(record) + "\n")
    _state["file"].flush()


def pytest_configure(config):
    path = _reports_dir()
    if path is None:
        return
    name = "%s-%d" % (_worker(), os.getpid())
    if hasattr(signal, "SIGUSR1"):
        _state["stacks"] = open(os.path.join(path, "stacks-%s.txt" % name), "a")
        faulthandler.register(signal.SIGUSR1, file=_state["stacks"], all_threads=True)
        # Tells the forensics script which processes can take SIGUSR1 without dying of it.
        with open(os.path.join(path, "pid-%d" % os.getpid()), "w") as pid_file:
            pid_file.write(name)
    # Under xdist the controller only relays the workers' reports: let the workers write them.
    if config.pluginmanager.has_plugin("dsession"):
        return
    _state["file"] = open(os.path.join(path, "reports-%s.jsonl" % name), "a", buffering=1)


def pytest_runtest_logstart(nodeid, location):
    _write({"event": "start", "nodeid": nodeid, "worker": _worker()})


def pytest_runtest_logreport(report):
    message = None
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        message = _clean(crash.message if crash is not None else str(report.longrepr)[-2000:])
    _write({
        "event": "report",
        "nodeid": report.nodeid,
        "when": report.when,
        "outcome": report.outcome,
        "message": message,
        "worker": _worker(),
    })
