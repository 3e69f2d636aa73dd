# Shared by the OAuth2 scenarios (t60-t65), sourced after lib.sh: the test OAuth2 provider
# (tests/oauth2/oauth2_server.py) over TLS on loopback with the test CA, a smarthost that
# accepts only the bearer tokens that provider lists as valid, the configuration of the
# built-in OAuth2 client, and a login done as a person would do it.

OA=$T/oauth2    # the provider's directory: port, state.json, tokens.json, requests.log
STATE=$T/state  # oauth2_state_dir
mkdir -p "$OA"
mkdir -m 700 "$STATE"
OAUTH2_PORT=$(free_port)
OAUTH2_URL=https://localhost:$OAUTH2_PORT
OAUTH2_PID=
CLEANUP_HOOKS+=("stop_oauth2")

# start_oauth2 [oauth2_server.py options...]: serves on $OAUTH2_PORT (state kept across restarts).
start_oauth2() {
    rm -f "$OA/port"
    $PY "$SRC/tests/oauth2/oauth2_server.py" --dir "$OA" --port "$OAUTH2_PORT" \
        --cert "$T/certs/server.crt" --key "$T/certs/server.key" "$@" >>"$T/oauth2.log" 2>&1 &
    OAUTH2_PID=$!
    wait_until 10 test -s "$OA/port" || fail "OAuth2 provider did not start: $(tail -5 "$T/oauth2.log")"
}
stop_oauth2() {
    [ -n "$OAUTH2_PID" ] || return 0
    kill "$OAUTH2_PID" 2>/dev/null || true
    wait "$OAUTH2_PID" 2>/dev/null || true
    OAUTH2_PID=
}
# The provider's pages and controls, over its TLS (what a person or the provider's admin does).
oauth2_get() { curl -sSf --cacert "$T/certs/ca.crt" "$OAUTH2_URL$1"; }
oauth2_control() { curl -sSf --cacert "$T/certs/ca.crt" -X POST "$OAUTH2_URL/control/$1" >/dev/null; }
# How many token requests of a grant the provider answered, and with which outcome.
token_requests() { grep -c "POST /token $1 -> ${2:-200}" "$OA/requests.log" || true; }

# A smarthost that checks the XOAUTH2 bearer against the provider's list.
start_oauth2_smarthost() {
    start_smarthost --auth-mechs XOAUTH2 --bearer-tokens "$OA/tokens.json" "$@"
}

# write_oauth2_config GRANT ["key = value"...]: the test configuration with the OAuth2 client
# instead of password_file; the lines given replace the defaults with the same key ("key = "
# unsets it).
write_oauth2_config() {
    local grant=$1; shift
    local lines=("$@") line key extra overridden
    for line in "oauth2_token_url = $OAUTH2_URL/token" "oauth2_client_id = nullrelay-test" \
        "oauth2_scope = https://outlook.office365.com/.default" "oauth2_state_dir = $STATE" \
        "oauth2_tls_ca_file = $T/certs/ca.crt"; do
        key=${line%% =*} overridden=no
        for extra in "$@"; do [ "${extra%% =*}" == "$key" ] && overridden=yes; done
        if [ $overridden == no ]; then lines+=("$line"); fi
    done
    write_config "password_file = " "oauth2_grant = $grant" "${lines[@]}"
    sed -i '/^[a-z0-9_]* = $/d' "$CONF"  # "key = ": the key unset
}

polled_since() { [ "$(grep -c "device_code -> 400 authorization_pending" "$OA/requests.log")" -gt "$1" ]; }
# device_login: `nullrelay oauth2 login` by the device flow, and the person who opens the URL
# it prints (here: fetches it with the code) on "another device".
device_login() {
    local out=$T/login.out pid url code polls
    polls=$(grep -c "device_code -> 400 authorization_pending" "$OA/requests.log" || true)
    # Emptied here, not by the redirection below: the background job may open the file after
    # the wait that follows has read an earlier login's code from it.
    : >"$out"
    nullrelay oauth2 login </dev/null >>"$out" 2>&1 &
    pid=$!
    wait_until 10 grep -q "enter the code" "$out" || fail "login showed no code: $(cat "$out")"
    url=$(sed -n '/open on any device/{n;n;p}' "$out" | tr -d ' ')
    code=$(sed -n '/enter the code/{n;n;p}' "$out" | tr -d ' ')
    # The person takes a moment: the login polls (authorization_pending) meanwhile.
    wait_until 10 polled_since "$polls" || fail "login does not poll the token endpoint"
    oauth2_get "/device?user_code=$code" >/dev/null || fail "the device page refused $code"
    [ "$url" == "$OAUTH2_URL/device" ] || fail "login showed '$url' as the address"
    wait "$pid" || fail "login failed: $(cat "$out")"
    grep -q "^Signed in. The refresh token is saved in $STATE/oauth2-refresh-token" "$out" ||
        fail "login said: $(cat "$out")"
}

# The XOAUTH2 token the smarthost accepted for the N-th stored message, by its number (at-N).
bearer_of() { json_field "$1" auth_bearer | cut -d- -f1,2; }
# The reason mailq and `queue --json` give for the (only) queued message.
queued_reason() {
    "$BIN/nullrelay" -C "$CONF" queue --json |
        $PY -c 'import json,sys; print(json.loads(sys.stdin.readline())["last_error"])'
}
