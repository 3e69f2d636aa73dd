# Shared set-up for the integration scenarios: a private spool and configuration, a loopback
# smarthost (tests/smarthost) with a throwaway CA, and nullrelayd. Everything lives under one
# temporary directory and is torn down on exit. No DNS, no host configuration, loopback only.
set -euo pipefail

BIN=${NULLRELAY_BIN:?set NULLRELAY_BIN to the build directory}
SRC=${NULLRELAY_SRC:?set NULLRELAY_SRC to the source directory}
PY=/usr/bin/python3  # Debian's, which has python3-aiosmtpd; the python3 on PATH may not
T=$(mktemp -d /tmp/nullrelay-test.XXXXXX)
SPOOL=$T/spool
CONF=$T/nullrelay.conf
SH=$T/smarthost
SMARTHOST_PID=
DAEMON_PID=
EXTRA_PIDS=()  # more smarthosts (start_smarthost_at)

CLEANUP_HOOKS=()  # commands a scenario adds, run first on exit (e.g. umount)
cleanup() {
    local rc=$?
    for hook in "${CLEANUP_HOOKS[@]}"; do eval "$hook" || true; done
    [ -n "$DAEMON_PID" ] && kill -9 "$DAEMON_PID" 2>/dev/null || true
    [ -n "$SMARTHOST_PID" ] && kill "$SMARTHOST_PID" 2>/dev/null || true
    for pid in "${EXTRA_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ $rc -ne 0 ]; then
        echo "---- daemon log ----" >&2; cat "$T/daemon.log" 2>/dev/null | tail -40 >&2 || true
        echo "---- smarthost transcript ----" >&2; tail -40 "$SH/transcript.log" 2>/dev/null >&2 || true
    fi
    rm -rf "$T"
    release_ports
    exit $rc
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
assert_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }

# Waits (bounded) until a command succeeds.
wait_until() {
    local seconds=$1; shift
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.05
    done
}

