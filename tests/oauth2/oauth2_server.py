#!/usr/bin/python3
"""Test OAuth2 provider for nullrelay's integration tests (README.md in this directory).

An HTTPS server (Python's http.server and ssl, loopback only) with the endpoints nullrelay
talks to: a token endpoint (client credentials, refresh token with optional rotation, device
code, authorization code with PKCE), a device authorization endpoint, and the pages a person
would visit (the device page, the authorization page). Tokens are short-lived on demand, can
be expired or revoked behind the client's back, and are listed in DIR/tokens.json for the
test smarthost, which accepts an XOAUTH2 bearer only while it is listed there as valid.
"""

import argparse
import base64
import hashlib
import http.server
import json
import os
import secrets
import signal
import ssl
import sys
import threading
import time
import urllib.parse
from pathlib import Path

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def atomic_write(path, text):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class Provider:
    """All state, persisted in DIR/state.json so that a restarted server (an outage) still
    knows the refresh tokens it issued."""

    def __init__(self, args):
        self.args = args
        self.dir = Path(args.dir)
        self.lock = threading.Lock()
        self.state_path = self.dir / "state.json"
        try:
            self.state = json.loads(self.state_path.read_text())
        except FileNotFoundError:
            self.state = {"seq": 0, "access": {}, "refresh": {}, "device": {}, "codes": {},
                          "requests": 0}
        self.log_file = open(self.dir / "requests.log", "a", encoding="utf-8", buffering=1)

    def save(self):
        atomic_write(self.state_path, json.dumps(self.state, indent=1))
        # What the smarthost reads: access tokens and until when they are valid.
        valid = {t: a["expires"] for t, a in self.state["access"].items() if not a["revoked"]}
        atomic_write(self.dir / "tokens.json", json.dumps(valid))

    def log(self, text):
        self.log_file.write(f"{time.time():.3f} {text}\n")

    def new_token(self, prefix):
        self.state["seq"] += 1
        return f"{prefix}-{self.state['seq']}-{secrets.token_urlsafe(12)}"

    def issue(self, grant, with_refresh):
        access = self.new_token("at")
        self.state["access"][access] = {"expires": time.time() + self.args.lifetime,
                                        "revoked": False, "grant": grant}
        reply = {"access_token": access, "token_type": "Bearer",
                 "expires_in": self.args.lifetime}
        if with_refresh:
            refresh = self.new_token("rt")
            self.state["refresh"][refresh] = {"valid": True}
            reply["refresh_token"] = refresh
        return reply

    # The endpoints. Each returns (HTTP status, JSON object).

    def client_ok(self, form):
        if form.get("client_id") != self.args.client_id:
            return False
        # A confidential client (--client-secret) must send it; a public one sends none.
        return self.args.client_secret is None or form.get("client_secret") == self.args.client_secret

    def token(self, form):
        grant = form.get("grant_type", "")
        if not self.client_ok(form):
            return 401, {"error": "invalid_client",
                         "error_description": "Client authentication failed."}
        if grant == "client_credentials":
            if self.args.scope and form.get("scope") != self.args.scope:
                return 400, {"error": "invalid_scope",
                             "error_description": f"scope must be {self.args.scope}"}
            return 200, self.issue(grant, with_refresh=False)
        if grant == "refresh_token":
            rt = form.get("refresh_token", "")
            entry = self.state["refresh"].get(rt)
            if not entry or not entry["valid"]:
                # Some providers quote what they were sent: the client must not pass it on.
                return 400, {"error": "invalid_grant",
                             "error_description": f"Token {rt} has been expired or revoked."}
            if self.args.rotate:
                entry["valid"] = False  # strict rotation: the old one is spent
                return 200, self.issue(grant, with_refresh=True)
            return 200, self.issue(grant, with_refresh=False)
        if grant == DEVICE_GRANT:
            device = self.state["device"].get(form.get("device_code", ""))
            if not device:
                return 400, {"error": "invalid_grant", "error_description": "unknown device code"}
            if device["status"] == "pending":
                return 400, {"error": "authorization_pending"}
            if device["status"] == "denied":
                return 400, {"error": "access_denied"}
            del self.state["device"][form["device_code"]]
            return 200, self.issue(grant, with_refresh=True)
        if grant == "authorization_code":
            code = self.state["codes"].pop(form.get("code", ""), None)
            if not code or code["redirect_uri"] != form.get("redirect_uri"):
                return 400, {"error": "invalid_grant", "error_description": "Bad code"}
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(
                hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if challenge != code["challenge"]:
                return 400, {"error": "invalid_grant",
                             "error_description": "PKCE verification failed"}
            return 200, self.issue(grant, with_refresh=True)
        return 400, {"error": "unsupported_grant_type"}

    def devicecode(self, form, base):
        if form.get("client_id") != self.args.client_id:
            return 400, {"error": "invalid_client"}
        device_code = self.new_token("dc")
        user_code = secrets.choice("BCDFGHJKLMNPQRSTVWXZ") * 4 + "-" + str(self.state["seq"])
        self.state["device"][device_code] = {"user_code": user_code, "status": "pending",
                                             "scope": form.get("scope", "")}
        return 200, {"device_code": device_code, "user_code": user_code,
                     "verification_uri": f"{base}/device", "expires_in": 300,
                     "interval": self.args.device_interval,
                     "message": f"To sign in, open {base}/device and enter {user_code}."}

    def device_page(self, query):
        """The person signs in and approves (or, with deny=1, declines) a device code."""
        for device in self.state["device"].values():
            if device["user_code"] == query.get("user_code"):
                device["status"] = "denied" if query.get("deny") else "approved"
                return 200, {"signed_in": device["status"]}
        return 404, {"error": "no such code"}

    def authorize_page(self, query):
        """The person signs in and consents: the browser is sent to redirect_uri."""
        if query.get("client_id") != self.args.client_id or query.get("response_type") != "code" \
                or query.get("code_challenge_method") != "S256":
            return 400, {"error": "invalid_request"}
        code = self.new_token("code")
        self.state["codes"][code] = {"redirect_uri": query.get("redirect_uri"),
                                     "challenge": query.get("code_challenge")}
        params = urllib.parse.urlencode({"state": query.get("state", ""), "code": code,
                                         "scope": query.get("scope", "")})
        return 302, query.get("redirect_uri", "") + "?" + params

    def control(self, what):
        now = time.time()
        if what == "revoke":  # the admin (or the provider) revoked everything
            for r in self.state["refresh"].values():
                r["valid"] = False
            for a in self.state["access"].values():
                a["revoked"] = True
        elif what == "expire":  # access tokens die early, the client is not told
            for a in self.state["access"].values():
                a["expires"] = min(a["expires"], now - 1)
        else:
            return 404, {"error": "unknown control"}
        return 200, {"done": what}


class Handler(http.server.BaseHTTPRequestHandler):
    provider = None  # set in main

    def log_message(self, fmt, *args):  # quiet: requests.log has what the tests need
        pass

    def reply(self, status, body):
        if status == 302:
            self.send_response(302)
            self.send_header("Location", body)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_request(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        form = {}
        if method == "POST":
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        p = self.provider
        with p.lock:
            p.state["requests"] += 1
            base = f"https://localhost:{self.server.server_address[1]}"
            if method == "POST" and url.path == "/token":
                status, body = p.token(form)
            elif method == "POST" and url.path == "/devicecode":
                status, body = p.devicecode(form, base)
            elif method == "GET" and url.path == "/device":
                status, body = p.device_page(query)
            elif method == "GET" and url.path == "/authorize":
                status, body = p.authorize_page(query)
            elif method == "POST" and url.path.startswith("/control/"):
                status, body = p.control(url.path[len("/control/"):])
            else:
                status, body = 404, {"error": "not found"}
            what = form.get("grant_type", "")
            p.log(f"{method} {url.path} {what} -> {status} "
                  f"{body.get('error', '') if isinstance(body, dict) else 'redirect'}")
            p.save()
        self.reply(status, body)

    def do_POST(self):
        self.handle_request("POST")

    def do_GET(self):
        self.handle_request("GET")


def main():
    p = argparse.ArgumentParser(description="Test OAuth2 provider (see README.md).")
    p.add_argument("--dir", required=True, help="state directory")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (see DIR/port)")
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--lifetime", type=int, default=3600, help="access token lifetime, seconds")
    p.add_argument("--rotate", action="store_true", help="a new refresh token at every refresh")
    p.add_argument("--client-id", default="nullrelay-test")
    p.add_argument("--client-secret", help="the client is confidential: this secret is required")
    p.add_argument("--scope", help="client credentials must ask for exactly this scope")
    p.add_argument("--device-interval", type=int, default=1)
    args = p.parse_args()

    Path(args.dir).mkdir(parents=True, exist_ok=True)
    Handler.provider = Provider(args)
    Handler.provider.save()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    # The handshake happens in the request's thread (on its first read), not in accept().
    server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                    do_handshake_on_connect=False)

    def stop(*_):
        (Path(args.dir) / "port").unlink(missing_ok=True)
        threading.Thread(target=server.shutdown).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    atomic_write(Path(args.dir) / "port", str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
