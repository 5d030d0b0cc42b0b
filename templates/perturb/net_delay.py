#!/usr/bin/env python3
"""Delays, jitters and drops the packets a network namespace sends, without tc netem.

flakehunt runs it on the host, inside a container's network namespace only:

    nsenter --net=/proc/PID/ns/net python3 -I -S net_delay.py run --pid PID --netns-inode INO \
        --parent-pid PPID --delay-ms 50 --jitter-ms 10 --loss-percent 1 --seed 7

It binds an NFQUEUE over raw netfilter netlink (linux/netfilter/nfnetlink_queue.h), then sends the
namespace's OUTPUT traffic, loopback included, to that queue from an iptables chain of its own
(mangle table, IPv4 and IPv6, --queue-bypass: with no listener packets flow untouched). Each packet
takes exactly two draws from random.Random(seed): one decides loss (DROP at once), the other its
delay, uniform in [delay - jitter, delay + jitter] like netem's default; the packet is ACCEPTed
when that delay is over. A recorded seed therefore replays the same sequence of decisions.

It ends, removing its rules and releasing every held packet, on SIGTERM/SIGINT/SIGHUP, when its
parent dies (PR_SET_PDEATHSIG, and EOF on stdin), and when the container's process exits (pidfd).
If it is killed outright the rules stay behind in the container's namespace, harmless (bypass) and
gone with it; `remove-rules` deletes them. It refuses to act in any namespace but the one named.

Subcommands: run, remove-rules, self-test (in a throwaway namespace: `unshare --net ...`), draws.
Standard library only; needs Linux >= 5.3 and Python >= 3.9 (os.pidfd_open).
"""

import argparse
import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

NETLINK_NETFILTER = 12
SOL_NETLINK = 270
NETLINK_NO_ENOBUFS = 5
SO_RCVBUFFORCE = 33
NLMSG_ERROR = 2
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQA_CFG_MASK = 4
NFQA_CFG_FLAGS = 5
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
# FAIL_OPEN: when the queue or our socket is full the kernel accepts the packet undelayed rather
# than dropping it (the perturbation never adds loss that was not asked for). GSO: loopback's
# 64 KiB segments come whole, not cut into MTU-sized packets first; we never read the payload.
NFQA_CFG_F_FAIL_OPEN = 1 << 0
NFQA_CFG_F_GSO = 1 << 2
NF_DROP = 0
NF_ACCEPT = 1
PR_SET_PDEATHSIG = 1
PR_SET_TIMERSLACK = 29
NLA_TYPE_MASK = 0x3FFF

DEFAULT_QUEUE = 4915
QUEUE_MAXLEN = 16384
RCVBUF_BYTES = 8 << 20
CHAIN = 'FLAKEHUNT_NET_DELAY'
IPTABLES = {
    'ipv4': ('iptables', 'iptables-nft', 'iptables-legacy'),
    'ipv6': ('ip6tables', 'ip6tables-nft', 'ip6tables-legacy'),
}
# A packet due within this much is released now rather than after one more wait.
RELEASE_SLACK_S = 0.00005
MAX_VERDICTS_PER_SEND = 1024
DRAIN_QUIET_S = 0.02

PACKET_TYPE = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET
NLMSG_HEADER = struct.Struct('=IHHII')
NLA_HEADER = struct.Struct('=HH')
BE32 = struct.Struct('>I')
VERDICT_BODY = struct.Struct('>II')


class Refused(Exception):
    """A condition under which the helper must not touch anything; the message says which."""


def nlattr(attr_type, data):
    length = NLA_HEADER.size + len(data)
    return NLA_HEADER.pack(length, attr_type) + data + b'\0' * (-length % 4)


def nfqueue_message(msg_type, flags, seq, queue, attributes, trailing=0):
    """nlmsghdr + nfgenmsg + attributes; `trailing` bytes the caller appends are counted in the length."""
    body = struct.pack('=BB', socket.AF_UNSPEC, 0) + struct.pack('>H', queue) + attributes
    length = NLMSG_HEADER.size + len(body) + trailing
    return NLMSG_HEADER.pack(length, (NFNL_SUBSYS_QUEUE << 8) | msg_type, flags, seq, 0) + body