# A port for a server this test starts, maybe much later (a smarthost that is "down" first).
# Taken below the kernel's ephemeral range (32768-60999), so no client socket gets it meanwhile,
# and reserved against the other tests that run at once: a directory per port, made
# atomically, holding the test's pid; removed on exit, and reclaimed when that pid is gone.
PORTS_DIR=/tmp/nullrelay-test-ports
free_port() {
    local port owner _
    mkdir -p "$PORTS_DIR"
    for _ in $(seq 500); do
        port=$((20000 + RANDOM % 12000))
        if ! mkdir "$PORTS_DIR/$port" 2>/dev/null; then
            owner=$(cat "$PORTS_DIR/$port/pid" 2>/dev/null) || continue  # being reserved
            kill -0 "$owner" 2>/dev/null && continue
            rm -rf "$PORTS_DIR/$port"
            mkdir "$PORTS_DIR/$port" 2>/dev/null || continue
        fi
        echo $$ >"$PORTS_DIR/$port/pid"
        if $PY -c "import socket; socket.socket().bind(('127.0.0.1', $port))" 2>/dev/null; then
            echo "$port"
            return 0
        fi
        # in use by something else: keep the reservation (released on exit), try another
    done
    fail "no free loopback port in 20000-31999"
}
release_ports() {
    local f
    for f in "$PORTS_DIR"/*/pid; do
        [ "$(cat "$f" 2>/dev/null)" == $$ ] && rm -rf "$(dirname "$f")"
    done
    return 0
}

bash "$SRC/tests/smarthost/make-certs.sh" "$T/certs" >/dev/null
mkdir -p "$SPOOL"/{maildrop,data,queue,hold,failed,corrupt} "$SH"
echo secret >"$T/password"
chmod 600 "$T/password"
SMARTHOST_PORT=$(free_port)

# start_smarthost [smarthost.py options...]: serves on $SMARTHOST_PORT.
start_smarthost() {
    rm -f "$SH/port"
    $PY "$SRC/tests/smarthost/smarthost.py" --dir "$SH" --port "$SMARTHOST_PORT" \
        --cert "$T/certs/server.crt" --key "$T/certs/server.key" "$@" >>"$T/smarthost.log" 2>&1 &
    SMARTHOST_PID=$!
    wait_until 10 test -s "$SH/port" || fail "smarthost did not start: $(tail -5 "$T/smarthost.log")"
}
# start_smarthost_at DIR PORT [smarthost.py options...]: another smarthost (failover tests).
start_smarthost_at() {
    local dir=$1 port=$2; shift 2
    mkdir -p "$dir"; rm -f "$dir/port"
    $PY "$SRC/tests/smarthost/smarthost.py" --dir "$dir" --port "$port" \
        --cert "$T/certs/server.crt" --key "$T/certs/server.key" "$@" >>"$T/smarthost.log" 2>&1 &
    EXTRA_PIDS+=($!)
    wait_until 10 test -s "$dir/port" || fail "smarthost in $dir did not start"
}
stop_smarthost() {
    kill "$SMARTHOST_PID" 2>/dev/null || true
    wait "$SMARTHOST_PID" 2>/dev/null || true
    SMARTHOST_PID=
}

# write_config ["key = value" lines that replace or add to the defaults...]
write_config() {
    local defaults=(
        "smarthost = localhost:$SMARTHOST_PORT"
        "tls_ca_file = $T/certs/ca.crt"
        "auth_user = test"
        "password_file = $T/password"
        "hostname = relay.example.org"
        "sender_domain = example.org"
        "spool_dir = $SPOOL"
        "retry_min = 1s"
        "retry_max = 2s"
        "connect_timeout = 5s"
        "response_timeout = 10s"
        "queue_minfree = 1M"  # the default (2 x max_message_size) would depend on /tmp's room
        "aliases_file = none"  # never the host's /etc/aliases
    )
    {
        for line in "$@"; do echo "$line"; done
        for line in "${defaults[@]}"; do
            local key=${line%% =*} overridden=no
            for extra in "$@"; do [ "${extra%% =*}" == "$key" ] && overridden=yes; done
            if [ $overridden == no ]; then echo "$line"; fi  # (an && here fails the function)
        done
    } >"$CONF"
}
write_config

daemon_starts_above() { [ "$(grep -c "nullrelayd started" "$T/daemon.log")" -gt "$1" ]; }
start_daemon() {  # [nullrelayd options...]
    : >>"$T/daemon.log"  # exists before the wait below looks at it
    local starts
    starts=$(grep -c "nullrelayd started" "$T/daemon.log" || true)  # earlier runs in this log
    "$BIN/nullrelayd" -C "$CONF" --foreground "$@" >>"$T/daemon.log" 2>&1 &
    DAEMON_PID=$!
    wait_until 10 daemon_starts_above "$starts" ||
        fail "daemon did not start: $(tail -5 "$T/daemon.log")"
}
stop_daemon() {
    kill -TERM "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
    DAEMON_PID=
}
kill_daemon() {
    kill -9 "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
    DAEMON_PID=
}

sendmail() { "$BIN/nullrelay-sendmail" -C "$CONF" "$@"; }
nullrelay() { "$BIN/nullrelay" -C "$CONF" "$@"; }

delivered_count() { find "$SH/messages" -name '*.json' 2>/dev/null | wc -l; }
# Messages in spool directories, by queue id: a dot file is an envelope being rewritten
# (.ID.tmp) or a delivered message waiting for the reaper (.ID.done), not one more message.
ids_in() { find "$@" -type f ! -name '.*' 2>/dev/null | wc -l; }
queue_id_count() { ids_in "$SPOOL/queue"; }
queued_count() { ids_in "$SPOOL/queue" "$SPOOL/maildrop"; }
# For wait_until: these look again each time they are called.
dir_has_files() { [ "$(ids_in "$1")" -gt 0 ]; }
dir_is_empty() { [ -z "$(ls -A "$1")" ]; }
has_delivered() { [ "$(delivered_count)" -ge "$1" ]; }
queue_empty() { [ "$(queued_count)" -eq 0 ]; }
# The daemon logs a deferral a moment before the message leaves its delivery thread: a test
# that looks at the queue next waits until the listing itself shows N deferred messages.
deferred_in_queue() {
    local listing
    listing=$("$BIN/nullrelay" -C "$CONF" queue --json) || return 1
    [ "$($PY -c 'import json, sys
print(sum(json.loads(line)["state"] == "deferred" for line in sys.stdin if line.strip()))' \
        <<<"$listing")" -ge "$1" ]
}
# json_field N KEY: a field of the N-th stored message (1-based).
json_field() {
    $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); v=d[sys.argv[2]]; print(json.dumps(v) if not isinstance(v,str) else v)' \
        "$(printf '%s/messages/%06d.json' "$SH" "$1")" "$2"
}
eml() { printf '%s/messages/%06d.eml' "$SH" "$1"; }

# delivered_by_smarthost LABEL -- smarthost options...
# Submits a message, runs one delivery against a smarthost started with those options, and
# checks that it took the message over TLS after AUTH.
delivered_by_smarthost() {
    local label=$1; shift 2
    : >"$T/daemon.log"
    rm -rf "$SH"; mkdir -p "$SH"
    start_smarthost "$@"
    printf 'Subject: %s\n\nbody\n' "$label" | sendmail -i root@example.net
    "$BIN/nullrelayd" -C "$CONF" --once >>"$T/daemon.log" 2>&1 || fail "$label: daemon failed"
    stop_smarthost
    assert_eq "$(delivered_count)" 1 "$label: delivered"
    assert_eq "$(json_field 1 tls)" "true" "$label: over TLS"
    assert_eq "$(json_field 1 auth_user)" "test" "$label: authenticated"
    pass "$label: delivered"
}

# refused_by_smarthost LABEL LOG-PATTERN FORBIDDEN -- smarthost options...
# Submits a message, runs one delivery against a smarthost started with those options, and
# checks the attempt failed safely: nothing accepted, the message still queued, the log gives
# LOG-PATTERN (extended regex) as the reason, no transcript line matches FORBIDDEN (extended
# regex over the smarthost transcript) and the body never travelled.
refused_by_smarthost() {
    local label=$1 pattern=$2 forbidden=$3; shift 4
    : >"$T/daemon.log"
    rm -rf "$SH"; mkdir -p "$SH"
    start_smarthost "$@"
    printf 'Subject: %s\n\nsecret body\n' "$label" | sendmail -i root@example.net
    "$BIN/nullrelayd" -C "$CONF" --once >>"$T/daemon.log" 2>&1 || true
    stop_smarthost
    assert_eq "$(delivered_count)" 0 "$label: nothing accepted"
    assert_eq "$(queue_id_count)" 1 "$label: still queued"
    grep -Eq "$pattern" "$T/daemon.log" || fail "$label: log lacks '$pattern': $(cat "$T/daemon.log")"
    grep -Eq "$forbidden" "$SH/transcript.log" && fail "$label: sent what it must not: $(grep -E "$forbidden" "$SH/transcript.log" | head -3)"
    grep -q "secret body" "$SH/transcript.log" && fail "$label: body sent"
    rm -f "$SPOOL"/queue/* "$SPOOL"/data/*
}
