#!/bin/bash
# selftest.sh -- exercises smarthost.py with curl and smtplib.  Exits non-zero
# on the first failure.  Needs /usr/bin/python3 with python3-aiosmtpd, curl and
# openssl.  Takes about 10 seconds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
work=$(mktemp -d /tmp/smarthost-selftest.XXXXXX)
pids=()
keep=${KEEP:-0}  # KEEP=1 keeps the state directories for inspection

cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [ "$keep" = 1 ]; then
        echo "state kept in $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    keep=1
    exit 1
}
pass() { echo "ok - $*"; }

"$here/make-certs.sh" "$work/certs"
certs=$work/certs

# start NAME ARGS... -- starts a server with state dir $work/NAME; sets $port, $pid
start() {
    local name=$1
    shift
    mkdir -p "$work/$name"
    "$py" "$here/smarthost.py" --dir "$work/$name" "$@" 2>>"$work/$name.stderr" &
    pid=$!
    pids+=("$pid")
    local _
    for _ in $(seq 100); do
        [ -s "$work/$name/port" ] && break
        kill -0 "$pid" 2>/dev/null || fail "server $name died: $(cat "$work/$name.stderr")"
        sleep 0.05
    done
    port=$(cat "$work/$name/port")
}

# jget FILE PYEXPR -- evaluate PYEXPR with the JSON of FILE as `j`
jget() {
    "$py" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

nmessages() { find "$1/messages" -name '*.json' | wc -l; }

# faults JSON -- replace $st/faults.json atomically (the server re-reads it per command)
faults() {
    printf '%s\n' "$1" >"$st/faults.json.tmp"
    mv "$st/faults.json.tmp" "$st/faults.json"
}

# send URL CURL-ARGS... -- curl with common options; returns curl's status
send() {
    local url=$1
    shift
    curl -sS --max-time 10 --url "$url" --cacert "$certs/ca.crt" "$@" \
        --upload-file "$work/msg.txt" 2>>"$work/curl.stderr"
}

# A body curl must dot-stuff: a lone '.', a leading '.', a '..' line, a long line.
{
    printf 'From: a@b.example\r\nSubject: selftest\r\n\r\n'
    printf 'line 1\r\n.\r\n.leading dot\r\n..two dots\r\n'
    head -c 10000 /dev/zero | tr '\0' x
    printf '\r\nlast line\r\n'
} >"$work/msg.txt"

### STARTTLS server ###########################################################
start st --tls starttls --cert "$certs/server.crt" --key "$certs/server.key"
st=$work/st
url=smtp://localhost:$port/client.example
tls=(--ssl-reqd --user test:secret)

send "$url" "${tls[@]}" --login-options AUTH=PLAIN --mail-from a@b.example \
    --mail-rcpt c@d.example || fail "AUTH PLAIN send"
m=$st/messages/000001
cmp -s "$work/msg.txt" "$m.eml" || fail ".eml is not byte-exact"
"$py" -c 'import base64,json,sys; sys.exit(base64.b64decode(json.load(open(sys.argv[1]))["data_b64"]) != open(sys.argv[2],"rb").read())' \
    "$m.json" "$work/msg.txt" || fail "data_b64 is not byte-exact"
[ "$(jget "$m.json" '(j["mail_from"], j["rcpt_tos"], j["tls"], j["auth_user"])')" = \
  "('a@b.example', ['c@d.example'], True, 'test')" ] || fail "envelope of message 1: $(cat "$m.json")"
pass "STARTTLS + AUTH PLAIN, byte-exact body with dot-stuffing and a 10000-byte line"

send "$url" "${tls[@]}" --login-options AUTH=PLAIN --sasl-ir --mail-from a@b.example \
    --mail-rcpt c@d.example || fail "AUTH PLAIN with initial response"
grep -q '^[0-9]* C~: AUTH PLAIN AHRlc3QAc2VjcmV0$' "$st/transcript.log" || fail "no AUTH PLAIN initial response in transcript"
send "$url" "${tls[@]}" --login-options AUTH=LOGIN --mail-from a@b.example \
    --mail-rcpt c@d.example || fail "AUTH LOGIN"
send "$url" "${tls[@]}" --login-options AUTH=LOGIN --sasl-ir --mail-from a@b.example \
    --mail-rcpt c@d.example || fail "AUTH LOGIN with initial response"
grep -q '^[0-9]* C~: AUTH LOGIN dGVzdA==$' "$st/transcript.log" || fail "no AUTH LOGIN initial response in transcript"
[ "$(jget "$st/messages/000004.json" 'j["auth_user"]')" = test ] || fail "auth_user after AUTH LOGIN"
pass "AUTH PLAIN and LOGIN, with and without initial response"

send "$url" "${tls[@]}" --mail-from '' --mail-rcpt c@d.example || fail "null sender"
grep -q '^[0-9]* C~: MAIL FROM:<>' "$st/transcript.log" || fail "curl did not send MAIL FROM:<>"
[ "$(jget "$st/messages/000005.json" 'repr(j["mail_from"])')" = "''" ] || fail "null sender not stored as ''"
pass "null sender"

if send "$url" --ssl-reqd --user test:wrong --mail-from a@b.example --mail-rcpt c@d.example; then
    fail "wrong password accepted"
fi
grep -q '^[0-9]* S~: 535 5.7.8 ' "$st/transcript.log" || fail "no 535 for a wrong password"
pass "wrong password -> 535"

# So far (all curl) credentials travelled only inside TLS.
if grep -E '^[0-9]+ C: ' "$st/transcript.log" | grep -q 'AHRlc3Q\|dGVzdA\|c2VjcmV0'; then
    fail "credentials seen outside TLS"
fi
grep -q '^[0-9]* C~: AHRlc3QAc2VjcmV0$' "$st/transcript.log" || fail "AUTH PLAIN response line not logged"
pass "credentials only inside TLS in the transcript"

# Plaintext: no AUTH before STARTTLS, and MAIL/AUTH refused with 530 5.7.0.
"$py" - "$port" <<'EOF' || fail "plaintext policy"
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=5)
s.ehlo("plain.example")
assert s.has_extn("starttls") and not s.has_extn("auth"), s.esmtp_features
code, msg = s.docmd("AUTH PLAIN AHRlc3QAc2VjcmV0")
assert code == 530 and msg.startswith(b"5.7.0"), (code, msg)
code, msg = s.docmd("MAIL FROM:<a@b.example>")
assert code == 530 and msg.startswith(b"5.7.0"), (code, msg)
s.starttls()
s.ehlo("plain.example")
code, msg = s.docmd("MAIL FROM:<a@b.example>")
assert (code, msg) == (530, b"5.7.0 Authentication required"), (code, msg)
s.quit()
EOF
pass "plaintext: no AUTH advertised, AUTH and MAIL -> 530 5.7.0; MAIL before AUTH -> 530"