class NfQueue:
    """One bound queue: packets in (ids only, copy mode META), verdicts out."""

    def __init__(self, queue):
        self.queue = queue
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.bind((0, 0))
        self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF_BYTES)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
        self.buffer = bytearray(1 << 18)
        self.seq = 0
        self.errors = 0
        # Every verdict message is this prefix and (verdict, id): 32 bytes, no ack asked for.
        attribute = NLA_HEADER.pack(NLA_HEADER.size + VERDICT_BODY.size, NFQA_VERDICT_HDR)
        self.verdict_prefix = nfqueue_message(NFQNL_MSG_VERDICT, NLM_F_REQUEST, 0, queue, attribute, VERDICT_BODY.size)
        self._configure()

    def fileno(self):
        return self.sock.fileno()

    def _request(self, attributes):
        self.seq += 1
        self.sock.send(nfqueue_message(NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, self.seq, self.queue, attributes))
        while True:
            size = self.sock.recv_into(self.buffer)
            offset = 0
            while offset + NLMSG_HEADER.size <= size:
                length, msg_type, _, seq, _ = NLMSG_HEADER.unpack_from(self.buffer, offset)
                if msg_type == NLMSG_ERROR and seq == self.seq:
                    error = struct.unpack_from('=i', self.buffer, offset + NLMSG_HEADER.size)[0]
                    if error:
                        raise OSError(-error, os.strerror(-error))
                    return
                offset += (length + 3) & ~3

    def _configure(self):
        try:
            self._request(nlattr(NFQA_CFG_CMD, struct.pack('>BBH', NFQNL_CFG_CMD_BIND, 0, socket.AF_UNSPEC)))
        except OSError as error:
            raise Refused(f'cannot bind NFQUEUE {self.queue} in this namespace ({error.strerror}): '
                          'the kernel needs CONFIG_NETFILTER_NETLINK_QUEUE, and the queue must be free') from error
        flags = NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO
        self._request(nlattr(NFQA_CFG_PARAMS, struct.pack('>IB', 0, NFQNL_COPY_META))
                      + nlattr(NFQA_CFG_QUEUE_MAXLEN, BE32.pack(QUEUE_MAXLEN))
                      + nlattr(NFQA_CFG_MASK, BE32.pack(flags))
                      + nlattr(NFQA_CFG_FLAGS, BE32.pack(flags)))

    def receive(self, limit):
        """Up to `limit` queued packet ids, without blocking."""
        ids = []
        buffer = self.buffer
        while len(ids) < limit:
            try:
                size = self.sock.recv_into(buffer, 0, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            except OSError:  # ENOBUFS: the kernel failed open on what it could not deliver
                self.errors += 1
                continue
            offset = 0
            while offset + NLMSG_HEADER.size <= size:
                length, msg_type = struct.unpack_from('=IH', buffer, offset)
                if msg_type == PACKET_TYPE:
                    packet_id = self._packet_id(buffer, offset + NLMSG_HEADER.size + 4, offset + length)
                    if packet_id is not None:
                        ids.append(packet_id)
                elif msg_type == NLMSG_ERROR and struct.unpack_from('=i', buffer, offset + NLMSG_HEADER.size)[0]:
                    self.errors += 1
                offset += (length + 3) & ~3
        return ids

    @staticmethod
    def _packet_id(buffer, offset, end):
        while offset + NLA_HEADER.size <= end:
            length, attr_type = NLA_HEADER.unpack_from(buffer, offset)
            if length < NLA_HEADER.size:
                return None
            if attr_type & NLA_TYPE_MASK == NFQA_PACKET_HDR:
                return BE32.unpack_from(buffer, offset + NLA_HEADER.size)[0]
            offset += (length + 3) & ~3
        return None

    def verdicts(self, decisions):
        """Sends (packet_id, verdict) pairs, many messages to a datagram."""
        prefix, pack = self.verdict_prefix, VERDICT_BODY.pack
        for start in range(0, len(decisions), MAX_VERDICTS_PER_SEND):
            chunk = decisions[start:start + MAX_VERDICTS_PER_SEND]
            self.sock.send(b''.join(prefix + pack(verdict, packet_id) for packet_id, verdict in chunk))

    def close(self):
        self.sock.close()


class Draws:
    """The seeded decisions: two draws per packet, whatever the outcome, so streams stay aligned."""

    def __init__(self, seed, delay_ms, jitter_ms, loss_percent):
        self.rng = random.Random(seed)
        self.delay_ms, self.jitter_ms, self.loss_percent = delay_ms, jitter_ms, loss_percent

    def next(self):
        """(lost, delay in ms) for the next packet."""
        lost = self.rng.random() * 100.0 < self.loss_percent
        delay = self.delay_ms + (2.0 * self.rng.random() - 1.0) * self.jitter_ms
        return lost, max(0.0, delay)


class Delayer:
    """The event loop: queued packets in, verdicts out when due; stops on any watched event."""

    def __init__(self, queue, draws, watched_pidfd=None, watch_stdin=False, trace=None):
        self.queue, self.draws, self.trace = queue, draws, trace
        self.pending = []
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        self.reason = None
        self.stats = {'packets': 0, 'accepted': 0, 'dropped': 0, 'maxPending': 0}
        self.pidfd = watched_pidfd
        self.stdin = sys.stdin.fileno() if watch_stdin else None
        self.watched = [fd for fd in (queue.fileno(), self.wake_r, watched_pidfd, self.stdin) if fd is not None]

    def request_stop(self, reason):
        if self.reason is None:
            self.reason = reason
        try:
            os.write(self.wake_w, b'x')
        except BlockingIOError:
            pass

    def run(self):
        # select(), not poll(): its timeout has microseconds, poll()'s only milliseconds.
        while self.reason is None:
            timeout = max(0.0, self.pending[0][0] - time.monotonic()) if self.pending else None
            readable, _, _ = select.select(self.watched, [], [], timeout)
            for fd in readable:
                if fd == self.queue.fileno():
                    self._take(self.queue.receive(4096))
                elif fd == self.pidfd:
                    self.request_stop('container process exited')
                elif fd == self.stdin and not os.read(fd, 4096):
                    self.request_stop('parent closed stdin')
            self._release(time.monotonic() + RELEASE_SLACK_S)

    def _take(self, ids):
        now = time.monotonic()
        decisions = []
        for packet_id in ids:
            lost, delay_ms = self.draws.next()
            if self.trace is not None:
                self.trace.write(f'{int(lost)} {delay_ms:.6f}\n')
            if lost:
                decisions.append((packet_id, NF_DROP))
            elif delay_ms == 0.0:
                decisions.append((packet_id, NF_ACCEPT))
            else:
                heapq.heappush(self.pending, (now + delay_ms / 1000.0, packet_id))
        self.stats['packets'] += len(ids)
        self.stats['maxPending'] = max(self.stats['maxPending'], len(self.pending))
        self._send(decisions)

    def _release(self, until):
        decisions = []
        pending = self.pending
        while pending and pending[0][0] <= until:
            decisions.append((heapq.heappop(pending)[1], NF_ACCEPT))
        self._send(decisions)

    def _send(self, decisions):
        if decisions:
            self.queue.verdicts(decisions)
            dropped = sum(1 for _, verdict in decisions if verdict == NF_DROP)
            self.stats['dropped'] += dropped
            self.stats['accepted'] += len(decisions) - dropped

    def drain(self):
        """After the rules are gone: every held packet and any still arriving goes out now."""
        self._release(float('inf'))
        quiet_until = time.monotonic() + DRAIN_QUIET_S
        while time.monotonic() < quiet_until:
            ids = self.queue.receive(4096)
            if ids:
                self.stats['packets'] += len(ids)
                self._send([(packet_id, NF_ACCEPT) for packet_id in ids])
                quiet_until = time.monotonic() + DRAIN_QUIET_S
            else:
                select.select([self.queue.fileno()], [], [], DRAIN_QUIET_S / 4)


def iptables(binary, *args):
    try:
        done = subprocess.run([binary, '-w', '5', '-t', 'mangle', *args], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, str(error)
    return done.returncode == 0, done.stderr.strip()


def remove_chain(binary):
    """Deletes our jump(s) and chain; quiet and idempotent."""
    for _ in range(16):
        if not iptables(binary, '-D', 'OUTPUT', '-j', CHAIN)[0]:
            break
    if iptables(binary, '-F', CHAIN)[0]:
        iptables(binary, '-X', CHAIN)


def install_rules(queue):
    """{family: binary} for each family whose rules went in; IPv4 must, IPv6 may fail (kernel without it)."""
    installed, failures = {}, {}
    for family, candidates in IPTABLES.items():
        for binary in candidates:
            ok, error = iptables(binary, '-N', CHAIN)
            if not ok and 'exist' in error:  # left by a helper that was killed: start afresh
                remove_chain(binary)
                ok, error = iptables(binary, '-N', CHAIN)
            if ok:
                ok, error = iptables(binary, '-A', CHAIN, '-j', 'NFQUEUE', '--queue-num', str(queue), '--queue-bypass')
            if ok:
                ok, error = iptables(binary, '-I', 'OUTPUT', '1', '-j', CHAIN)
            if ok:
                installed[family] = binary
                break
            remove_chain(binary)
            failures[family] = f'{binary}: {error}'
    if 'ipv4' not in installed:
        remove_rules(installed.values())
        if 'No such file' in failures['ipv4']:
            raise Refused('iptables not found: install iptables (apt-get install iptables)')
        raise Refused(f'cannot add the NFQUEUE rule ({failures["ipv4"]}): '
                      'the kernel needs CONFIG_NETFILTER_XT_TARGET_NFQUEUE and a mangle table')
    return installed, failures


def remove_rules(binaries):
    for binary in binaries:
        remove_chain(binary)


ALL_IPTABLES = [binary for candidates in IPTABLES.values() for binary in candidates]


def own_netns_inode():
    return os.stat('/proc/self/ns/net').st_ino


def check_namespace(expected_inode):
    actual = own_netns_inode()
    if actual != expected_inode:
        raise Refused(f'this network namespace ({actual}) is not the container\'s ({expected_inode}): refusing to touch it')


def die_with_parent(parent_pid):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise Refused(f'prctl(PR_SET_PDEATHSIG) failed: {os.strerror(ctypes.get_errno())}')
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        raise Refused(f'parent {parent_pid} is gone')
    libc.prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0)  # wake on time: the default slack is 50 us a wait


def watch_container(pid):
    """A pidfd that becomes readable when the container's process exits; checked to be that process."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError as error:
        raise Refused(f'container process {pid} is gone') from error
    try:
        same = os.stat(f'/proc/{pid}/ns/net').st_ino == own_netns_inode()
    except OSError:
        same = False
    if not same:
        os.close(pidfd)
        raise Refused(f'process {pid} is not in this network namespace (the container exited and its pid was reused?)')
    return pidfd


def emit(event, **fields):
    sys.stdout.write(json.dumps({'event': event, **fields}) + '\n')
    sys.stdout.flush()


def command_run(args):
    die_with_parent(args.parent_pid)
    check_namespace(args.netns_inode)
    pidfd = watch_container(args.pid)
    queue = NfQueue(args.queue)
    trace = open(args.trace, 'w', buffering=1 << 16) if args.trace else None
    delayer = Delayer(queue, Draws(args.seed, args.delay_ms, args.jitter_ms, args.loss_percent),
                      watched_pidfd=pidfd, watch_stdin=True, trace=trace)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda number, _frame: delayer.request_stop(signal.Signals(number).name))
    installed = {}
    try:
        installed, failures = install_rules(args.queue)
        emit('ready', queue=args.queue, families=sorted(installed), skipped=failures)
        delayer.run()
    finally:
        remove_rules(installed.values())
        delayer.drain()
        queue.close()
        if trace is not None:
            trace.close()
    emit('stopped', reason=delayer.reason, netlinkErrors=queue.errors, **delayer.stats)


def command_remove_rules(args):
    check_namespace(args.netns_inode)
    remove_rules(ALL_IPTABLES)
    emit('removed')


def bring_loopback_up():
    SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack('16sH22x', b'lo', 0)
        flags = struct.unpack('16sH22x', fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack('16sH22x', b'lo', flags | IFF_UP))


def command_self_test(args):
    """The whole mechanism end to end in a throwaway namespace: one UDP datagram must come late."""
    if own_netns_inode() == args.outer_netns_inode:
        raise Refused('self-test must run in a namespace of its own (unshare --net)')
    bring_loopback_up()
    queue = NfQueue(args.queue)
    delay_ms = 30.0
    delayer = Delayer(queue, Draws(0, delay_ms, 0.0, 0.0))
    installed = {}
    thread = threading.Thread(target=delayer.run, daemon=True)
    try:
        installed, _ = install_rules(args.queue)
        thread.start()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver, \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            receiver.bind(('127.0.0.1', 0))
            receiver.settimeout(5.0)
            start = time.monotonic()
            sender.sendto(b'flakehunt', receiver.getsockname())
            try:
                receiver.recv(64)
            except socket.timeout as error:
                raise Refused('a queued packet was never released (NFQUEUE verdicts do not work here)') from error
            elapsed_ms = (time.monotonic() - start) * 1000.0
        if elapsed_ms < delay_ms:
            raise Refused(f'the packet was not delayed ({elapsed_ms:.1f} ms < {delay_ms} ms): the NFQUEUE rule had no effect')
    finally:
        delayer.request_stop('self-test done')
        if thread.is_alive():
            thread.join(5.0)
        remove_rules(installed.values())
        queue.close()
    emit('ok', elapsedMs=round(elapsed_ms, 3), families=sorted(installed))


def command_draws(args):
    draws = Draws(args.seed, args.delay_ms, args.jitter_ms, args.loss_percent)
    for _ in range(args.count):
        lost, delay_ms = draws.next()
        sys.stdout.write(f'{int(lost)} {delay_ms:.6f}\n')


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    commands = parser.add_subparsers(dest='command', required=True)

    def shaping(sub):
        sub.add_argument('--delay-ms', type=float, default=0.0)
        sub.add_argument('--jitter-ms', type=float, default=0.0)
        sub.add_argument('--loss-percent', type=float, default=0.0)
        sub.add_argument('--seed', type=int, default=0)

    run = commands.add_parser('run', help='delay the namespace\'s packets until told to stop')
    run.add_argument('--pid', type=int, required=True, help='the container\'s main process (its State.Pid)')
    run.add_argument('--netns-inode', type=int, required=True, help='inode of that process\'s /proc/PID/ns/net')
    run.add_argument('--parent-pid', type=int, required=True, help='the process that started this one')
    run.add_argument('--queue', type=int, default=DEFAULT_QUEUE)
    run.add_argument('--trace', help='write each packet\'s decision ("lost delay_ms") to this file')
    shaping(run)
    remove = commands.add_parser('remove-rules', help='delete rules left by a killed helper')
    remove.add_argument('--netns-inode', type=int, required=True)
    test = commands.add_parser('self-test', help='check the mechanism in a throwaway namespace')
    test.add_argument('--outer-netns-inode', type=int, required=True, help='the caller\'s namespace, which must not be this one')
    test.add_argument('--queue', type=int, default=DEFAULT_QUEUE)
    draws = commands.add_parser('draws', help='print the first COUNT decisions of a seed')
    draws.add_argument('--count', type=int, required=True)
    shaping(draws)
    args = parser.parse_args(argv)
    if getattr(args, 'delay_ms', 0.0) < 0 or getattr(args, 'jitter_ms', 0.0) < 0 or not 0 <= getattr(args, 'loss_percent', 0.0) <= 100:
        parser.error('delay and jitter must be >= 0 and loss within 0..100')
    return args


def main(argv):
    if sys.version_info < (3, 9):
        sys.stderr.write(f'net_delay: python3 >= 3.9 is needed (os.pidfd_open), this is {sys.version.split()[0]}\n')
        return 2
    args = parse_args(argv)
    commands = {'run': command_run, 'remove-rules': command_remove_rules, 'self-test': command_self_test, 'draws': command_draws}
    try:
        commands[args.command](args)
    except Refused as error:
        sys.stderr.write(f'net_delay: {error}\n')
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
