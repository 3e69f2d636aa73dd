#!/usr/bin/python3
"""The measurements behind bench/run (which builds first). Starts the sink (tests/sink) and
nullrelayd on loopback with a private spool, runs each measurement for several rounds, prints
one table (median, min, max) and writes it as JSON.

    bench/measure.py BUILD_DIR OUT_JSON [--quick]

Figures are wall-clock on a shared machine: the load average is printed with the table, and
min/max show the noise. The daemon's CPU comes from /proc/<pid>/stat (clock ticks, 10 ms).
"""
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BUILD, OUT = sys.argv[1], sys.argv[2]
QUICK = "--quick" in sys.argv
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T = tempfile.mkdtemp(prefix="nullrelay-bench.")
SPOOL, CONF = f"{T}/spool", f"{T}/nullrelay.conf"
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
results = {}  # name -> {"unit", "values"}
procs = []


def record(name, value, unit):
    results.setdefault(name, {"unit": unit, "values": []})["values"].append(value)


def loadavg():
    return open("/proc/loadavg").read().split()[0]


def spool_filesystem():
    """Where the spool lives, e.g. "ext4 (/dev/vda), no journal": what a create, an fsync and
    an unlink cost depends on it more than on nullrelay (README.md, Performance)."""
    dev = os.stat(T).st_dev
    for line in open("/proc/self/mountinfo"):
        left, right = line.split(" - ", 1)
        if left.split()[2] != f"{os.major(dev)}:{os.minor(dev)}":
            continue
        fstype, source = right.split()[:2]
        if fstype != "ext4":
            return f"{fstype} ({source})"
        journal = os.path.exists(f"/proc/fs/jbd2/{os.path.basename(source)}-8")
        return f"ext4 ({source}), {'with a' if journal else 'no'} journal"
    return "unknown filesystem"


def fresh_spool():
    shutil.rmtree(SPOOL, ignore_errors=True)
    for d in ("maildrop", "data", "queue", "hold", "failed", "corrupt"):
        os.makedirs(f"{SPOOL}/{d}")


def write_config(port, *extra):
    lines = dict(l.split(" = ", 1) for l in extra)
    base = {"smarthost": f"localhost:{port}", "tls_ca_file": f"{T}/certs/ca.crt",
            "auth_user": "test", "password_file": f"{T}/password",
            "hostname": "relay.example.org", "sender_domain": "example.org",
            "spool_dir": SPOOL}
    base.update(lines)
    with open(CONF, "w") as f:  # an empty value leaves the key out ("tls_ca_file = ")
        f.writelines(f"{k} = {v}\n" for k, v in base.items() if v)


def wait_for(pred, seconds, what):
    deadline = time.time() + seconds
    while not pred():
        if time.time() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.001)


class Sink:
    def __init__(self, *args):
        self.dir = tempfile.mkdtemp(dir=T, prefix="sink.")
        self.p = subprocess.Popen([f"{BUILD}/nullrelay_sink", "--cert", f"{T}/certs/server.crt",
                                   "--key", f"{T}/certs/server.key", "--dir", self.dir, *args],
                                  stdout=subprocess.DEVNULL)
        procs.append(self.p)
        wait_for(lambda: os.path.exists(f"{self.dir}/port"), 10, "the sink")
        self.port = int(open(f"{self.dir}/port").read())

    def stats(self):
        try:
            return json.load(open(f"{self.dir}/stats.json"))
        except (OSError, ValueError):
            return {"messages": 0}

    def arrivals(self):
        try:
            return [int(x) for x in open(f"{self.dir}/arrivals").read().split()]
        except OSError:
            return []

    def stop(self):
        self.p.terminate()
        self.p.wait()