# Faults: rcpt 550 for one address, eom 451 once.
faults '{"rules": [
  {"stage": "rcpt", "match": "reject", "reply": "550 5.1.1 No such user"},
  {"stage": "eom", "reply": "451 4.3.0 Try again later", "times": 1}
]}'
before=$(nmessages "$st")
if send "$url" "${tls[@]}" --mail-from a@b.example --mail-rcpt reject@d.example; then
    fail "rejected recipient accepted"
fi
grep -q '^[0-9]* S~: 550 5.1.1 No such user$' "$st/transcript.log" || fail "no 550 in transcript"
if send "$url" "${tls[@]}" --mail-from a@b.example --mail-rcpt c@d.example; then
    fail "eom 451 not applied"
fi
[ "$(nmessages "$st")" = "$before" ] || fail "message stored despite 451"
send "$url" "${tls[@]}" --mail-from a@b.example --mail-rcpt c@d.example || fail "eom 451 applied twice"
[ "$(nmessages "$st")" = $((before + 1)) ] || fail "message after 451 not stored"
[ "$(jget "$st/faults.state.json" 'j["1"]')" = 1 ] || fail "faults.state.json: $(cat "$st/faults.state.json")"
pass "faults: rcpt 550 by match, eom 451 with times=1"

# A stall on one connection must not hold up another.
faults '{"rules": [{"stage": "rcpt", "match": "slow", "action": "stall", "stall": 2}]}'
t0=$(date +%s.%N)
send "$url" "${tls[@]}" --mail-from a@b.example --mail-rcpt slow@d.example &
slow=$!
sleep 0.3
send "$url" "${tls[@]}" --mail-from a@b.example --mail-rcpt fast@d.example || fail "send during stall"
t1=$(date +%s.%N)
wait "$slow" || fail "stalled send failed"
t2=$(date +%s.%N)
"$py" -c 'import sys; a,b,c=map(float,sys.argv[1:]); sys.exit(not (b-a < 1.5 and c-a >= 2))' "$t0" "$t1" "$t2" \
    || fail "stall timing: other connection $t0..$t1, stalled one until $t2"
pass "stall 2 s on one connection while another proceeds"

# drop: the connection closes without a reply, curl must report a failure.
before=$(nmessages "$st")
for stage in mail data eom; do
    faults '{"rules": [{"stage": "'$stage'", "action": "drop"}]}'
    if send "$url" "${tls[@]}" --mail-from a@b.example --mail-rcpt c@d.example; then
        fail "drop at $stage reported success"
    fi
