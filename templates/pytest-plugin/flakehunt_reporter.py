"""flakehunt's in-container pytest plugin.

Records each test's start and outcome the moment it happens, one JSON line per event, into
$FLAKEHUNT_ARTIFACTS/flakehunt/, so a crash or hang that cuts pytest short (before it prints its
failures section) loses nothing. Also registers faulthandler on SIGUSR1, writing every thread's
stack to a file there, so the harness can see where a hung test is stuck before it stops it:
faulthandler's handler is C-level and works even while Python is blocked in native code.

Events (see PluginEvent in src/classify/classification.ts):
  session  rootdir and invocation dir, so every form of a node id can be mapped to one name
  start    a test begins (with the absolute path of its file)
  report   a phase ended; failed ones carry the exception type, pytest's crash line and frames
  collect  a file or package failed to collect
  finish   the session ended normally (a process that died has no finish event)
"""
import faulthandler
import json
import os
import signal

import pytest

_state = {"file": None, "stacks": None, "rootdir": None}
MAX_MESSAGE = 4000
MAX_FRAMES = 30
# pytest's and pluggy's own frames say nothing about where a test failed.
_INTERNAL = (os.sep + "_pytest" + os.sep, os.sep + "pluggy" + os.sep)


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
    line = json.dumps(record)
    # Everywhere in the record, not only messages: a secret can be a parameter of a node id.
    for secret in _secrets():
        line = line.replace(json.dumps(secret)[1:-1], "[redacted]")
    _state["file"].write(line + "\n")
    _state["file"].flush()


def _is_xdist_controller(config):
    # xdist sets `dist` before pytest_configure; its workers carry `workerinput`.
    return getattr(config.option, "dist", "no") != "no" and not hasattr(config, "workerinput")


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
    if _is_xdist_controller(config):
        return
    _state["file"] = open(os.path.join(path, "reports-%s.jsonl" % name), "a", buffering=1)
    _state["rootdir"] = str(config.rootpath)
    _write({
        "event": "session",
        "rootdir": _state["rootdir"],
        "invocationDir": str(config.invocation_params.dir),
        "worker": _worker(),
        "pid": os.getpid(),
    })


def _absolute(relative):
    return os.path.normpath(os.path.join(_state["rootdir"] or os.getcwd(), relative))


def _type_name(kind):
    # As Python's traceback prints it: builtins (and pytest's outcomes, which claim to be) unqualified.
    module = getattr(kind, "__module__", None)
    name = getattr(kind, "__qualname__", getattr(kind, "__name__", "?"))
    return name if module in (None, "builtins", "__main__") else "%s.%s" % (module, name)


def _frames(excinfo):
    frames = []
    for entry in excinfo.traceback:
        path = str(entry.path)
        if any(part in path for part in _INTERNAL):
            continue
        frames.append([path, entry.lineno + 1, entry.name])
    return frames[-MAX_FRAMES:]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is None or not report.failed:
        return
    try:
        report._flakehunt = {"exception": _type_name(call.excinfo.type), "frames": _frames(call.excinfo)}
    except Exception:  # never let the reporter break a test run
        pass


def pytest_runtest_logstart(nodeid, location):
    _write({"event": "start", "nodeid": nodeid, "path": _absolute(location[0]), "worker": _worker()})


def _failure_fields(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        message = crash.message
    else:
        # A missing fixture has no crash entry; its repr's error string says what went wrong.
        message = getattr(report.longrepr, "errorstring", None) or str(report.longrepr)[-2000:]
    fields = {"message": _clean(message)}
    if crash is not None:
        fields["crash"] = {"path": str(crash.path), "lineno": crash.lineno}
    extra = getattr(report, "_flakehunt", None)
    if extra is not None:
        fields["exception"] = extra["exception"]
        fields["frames"] = extra["frames"]
    return fields


def pytest_runtest_logreport(report):
    record = {
        "event": "report",
        "nodeid": report.nodeid,
        "when": report.when,
        "outcome": report.outcome,
        "message": None,
        "worker": _worker(),
    }
    if report.failed:
        record.update(_failure_fields(report))
    _write(record)


def pytest_collectreport(report):
    if not report.failed:
        return
    record = {"event": "collect", "nodeid": report.nodeid, "outcome": "failed", "worker": _worker()}
    record.update(_failure_fields(report))
    _write(record)


def pytest_sessionfinish(session, exitstatus):
    _write({"event": "finish", "exitstatus": int(exitstatus), "worker": _worker()})