class Daemon:
    def __init__(self):
        self.log = open(f"{T}/daemon.log", "a")
        start = open(f"{T}/daemon.log").read().count("nullrelayd started")
        self.p = subprocess.Popen([f"{BUILD}/nullrelayd", "-C", CONF, "--foreground"],
                                  stdout=self.log, stderr=self.log)
        procs.append(self.p)
        self.started = lambda: open(f"{T}/daemon.log").read().count("nullrelayd started") > start

    def cpu_ms(self):  # utime + stime of all threads, from /proc/<pid>/stat
        f = open(f"/proc/{self.p.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) * TICK_MS

    def switches(self):  # voluntary + involuntary context switches, summed over threads
        n = 0
        for tid in os.listdir(f"/proc/{self.p.pid}/task"):
            for line in open(f"/proc/{self.p.pid}/task/{tid}/status"):
                if "ctxt_switches" in line:
                    n += int(line.split()[1])
        return n

    def hwm_kb(self):
        for line in open(f"/proc/{self.p.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def stop(self):
        self.p.terminate()
        self.p.wait()


def run_timed(argv, stdin_path):
    """Runs argv to its exit: returns (wall ms, ru_maxrss KB: Python's size, see submission())."""
    with open(stdin_path, "rb") as f:
        t0 = time.perf_counter_ns()
        p = subprocess.Popen(argv, stdin=f)
        _, status, ru = os.wait4(p.pid, 0)
        ms = (time.perf_counter_ns() - t0) / 1e6
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[0]} exited {os.waitstatus_to_exitcode(status)}")
    return ms, ru.ru_maxrss


def sendmail(stdin_path, *args):
    """One submission: returns (wall ms, ru_maxrss KB)."""
    return run_timed([f"{BUILD}/nullrelay-sendmail", "-C", CONF, *args], stdin_path)


def small_message(path, size=1024):
    head = b"From: bench@example.org\nTo: root\nSubject: bench\n\n"
    body = b"".join(b"x" * 63 + b"\n" for _ in range((size - len(head)) // 64))
    open(path, "wb").write(head + body)


def queue_messages(n, *args):
    msg = f"{T}/small.eml"
    for i in range(n):
        sendmail(msg, *args, f"r{i % 10}@example.net")


def drain(n, prefix="drain", connections=None):
    """The queue after an outage: n messages picked up and waiting for their retry time
    (submitted with -odq), then `nullrelay flush`; the clock runs from the flush to the last
    250 at the sink. The daemon's CPU is counted over the same span. With `connections`, that
    setting (else the default) and the figures' names end in ".c<connections>"."""
    fresh_spool()
    sink = Sink("--expect", str(n))
    conf = ["retry_min = 1h"] + ([f"connections = {connections}"] if connections else [])
    if connections:
        prefix = f"{prefix}.c{connections}"
    write_config(sink.port, *conf)
    d = Daemon()
    wait_for(d.started, 10, "the daemon")
    queue_messages(n, "-odq", "-i")
    wait_for(lambda: len(os.listdir(f"{SPOOL}/queue")) >= n and not os.listdir(f"{SPOOL}/maildrop"),
             600, "the daemon to pick up the submissions")
    # `nullrelay stats` on this queue (any user may ask): its time, and the daemon's CPU for
    # it, spent on the event loop (the daemon counts from what it remembers, no envelope read).
    cpu0, t0 = d.cpu_ms(), time.perf_counter()
    for _ in range(5):
        subprocess.run([f"{BUILD}/nullrelay", "-C", CONF, "stats"], check=True,
                       stdout=subprocess.DEVNULL)
    record(f"{prefix}.{n}.stats", (time.perf_counter() - t0) * 1000 / 5, "ms per request")
    record(f"{prefix}.{n}.stats_daemon_cpu", (d.cpu_ms() - cpu0) / 5, "ms per request")
    cpu0 = d.cpu_ms()
    start = time.time_ns()
    subprocess.run([f"{BUILD}/nullrelay", "-C", CONF, "flush"], check=True,
                   stdout=subprocess.DEVNULL)
    wait_for(lambda: sink.stats()["messages"] >= n, 600, f"{n} messages at the sink")
    s = sink.stats()
    # The CPU figure includes removing the delivered messages' files (after the last 250).
    wait_for(lambda: not os.listdir(f"{SPOOL}/data"), 60, "the delivered messages' files to go")
    cpu = d.cpu_ms() - cpu0
    d.stop()
    sink.stop()
    secs = (s["last_ns"] - start) / 1e9
    record(f"{prefix}.{n}.rate", n / secs, "messages/s")
    record(f"{prefix}.{n}.seconds", secs, "s")
    record(f"{prefix}.{n}.connections", s["connections"], "connections")
    record(f"{prefix}.{n}.daemon_cpu", cpu / n, "ms/message")


def cold_drain(n):
    """n submissions waiting in maildrop/ (daemon stopped), then the daemon starts: pickup
    (one file fsync per message of up to 64 KiB, two directory fsyncs per batch) and delivery
    overlap. The
    clock runs from the daemon's start (its exec) to the last 250 at the sink; "first" is the
    first 250. The daemon's CPU is all it used, start included."""
    fresh_spool()
    sink = Sink("--expect", str(n))
    write_config(sink.port)
    queue_messages(n, "-i")
    start = time.time_ns()
    d = Daemon()
    wait_for(lambda: sink.stats()["messages"] >= n, 600, f"{n} messages at the sink")
    s = sink.stats()
    wait_for(lambda: not os.listdir(f"{SPOOL}/data"), 60, "the delivered messages' files to go")
    cpu = d.cpu_ms()
    d.stop()
    sink.stop()
    secs = (s["last_ns"] - start) / 1e9
    record(f"from_maildrop.{n}.rate", n / secs, "messages/s")
    record(f"from_maildrop.{n}.daemon_cpu", cpu / n, "ms/message")
    record(f"from_maildrop.{n}.first_delivery", (s["first_ns"] - start) / 1e6, "ms")


def system_sized_trust():
    """Trust settings as large as the system's, that also hold the sink's CA: Debian's CA
    bundle with the test CA appended (what libcurl's default loaded for every connection
    before nullrelay trusted /etc/ssl/certs by hash), and a hashed directory of the same CAs
    (what the default reads now)."""
    bundle, directory = f"{T}/system-bundle.crt", f"{T}/system-ca-dir"
    if not os.path.isdir(directory):
        with open(bundle, "wb") as out:
            for path in ("/etc/ssl/certs/ca-certificates.crt", f"{T}/certs/ca.crt"):
                with open(path, "rb") as f:
                    out.write(f.read())
        os.mkdir(directory)
        for name in os.listdir("/etc/ssl/certs"):
            if name.endswith(".pem"):
                os.symlink(os.path.realpath(f"/etc/ssl/certs/{name}"), f"{directory}/{name}")
        shutil.copy(f"{T}/certs/ca.crt", f"{directory}/nullrelay-bench-ca.crt")
        subprocess.run(["openssl", "rehash", directory], check=True)
    return {"one_ca": [],
            "system_bundle": [f"tls_ca_file = {bundle}"],
            "system_directory": ["tls_ca_file = ", f"tls_ca_path = {directory}"]}


def first_delivery(n):
    """The time from the daemon's start to its first delivery when n submissions wait, with
    the sink's CA alone, and with trust as large as the system's (a bundle, a directory)."""
    for trust, settings in system_sized_trust().items():
        first_delivery_with(n, trust, settings)


def first_delivery_with(n, trust, settings):
    fresh_spool()
    sink = Sink("--expect", str(n))
    write_config(sink.port, *settings)
    queue_messages(n, "-i")
    start = time.time_ns()
    d = Daemon()
    wait_for(lambda: sink.stats()["messages"] >= n, 600, f"{n} messages at the sink")
    s = sink.stats()
    d.stop()
    sink.stop()
    suffix = "" if trust == "one_ca" else f".{trust}"
    record(f"first_delivery.{n}_waiting{suffix}", (s["first_ns"] - start) / 1e6, "ms")


def connections_sweep(n, counts=(1, 2, 4)):
    """The flush drain per `connections` setting beside the libcurl ceiling (sink_client with
    as many connections) of the same round, and their ratio."""
    for c in counts:
        ceiling(n, c)
        drain(n, "drain", connections=c)
        rate = results[f"drain.c{c}.{n}.rate"]["values"][-1]
        top = results[f"sink_ceiling_rate.{c}"]["values"][-1]
        record(f"drain.c{c}.{n}.of_ceiling", rate / top * 100, "% of ceiling")


def submission(runs):
    fresh_spool()
    write_config(1)  # no daemon: submission alone
    msg = f"{T}/small.eml"
    lat, rss, floor = [], [], []
    for _ in range(runs):
        ms, kb = sendmail(msg, "-i", "root")
        lat.append(ms)
        rss.append(kb)
        # The harness's floor, measured between the submissions so that the same noise hits
        # both: starting /bin/true the same way (fork, exec, wait from Python).
        floor.append(run_timed(["/bin/true"], msg)[0])
    record("submit.1k.median", statistics.median(lat), "ms")
    record("submit.floor_bin_true.median", statistics.median(floor), "ms")
    # Peak RSS through GNU time (fork + exec from a small process): wait4 from Python would
    # report Python's own size, which exec carries over into the child's ru_maxrss.
    for _ in range(3):
        with open(msg, "rb") as f:
            out = subprocess.run(["/usr/bin/time", "-f", "%M", f"{BUILD}/nullrelay-sendmail",
                                  "-C", CONF, "-i", "root"], stdin=f, stderr=subprocess.PIPE,
                                 text=True, check=True)
        rss.append(int(out.stderr.split()[-1]))
    record("submit.1k.peak_rss", max(rss[runs:]) / 1024, "MB")
    lat = [sendmail(msg, "-t")[0] for _ in range(runs // 4)]
    record("submit.1k_t.median", statistics.median(lat), "ms")


def big_submission(mb, runs):
    """sendmail -i of an mb MB message: wall time to exit and peak RSS (through GNU time, as in
    submission()); one round records the median time and the largest RSS of its runs."""
    fresh_spool()
    write_config(1)  # no daemon
    path = f"{T}/big{mb}.eml"
    with open(path, "wb") as f:
        f.write(b"From: bench@example.org\nTo: root\nSubject: big\n\n")
        f.write((b"z" * 99 + b"\n") * (mb * 1024 * 1024 // 100))
    lat, rss = [], []
    for _ in range(runs):
        with open(path, "rb") as f:
            t0 = time.perf_counter_ns()
            out = subprocess.run(["/usr/bin/time", "-f", "%M", f"{BUILD}/nullrelay-sendmail",
                                  "-C", CONF, "-i", "root"], stdin=f, stderr=subprocess.PIPE,
                                 text=True, check=True)
            lat.append((time.perf_counter_ns() - t0) / 1e6)
        rss.append(int(out.stderr.split()[-1]))
        fresh_spool()  # 10 MB per run: do not let the spool grow
    os.unlink(path)
    record(f"submit.{mb}MB.median", statistics.median(lat), "ms")
    record(f"submit.{mb}MB.peak_rss", max(rss) / 1024, "MB")


def submission_throughput(n, workers=4):
    """n small messages from `workers` concurrent submitters (threads, each running sendmail in
    a loop), no daemon: messages/s from the first start to the last exit."""
    fresh_spool()
    write_config(1)
    msg, errors = f"{T}/small.eml", []

    def submitter(count):
        try:
            for _ in range(count):
                sendmail(msg, "-i", "root")
        except Exception as e:  # reported by the step, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=submitter, args=(n // workers + (i < n % workers),))
               for i in range(workers)]
    t0 = time.perf_counter_ns()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = (time.perf_counter_ns() - t0) / 1e9
    if errors:
        raise errors[0]
    record(f"submit.throughput.{workers}x", n / secs, "messages/s")


def count_syncs(trace):
    """fsync/fdatasync calls in an strace -f output file (a call cut in two by another thread
    is written "fsync(3 <unfinished ...>" then "<... fsync resumed>": counted once)."""
    return sum(1 for line in open(trace) if re.search(r"\b(fsync|fdatasync)\(", line))


def children(parent):
    """The pids whose parent is `parent` (from /proc/<pid>/stat)."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]) == parent:
                out.append(int(pid))
        except (OSError, ValueError, IndexError):
            pass  # gone meanwhile
    return out


def fsyncs(n):
    """fsync + fdatasync calls per message, under strace (its own round: tracing is slow):
    one submission, and the daemon picking up and delivering n queued messages to the sink."""
    strace = shutil.which("strace")
    if not strace:
        raise RuntimeError("strace is not installed (scripts/install-deps)")
    trace = [strace, "-f", "-qq", "-e", "trace=fsync,fdatasync", "-o"]
    fresh_spool()
    sink = Sink("--expect", str(n))
    write_config(sink.port)
    msg, runs = f"{T}/small.eml", 5
    for i in range(runs):
        with open(msg, "rb") as f:
            subprocess.run([*trace, f"{T}/submit.{i}.trace", f"{BUILD}/nullrelay-sendmail",
                            "-C", CONF, "-i", "root"], stdin=f, check=True)
    record("fsync.submission", statistics.median(count_syncs(f"{T}/submit.{i}.trace")
                                                 for i in range(runs)), "fsyncs/message")
    for i in range(n - runs):
        sendmail(msg, "-i", f"r{i % 10}@example.net")
    # Started under strace -f, not attached with -p (which hung the daemon once).
    log = open(f"{T}/daemon.log", "a")
    p = subprocess.Popen([*trace, f"{T}/daemon.trace", f"{BUILD}/nullrelayd", "-C", CONF,
                          "--foreground"], stdout=log, stderr=log)
    procs.append(p)
    try:
        wait_for(lambda: sink.stats()["messages"] >= n, 300, f"{n} messages at the sink")
        # Delivered is not done: the daemon still removes each message from the queue.
        queued = lambda: any(os.listdir(f"{SPOOL}/{d}") for d in ("maildrop", "queue", "data"))
        wait_for(lambda: not queued(), 60, "an empty queue")
    finally:
        # SIGTERM to the daemon itself: killing strace would detach it and leave it running.
        for pid in children(p.pid):
            os.kill(pid, signal.SIGTERM)
        p.wait(timeout=30)
        sink.stop()
    record("fsync.daemon", count_syncs(f"{T}/daemon.trace") / n, "fsyncs/message")


def end_to_end(count):
    fresh_spool()
    sink = Sink("--arrivals")
    write_config(sink.port)
    d = Daemon()
    wait_for(d.started, 10, "the daemon")
    msg, lat = f"{T}/small.eml", []
    for i in range(count):
        time.sleep(0.05)  # idle between messages
        t0 = time.time_ns()
        sendmail(msg, "-i", "root")
        wait_for(lambda: len(sink.arrivals()) > i, 30, "the message at the sink")
        lat.append((sink.arrivals()[i] - t0) / 1e6)
    d.stop()
    sink.stop()
    lat.sort()
    record("e2e.median", statistics.median(lat), "ms")
    record("e2e.p99", lat[min(len(lat) - 1, int(len(lat) * 0.99))], "ms")


def idle(seconds):
    """A deferred message (smarthost refuses connections), then a quiet window."""
    fresh_spool()
    write_config(1, "retry_min = 10m", "retry_max = 1h")  # port 1: connection refused
    d = Daemon()
    wait_for(d.started, 10, "the daemon")
    sendmail(f"{T}/small.eml", "-i", "root")
    time.sleep(2)  # the first attempt fails and the message is deferred
    cpu0, sw0 = d.cpu_ms(), d.switches()
    time.sleep(seconds)
    cpu1, sw1 = d.cpu_ms(), d.switches()
    d.stop()
    record("idle.cpu", (cpu1 - cpu0) / (seconds * 1000) * 100, "%")
    record("idle.wakeups", (sw1 - sw0) / seconds, "per s")


def big_message(mb):
    fresh_spool()
    sink = Sink("--arrivals")
    write_config(sink.port, f"max_message_size = {2 * mb * 1024 * 1024}")  # default: 50 MB
    path = f"{T}/big.eml"
    with open(path, "wb") as f:
        f.write(b"From: bench@example.org\nTo: root\nSubject: big\n\n")
        line = b"y" * 99 + b"\n"
        f.write(line * (mb * 1024 * 1024 // 100))
    with open(path, "rb") as f:
        t0 = time.perf_counter_ns()
        out = subprocess.run(["/usr/bin/time", "-f", "%M", f"{BUILD}/nullrelay-sendmail",
                              "-C", CONF, "-i", "root"], stdin=f, stderr=subprocess.PIPE,
                             text=True, check=True)
        ms = (time.perf_counter_ns() - t0) / 1e6
    record(f"big.{mb}MB.submit", ms / 1000, "s")
    record(f"big.{mb}MB.sendmail_rss", int(out.stderr.split()[-1]) / 1024, "MB")
    t0 = time.time_ns()
    d = Daemon()
    wait_for(lambda: len(sink.arrivals()) >= 1, 300, "the big message at the sink")
    record(f"big.{mb}MB.deliver", (sink.arrivals()[0] - t0) / 1e9, "s")
    record(f"big.{mb}MB.daemon_rss", d.hwm_kb() / 1024, "MB")
    d.stop()
    sink.stop()
    os.unlink(path)


ARENA_ALIGN = 64 << 20  # glibc's per-thread malloc heaps are mmapped at HEAP_MAX_SIZE alignment


def memory_parts(pid):
    """The daemon's resident memory (Rss, KB) by part, from /proc/<pid>/smaps: its own binary,
    libcrypto + libssl, libcurl, the C and C++ runtime, the other shared libraries, the main
    malloc heap ([heap]), the malloc arenas of other threads (anonymous, 64 MB aligned), thread
    stacks (anonymous 8 MB mappings), the main stack, other anonymous memory (mmapped
    buffers, large allocations)."""
    parts, cur = {}, None
    for line in open(f"/proc/{pid}/smaps"):
        f = line.split()
        if "-" in f[0] and len(f) >= 5 and not f[0].endswith(":"):
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            path = f[5] if len(f) > 5 else ""
            base = os.path.basename(path)
            if path == "[heap]":
                cur = "heap (main arena)"
            elif path == "[stack]":
                cur = "main stack"
            elif path.startswith("["):
                cur = "kernel ([vdso], [vvar])"
            elif "nullrelayd" in base:
                cur = "binary"
            elif base.startswith(("libcrypto", "libssl")):
                cur = "libcrypto+libssl"
            elif base.startswith("libcurl"):
                cur = "libcurl"
            elif base.startswith(("libc.", "libc-", "libstdc++", "libm.", "libgcc_s", "ld-linux")):
                cur = "libc+libstdc++"
            elif path:
                cur = "other shared libraries"
            elif lo % ARENA_ALIGN == 0 and "rw" in f[1]:
                cur = "thread malloc arenas"
            elif (hi - lo) in (8 << 20, (8 << 20) - 4096) and "rw" in f[1]:
                cur = "thread stacks"
            else:
                cur = "other anonymous"
        elif f[0] == "Rss:" and cur:
            parts[cur] = parts.get(cur, 0) + int(f[1])
    return parts


def status_kb(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def record_memory(point, pid):
    """RSS, its file-backed part (shared library and binary pages: shared with every other
    process that maps them, and given back by the kernel under pressure) and anonymous part,
    PSS (shared pages divided among their users), threads, shared libraries mapped, and
    memory_parts()."""
    record(f"mem.{point}.rss", status_kb(pid, "VmRSS") / 1024, "MB")
    record(f"mem.{point}.rss_file", status_kb(pid, "RssFile") / 1024, "MB")
    record(f"mem.{point}.rss_anon", status_kb(pid, "RssAnon") / 1024, "MB")
    for line in open(f"/proc/{pid}/smaps_rollup"):
        if line.startswith("Pss:"):
            record(f"mem.{point}.pss", int(line.split()[1]) / 1024, "MB")
    libs = {l.split()[-1] for l in open(f"/proc/{pid}/maps") if ".so" in l.split()[-1]}
    record(f"mem.{point}.shared_libraries", len(libs), "libraries")
    record(f"mem.{point}.threads", status_kb(pid, "Threads"), "threads")
    for part, kb in sorted(memory_parts(pid).items()):
        record(f"mem.{point}.{part}", kb / 1024, "MB")


def memory(mb):
    """The daemon's RSS and where it goes (memory_parts), at three points: just started (empty
    spool), idle after a delivery (its connection cached), and at the highest RSS seen while an
    mb MB message is picked up and delivered (sampled every 5 ms; peak = VmHWM at the end).
    Then the system CA bundle's cost: a daemon without tls_ca_file (the default: libcurl's
    bundle) tries the sink, whose certificate that bundle does not trust, and idles."""
    fresh_spool()
    sink = Sink("--arrivals")
    write_config(sink.port, f"max_message_size = {2 * mb * 1024 * 1024}")
    d = Daemon()
    wait_for(d.started, 10, "the daemon")
    time.sleep(0.5)
    record_memory("start", d.p.pid)
    sendmail(f"{T}/small.eml", "-i", "root")
    wait_for(lambda: len(sink.arrivals()) >= 1, 30, "the small message at the sink")
    time.sleep(1)
    record_memory("idle_after_delivery", d.p.pid)
    path = f"{T}/big.eml"
    with open(path, "wb") as f:
        f.write(b"From: bench@example.org\nTo: root\nSubject: big\n\n")
        f.write((b"y" * 99 + b"\n") * (mb * 1024 * 1024 // 100))
    sendmail(path, "-i", "root")
    os.unlink(path)
    best, parts = 0, None
    while len(sink.arrivals()) < 2:
        rss = status_kb(d.p.pid, "VmRSS")
        if rss > best:
            try:
                best, parts = rss, memory_parts(d.p.pid)
            except OSError:
                pass
        time.sleep(0.005)
    record(f"mem.{mb}MB_message.rss_max_sampled", best / 1024, "MB")
    for part, kb in sorted((parts or {}).items()):
        record(f"mem.{mb}MB_message.{part}", kb / 1024, "MB")
    record("mem.peak_rss", d.hwm_kb() / 1024, "MB")
    d.stop()
    sink.stop()
    # The system CA bundle, loaded by OpenSSL when a connection starts.
    fresh_spool()
    sink = Sink("--arrivals")
    with open(CONF) as f:
        conf = [l for l in f if not l.startswith("tls_ca_file")]
    with open(CONF, "w") as f:
        f.writelines(conf)
    d = Daemon()
    wait_for(d.started, 10, "the daemon")
    sendmail(f"{T}/small.eml", "-i", "root")
    since_start = lambda: open(f"{T}/daemon.log").read().split("nullrelayd started")[-1]
    wait_for(lambda: "status=" in since_start(), 30, "the attempt with the system CA bundle")
    time.sleep(1)
    record_memory("idle_system_ca", d.p.pid)
    d.stop()
    sink.stop()


def eight_bit(mb):
    """The 7-bit downgrade's cost (docs/queue.md): an mb MB message of 8-bit text, submitted,
    picked up and delivered, beside one of 7-bit text of the same size. Latin text (about 5 %
    8-bit octets) goes quoted-printable, Cyrillic (mostly 8-bit) base64. Recorded: the bytes
    on the wire per byte that would go without the downgrade (the CRLF form of the
    submission), the daemon's CPU per MB (pickup with the downgrade, and delivery; the 7-bit
    figure is the rest), the daemon's peak RSS, and the submission's time (sendmail checks
    the MIME limits)."""
    lines = {
        "7bit": b"The quick brown fox jumps over the lazy dog; a plain line of ASCII text.\n",
        "latin": "Sauvegarde terminée : 1234 fichiers copiés, aucune erreur. Durée 00:03:12.\n"
        .encode(),
        "cyrillic": "Привет, мир! Резервное копирование завершено.\n".encode(),
    }
    head = b"From: bench@example.org\nTo: root\nSubject: 8-bit\n\n"
    path = f"{T}/eight.eml"
    for kind, line in lines.items():
        fresh_spool()
        sink = Sink("--expect", "1")
        write_config(sink.port, f"max_message_size = {2 * mb * 1024 * 1024}")
        count = mb * 1024 * 1024 // len(line)
        with open(path, "wb") as f:
            f.write(head + line * count)
        crlf_size = os.path.getsize(path) + head.count(b"\n") + count
        ms, _ = sendmail(path, "-i", "root")
        d = Daemon()
        wait_for(lambda: sink.stats()["messages"] >= 1, 300, "the message at the sink")
        wait_for(lambda: not os.listdir(f"{SPOOL}/data"), 60, "the delivered message's file to go")
        cpu, rss = d.cpu_ms(), d.hwm_kb()
        d.stop()
        sink.stop()
        record(f"8bit.{kind}.{mb}MB.submit", ms, "ms")
        record(f"8bit.{kind}.{mb}MB.daemon_rss", rss / 1024, "MB")
        record(f"8bit.{kind}.{mb}MB.wire", sink.stats()["bytes"] / crlf_size, "x CRLF size")
        record(f"8bit.{kind}.{mb}MB.daemon_cpu", cpu / mb, "ms/MB")
    os.unlink(path)


def alias_bench():
    out = subprocess.run([f"{BUILD}/alias_map_bench"], capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        name, value, unit = line.split()
        record(name, float(value), unit)


def ceiling(n, connections=None):
    sink = Sink()
    extra = [str(connections)] if connections else []
    out = subprocess.run([f"{BUILD}/sink_client", str(sink.port), f"{T}/certs/ca.crt", str(n),
                          *extra], capture_output=True, text=True, check=True)
    sink.stop()
    for line in out.stdout.splitlines():
        name, value, unit = line.split()
        record(name, float(value), unit)


def main():
    subprocess.run(["bash", f"{SRC}/tests/smarthost/make-certs.sh", f"{T}/certs"],
                   stdout=subprocess.DEVNULL, check=True)
    open(f"{T}/password", "w").write("secret\n")
    os.chmod(f"{T}/password", 0o600)
    small_message(f"{T}/small.eml")
    rounds = 3 if QUICK else 5
    load = [loadavg()]
    # Submissions first: on ext4 without a journal a create scans past every inode freed in
    # the last minutes, and the drain steps free thousands; measured after them, the median of
    # a small submission doubles. The order keeps the figure about nullrelay, not the bench.
    plan = [("submission", lambda: submission(60 if QUICK else 200)),
            ("10 MB submission", lambda: big_submission(10, 3 if QUICK else 5)),
            ("submission throughput", lambda: submission_throughput(200 if QUICK else 1000)),
            ("sink ceiling", lambda: ceiling(500 if QUICK else 2000)),
            ("drain", lambda: drain(300 if QUICK else 1000)),
            ("from maildrop", lambda: cold_drain(300 if QUICK else 1000)),
            ("first delivery", lambda: first_delivery(100)),
            ("connections", lambda: connections_sweep(300 if QUICK else 1000)),
            ("end-to-end", lambda: end_to_end(10 if QUICK else 50)),
            ("8-bit message", lambda: eight_bit(10)),
            ("alias map", alias_bench)]
    only = os.environ.get("BENCH_ONLY")  # e.g. "drain,idle": only these steps
    keep = lambda steps: [s for s in steps if not only or s[0] in only.split(",")]
    for name, step in keep(plan):
        for _ in range(rounds if name != "alias map" else 1):
            try:
                step()
            except Exception as e:  # a report, not a test: say what failed and go on
                print(f"bench: {name} failed: {e}", file=sys.stderr)
                break
    extra = [("memory", lambda: memory(100)),
             ("idle", lambda: idle(10 if QUICK else 60)),
             ("fsyncs", lambda: fsyncs(100 if QUICK else 300))]
    if not QUICK:
        extra += [("100 MB message", lambda: big_message(100)),
                  ("growth", lambda: [drain(n, "growth") for n in (100, 10000)])]
    for name, step in keep(extra):
        try:
            step()
        except Exception as e:
            print(f"bench: {name} failed: {e}", file=sys.stderr)
    load.append(loadavg())

    rows = {}
    filesystem = spool_filesystem()
    print(f"# load average before/after: {load[0]} / {load[1]}; {os.cpu_count()} CPUs;"
          f" {'quick' if QUICK else 'full'} mode, {rounds} rounds where repeated;"
          f" spool on {filesystem} (TMPDIR chooses where)")
    print(f"{'measurement':44} {'median':>10} {'min':>10} {'max':>10}  unit")
    for name, r in results.items():
        v = r["values"]
        rows[name] = {"unit": r["unit"], "median": statistics.median(v), "min": min(v),
                      "max": max(v), "rounds": len(v)}
        print(f"{name:44} {rows[name]['median']:10.3f} {min(v):10.3f} {max(v):10.3f}  {r['unit']}")
    # Ratios of the run's medians (the rounds of two steps are not paired one to one).
    med = lambda name: rows[name]["median"] if name in rows else None
    derived = []
    for name in rows:
        m = re.fullmatch(r"from_maildrop\.(\d+)\.rate", name)
        if m and med(f"drain.{m[1]}.rate"):
            derived.append((f"from_maildrop.{m[1]}.of_flush_drain",
                            med(name) / med(f"drain.{m[1]}.rate") * 100, "% of flush drain"))
        if name == "mem.idle_system_ca.rss_anon" and med("mem.idle_after_delivery.rss_anon"):
            # What the system bundle adds to the anonymous memory of an idle daemon.
            derived.append(("mem.system_ca_bundle.rss_anon",
                            med(name) - med("mem.idle_after_delivery.rss_anon"), "MB"))
    for name, value, unit in derived:
        rows[name] = {"unit": unit, "median": value, "min": value, "max": value, "rounds": 1}
        print(f"{name:44} {value:10.3f} {'':>10} {'':>10}  {unit} (of medians)")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"mode": "quick" if QUICK else "full", "loadavg": load,
                   "spool_filesystem": filesystem,
                   "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "results": rows}, f, indent=1)


try:
    main()
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(T, ignore_errors=True)