done
[ "$(nmessages "$st")" = "$before" ] || fail "message stored despite drop"
faults '{"rules": [{"stage": "eom", "action": "drop", "store": true}]}'
if send "$url" "${tls[@]}" --mail-from a@b.example --mail-rcpt c@d.example; then
    fail "drop at eom (store) reported success"
fi
[ "$(nmessages "$st")" = $((before + 1)) ] || fail "eom drop with store: message not stored"
[ "$(grep -c 'dropping connection' "$st/transcript.log")" = 4 ] || fail "drops not in transcript"
pass "drop at mail, data, eom (and eom with store: true)"

faults '{"rules": [{"stage": "connect", "reply": "421 4.3.2 Service not available", "times": 1}]}'
if send "$url" "${tls[@]}" --mail-from a@b.example --mail-rcpt c@d.example; then
    fail "421 greeting accepted"
fi
send "$url" "${tls[@]}" --mail-from a@b.example --mail-rcpt c@d.example || fail "after 421 greeting"
pass "connect fault: 421 greeting once"
faults '{"rules": [{"stage": "connect", "reply": "554 5.3.2 Go away", "times": 1}]}'
if send "$url" "${tls[@]}" --mail-from a@b.example --mail-rcpt c@d.example; then
    fail "times count not reset by a new faults.json"
fi
pass "a new faults.json restarts the times counts"
rm "$st/faults.json"

[ "$(jget "$st/stats.json" 'j["messages"]')" = "$(nmessages "$st")" ] \
    || fail "stats.json messages: $(cat "$st/stats.json")"
kill -TERM "$pid"
wait "$pid" || fail "exit status after SIGTERM"
[ ! -e "$st/port" ] || fail "port file left after SIGTERM"
pass "SIGTERM -> exit 0, stats $(cat "$st/stats.json")"

# Restarting on the same DIR continues the numbering.
n=$(nmessages "$st")
start st --tls starttls --cert "$certs/server.crt" --key "$certs/server.key"
send "smtp://localhost:$port/c" "${tls[@]}" --mail-from a@b.example --mail-rcpt c@d.example || fail "after restart"
[ -e "$st/messages/$(printf %06d $((n + 1))).json" ] || fail "numbering after restart"
[ "$(jget "$st/stats.json" 'j["messages"]')" = $((n + 1)) ] || fail "stats after restart"
pass "restart on the same DIR continues message numbers and stats"

### implicit TLS ##############################################################
start imp --tls implicit --cert "$certs/server.crt" --key "$certs/server.key" --tls-max 1.2
send "smtps://localhost:$port/client.example" --user test:secret \
    --mail-from a@b.example --mail-rcpt c@d.example || fail "smtps send"
[ "$(jget "$work/imp/messages/000001.json" '(j["tls"], j["tls_version"], j["auth_user"])')" = \
  "(True, 'TLSv1.2', 'test')" ] || fail "implicit TLS message: $(cat "$work/imp/messages/000001.json")"
grep -q '^1 S~: 220 ' "$work/imp/transcript.log" || fail "greeting not marked as TLS"
pass "implicit TLS (smtps://), --tls-max 1.2"

### certificate checks (client side: the certs themselves) ####################
start wrong --tls starttls --cert "$certs/wronghost.crt" --key "$certs/wronghost.key"
if send "smtp://localhost:$port/c" "${tls[@]}" --mail-from a@b.example --mail-rcpt c@d.example; then
    fail "wrong host name accepted"
fi
start unknown --tls starttls --cert "$certs/unknownca.crt" --key "$certs/unknownca.key"
if send "smtp://localhost:$port/c" "${tls[@]}" --mail-from a@b.example --mail-rcpt c@d.example; then
    fail "unknown CA accepted"
fi
grep -q 'TLS handshake failed' "$work/unknown/transcript.log" || fail "handshake failure not in transcript"
pass "wronghost and unknownca certificates rejected by curl"

### plaintext server, --no-auth, idle timeout #################################
start plain --tls none --no-auth --idle-timeout 1
send "smtp://127.0.0.1:$port/c" --mail-from a@b.example --mail-rcpt c@d.example || fail "plain send"
[ "$(jget "$work/plain/messages/000001.json" '(j["tls"], j["auth_user"])')" = "(False, None)" ] \
    || fail "plain message"
"$py" - "$port" <<'EOF' || fail "idle timeout"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
f = s.makefile("rb")
assert f.readline().startswith(b"220 ")
s.sendall(b"EHLO x\r\n")
while not f.readline().startswith(b"250 "):
    pass
t = time.monotonic()
line = f.readline()
assert line == b"421 4.4.2 idle timeout\r\n", line
assert 0.8 < time.monotonic() - t < 3, time.monotonic() - t
assert f.readline() == b""  # closed
EOF
pass "--tls none --no-auth, idle timeout 421"

echo "all smarthost self-tests passed"
