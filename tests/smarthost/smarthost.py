#!/usr/bin/python3
"""Test SMTP smarthost for nullrelay's integration tests.

An aiosmtpd server that records every accepted message byte-exact, keeps a
transcript of the conversation and can misbehave on demand (faults.json).
See README.md in this directory for the CLI and the file formats.

Needs Debian's python3-aiosmtpd (1.4.3); run it with /usr/bin/python3.
"""

import argparse
import asyncio
import base64
import functools
import hashlib
import json
import logging
import os
import re
import signal
import ssl
import sys
import time
import traceback
from pathlib import Path

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword, TLSSetupException, syntax

IDLE_REPLY = "421 4.4.2 idle timeout"
KNOWN_STAGES = {"connect", "ehlo", "helo", "starttls", "auth", "mail", "rcpt",
                "data", "body", "eom", "rset", "noop", "quit", "vrfy", "help"}


def atomic_write(path, data):
    """Write via a temporary file and a rename, so readers never see half a file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data if isinstance(data, bytes) else data.encode())
    os.replace(tmp, path)


def read_json(path, default):
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        return default


class Faults:
    """Rules from DIR/faults.json, re-read on every lookup so tests can change
    them while the server runs.  "times" counters live in DIR/faults.state.json,
    keyed by the rule's index in the file, together with a hash of faults.json:
    writing a different faults.json starts all counts afresh, so one test's
    used-up rule #0 cannot swallow the next test's rule #0."""

    def __init__(self, directory):
        self.path = directory / "faults.json"
        self.state_path = directory / "faults.state.json"

    def _load(self):
        """Return (hash of the file, [(index, rule)] of the valid rules)."""
        try:
            text = self.path.read_bytes()
            rules = json.loads(text).get("rules", [])
        except FileNotFoundError:
            return None, []
        except (ValueError, AttributeError) as e:
            print(f"smarthost: ignoring unreadable {self.path}: {e}", file=sys.stderr)
            return None, []
        valid = []
        for index, rule in enumerate(rules):
            action = rule.get("action") or ("reply" if "reply" in rule else "stall")
            if rule.get("stage") not in KNOWN_STAGES or action not in ("reply", "drop", "stall") \
                    or (action == "reply" and not rule.get("reply")) \
                    or (rule.get("stage") == "body" and action == "reply") \
                    or "/" in str(rule.get("release", "")):
                print(f"smarthost: ignoring bad fault rule #{index}: {rule}", file=sys.stderr)
                continue
            valid.append((index, dict(rule, action=action)))
        return hashlib.sha256(text).hexdigest(), valid

    def take(self, stage, subject):
        """Return the first rule matching (stage, subject), counting it against
        its "times" budget, or None."""
        digest, rules = self._load()
        for index, rule in rules:
            if rule["stage"] != stage or rule.get("match", "") not in subject:
                continue
            if "times" in rule:
                # No await between read and write: connections cannot race here.
                state = read_json(self.state_path, {})
                if state.get("faults_sha256") != digest:
                    state = {"faults_sha256": digest}
                used = state.get(str(index), 0)
                if used >= rule["times"]:
                    continue
                state[str(index)] = used + 1
                atomic_write(self.state_path, json.dumps(state, indent=1) + "\n")
            return rule
        return None


class Smarthost:
    """State shared by all connections; also the aiosmtpd handler object."""

    def __init__(self, args, tls_context):
        self.args = args
        self.dir = Path(args.dir)
        self.messages_dir = self.dir / "messages"
        self.messages_dir.mkdir(parents=True, exist_ok=True)
        self.tls_context = tls_context
        self.implicit_tls = args.tls == "implicit"
        # STARTTLS is offered only in starttls mode; once offered it is mandatory
        # before AUTH and MAIL.  With --no-starttls (a stripped STARTTLS) and in
        # "none" mode the server happily takes AUTH and mail in plaintext, so a
        # test can see whether the client refuses.
        self.offer_starttls = args.tls == "starttls" and not args.no_starttls
        self.tls_required = self.offer_starttls
        # Careful: aiosmtpd turns every handler attribute named auth_* into
        # an AUTH mechanism, hence no such names here.
        self.use_auth = not args.no_auth
        self.mechanisms = [m.strip().upper() for m in args.auth_mechs.split(",") if m.strip()]
        self.faults = Faults(self.dir)
        # Counters continue across restarts on the same DIR (tests restart the
        # server to simulate outages and still want one numbering).
        self.stats = dict({"connections": 0, "messages": 0, "tls_connections": 0},
                          **read_json(self.dir / "stats.json", {}))
        existing = [int(p.stem) for p in self.messages_dir.glob("[0-9]*.json") if p.stem.isdigit()]
        self.last_seq = max(existing, default=0)
        self.transcript_file = open(self.dir / "transcript.log", "a", encoding="utf-8",
                                    errors="backslashreplace")
        self.open_connections = set()

    def transcript(self, conn, tag, text):
        self.transcript_file.write(f"{conn} {tag}: {text}\n")
        self.transcript_file.flush()

    def count(self, key):
        self.stats[key] += 1
        atomic_write(self.dir / "stats.json", json.dumps(self.stats) + "\n")
        return self.stats[key]

    def store_message(self, record, data):
        self.last_seq += 1
        seq = self.last_seq
        name = f"{seq:06d}"
        atomic_write(self.messages_dir / f"{name}.eml", data)
        record = dict(record, seq=seq, size=len(data),
                      data_b64=base64.b64encode(data).decode())
        # The .json appears last: its presence means the message is complete.
        atomic_write(self.messages_dir / f"{name}.json", json.dumps(record, indent=1) + "\n")
        self.count("messages")
        return name

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login == self.args.user.encode()
              and auth_data.password == self.args.password.encode())
        login = auth_data.login.decode("utf-8", "backslashreplace")
        server.event(f"AUTH {mechanism} as {login!r}: {'ok' if ok else 'rejected'}")
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    # aiosmtpd handler hooks

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # With this (5-argument) hook aiosmtpd leaves remembering the name to us.
        session.host_name = hostname
        lines = [server.hostname]
        if self.args.max_size:
            lines.append(f"SIZE {self.args.max_size}")
        if not self.args.no_8bitmime:
            lines.append("8BITMIME")
        if self.args.smtputf8:
            lines.append("SMTPUTF8")
        tls = server.tls_active()
        if self.offer_starttls and not tls:
            lines.append("STARTTLS")
        if self.use_auth and (tls or not self.tls_required):
            lines.append("AUTH " + " ".join(self.mechanisms))
        return [f"250-{line}" for line in lines[:-1]] + [f"250 {lines[-1]}"]

    async def handle_DATA(self, server, session, envelope):
        return await server.end_of_data(envelope)


class SmarthostSMTP(SMTP):
    """One client connection."""

    # aiosmtpd's default (1001, RFC 5321) would reject the long lines the tests
    # push through the relay; the limit also sizes the StreamReader buffer.
    line_length_limit = 1 << 20
    AuthLoginUsernameChallenge = "Username:"
    AuthLoginPasswordChallenge = "Password:"

    def __init__(self, host):
        self.host = host
        args = host.args
        # Created per accepted TCP connection (also in implicit mode, before the
        # handshake), so "connections" counts TCP accepts.
        self.conn = host.count("connections")
        self.in_body = False
        self.body_bytes = 0
        self.body_rule = None  # a "body" fault waiting for its byte count
        self.greeting_override = None
        self.stalling = False
        self.closed = False
        self.tls_counted = False
        self.tls_version = None
        self.last_activity = 0.0
        self.bearer = None  # the XOAUTH2 token accepted (--bearer-tokens)
        super().__init__(
            host,
            hostname=args.hostname,  # otherwise socket.getfqdn() on every connection
            ident="ESMTP nullrelay test smarthost",
            data_size_limit=args.max_size or None,
            enable_SMTPUTF8=args.smtputf8,
            decode_data=False,
            tls_context=host.tls_context if host.offer_starttls else None,
            # TLS and AUTH policy is enforced here, not by aiosmtpd: its checks
            # do not recognise implicit TLS and use other reply texts.
            require_starttls=False,
            auth_required=False,
            auth_require_tls=False,
            auth_exclude_mechanism={"PLAIN", "LOGIN", "XOAUTH2"} - set(host.mechanisms),
            authenticator=host.authenticate,
            timeout=args.idle_timeout or 300,
        )
        self._smtp_methods = {command: self._with_faults(command, method)
                              for command, method in self._smtp_methods.items()}

    # transcript and state helpers

    def tls_active(self):
        return self.host.implicit_tls or self._tls_protocol is not None

    def log(self, tag, text):
        self.host.transcript(self.conn, tag + ("~" if self.tls_active() else ""), text)

    def event(self, text):
        self.host.transcript(self.conn, "*", text)

    def _tls_established(self):
        if self.tls_counted:
            return
        self.tls_counted = True
        ssl_object = self.transport.get_extra_info("ssl_object")
        self.tls_version = ssl_object.version() if ssl_object else None
        self.event(f"TLS established: {self.tls_version} {ssl_object.cipher()[0] if ssl_object else ''}"
                   + client_cert_note(ssl_object))
        self.host.count("tls_connections")

    # connection life cycle

    def connection_made(self, transport):
        self.last_activity = self.loop.time()
        first = self.transport is None
        super().connection_made(transport)
        if first:
            self.host.open_connections.add(self)
            peer = transport.get_extra_info("peername")
            self.event(f"connect from {peer[0]}:{peer[1]}")
            if self.host.implicit_tls:
                self._tls_established()

    def connection_lost(self, error):
        # aiosmtpd calls this twice after a failed STARTTLS handshake.
        if not self.closed:
            self.closed = True
            self.host.open_connections.discard(self)
            self.event("closed" + (f" ({error!r})" if error else ""))
        super().connection_lost(error)

    def _client_connected_cb(self, reader, writer):
        super()._client_connected_cb(reader, writer)
        # Every line aiosmtpd reads (commands, AUTH responses, message data)
        # goes through readuntil(): hook it for the transcript and idle timer.
        read_line = reader.readuntil

        async def logged_readuntil(separator=b"\n"):
            line = await read_line(separator)
            self._line_received(line)
            if self.body_rule and self.in_body and self.body_bytes >= self.body_rule.get("after", 0):
                await self._body_fault()
            return line
        reader.readuntil = logged_readuntil

    def _line_received(self, line):
        self.last_activity = self.loop.time()
        if not self.in_body:
            self.log("C", line.rstrip(b"\r\n").decode("utf-8", "backslashreplace"))
        elif line == b".\r\n":
            self.in_body = False
            self.log("C", f"[message data: {self.body_bytes} bytes before unstuffing]")
            self.log("C", ".")
        else:
            self.body_bytes += len(line)

    async def push(self, status):
        if isinstance(status, bytes):  # AUTH challenges
            self.log("S", status.decode("ascii", "backslashreplace"))
            return await super().push(status)
        if self.greeting_override is not None:
            status, self.greeting_override = self.greeting_override, None
        if status.startswith("354"):
            self.in_body, self.body_bytes = True, 0
            # Looked up (and counted) once per message, not per line: carried out in
            # _body_fault once "after" bytes of the body have been read.
            self.body_rule = self.host.faults.take("body", " ".join(self.envelope.rcpt_tos))
        # Fault replies may span several lines ("250-a\n250 b").
        for line in status.splitlines():
            self.log("S", line)
            await super().push(line)

    def _timeout_cb(self):
        # aiosmtpd's timer only restarts on complete commands; ours measures
        # time since the client last sent anything, and a stall of our own
        # does not count as client idleness.
        if self.transport is None:
            return
        if self.stalling:
            return self._reset_timeout()
        idle = self.loop.time() - self.last_activity
        if idle < self._timeout_duration:
            return self._reset_timeout(self._timeout_duration - idle)
        self.event("idle timeout")
        self.log("S", IDLE_REPLY)
        self._writer.write(IDLE_REPLY.encode() + b"\r\n")
        self.transport.close()

    async def handle_exception(self, error):
        if isinstance(error, TLSSetupException):
            # aiosmtpd closes the connection itself; this reply is never sent.
            self.event(f"TLS handshake failed: {error.__cause__!r}")
            return "454 4.7.0 TLS handshake failed"
        self.event(f"internal error: {error!r}")
        traceback.print_exception(error, file=sys.stderr)
        return f"451 4.3.0 Internal error: {type(error).__name__}"

    # fault injection

    async def fault(self, stage, subject=""):
        """Look up a fault rule and sleep its "stall".  Returns the rule if it
        still has to be carried out ("reply" or "drop"), None to go on normally."""
        rule = self.host.faults.take(stage, subject or "")
        if rule is None:
            return None
        self.event(f"fault {stage}: {json.dumps(rule)}")
        await self._stall(rule)
        return None if rule["action"] == "stall" else rule

    async def _stall(self, rule):
        """Sleep the rule's "stall" seconds, or until DIR/<release> exists."""
        if not rule.get("stall"):
            return
        self.stalling = True
        try:
            deadline = self.loop.time() + float(rule["stall"])
            release = self.host.dir / rule["release"] if rule.get("release") else None
            while self.loop.time() < deadline:
                if release is not None and release.exists():
                    self.event(f"stall released by {rule['release']}")
                    break
                await asyncio.sleep(min(0.05, max(0.0, deadline - self.loop.time())))
        finally:
            self.stalling = False
            self.last_activity = self.loop.time()

    async def _body_fault(self):
        """The "body" stage: stop reading the upload for "stall" seconds (the transport
        is paused, so the data backs up into the socket buffers and then the client),
        then go on ("stall") or drop the connection ("drop")."""
        rule, self.body_rule = self.body_rule, None
        self.event(f"fault body after {self.body_bytes} bytes: {json.dumps(rule)}")
        self.transport.pause_reading()
        try:
            await self._stall(rule)
        finally:
            if not self.closed:
                self.transport.resume_reading()
        if rule["action"] == "drop":
            self.drop()

    def drop(self):
        """Close the connection abruptly, without a reply, and end the session."""
        self.event("dropping connection (fault)")
        self.transport.abort()
        raise asyncio.CancelledError

    async def fault_reply(self, reply):
        await self.push(reply)
        if reply.startswith("421"):  # 421 means "closing the channel"
            self.transport.close()

    def _with_faults(self, command, method):
        @functools.wraps(method)
        async def wrapper(arg):
            subject = arg or ""
            if command in ("MAIL", "RCPT"):
                path = parse_path(arg)
                subject = path[0] if path else subject
            rule = await self.fault(command.lower(), subject)
            if rule is None:
                return await method(arg)
            if rule["action"] == "drop":
                self.drop()
            await self.fault_reply(rule["reply"])
        return wrapper

    async def _handle_client(self):
        rule = await self.fault("connect", self.session.peer[0])
        if rule is not None:
            if rule["action"] == "drop":
                self.drop()
            if not rule["reply"].startswith("2"):
                await self.push(rule["reply"])
                self.transport.close()
                return
            self.greeting_override = rule["reply"]
        await super()._handle_client()

    async def end_of_data(self, envelope):
        if self.host.args.no_8bitmime:
            problem = seven_bit_problem(envelope.original_content)
            if problem:
                self.event(f"refused: {problem}")
                return f"554 5.6.0 {problem} (8BITMIME was not offered)"
        # Subject: the recipients, so a rule can pick one message's transaction.
        rule = await self.fault("eom", " ".join(envelope.rcpt_tos))
        reply = rule.get("reply") if rule else None
        store = rule.get("store", bool(reply) and reply.startswith("2")) if rule else True
        name = None
        if store:
            auth = self.session.auth_data if self.session.authenticated else None
            name = self.host.store_message({
                "conn": self.conn,
                "helo": self.session.host_name,
                "mail_from": envelope.mail_from,
                "mail_options": envelope.mail_options,
                "rcpt_tos": envelope.rcpt_tos,
                "rcpt_options": envelope.rcpt_options,
                "tls": self.tls_active(),
                "tls_version": self.tls_version,
                "auth_user": auth.login.decode("utf-8", "backslashreplace") if auth else None,
                "auth_bearer": self.bearer,
            }, envelope.original_content)
            self.event(f"stored message {name}")
        if rule is not None and rule["action"] == "drop":
            self.drop()
        return reply or f"250 2.0.0 Ok: queued as {name}"

    # SMTP commands that differ from aiosmtpd's

    async def _tls_and_auth_missing(self):
        if self.host.tls_required and not self.tls_active():
            await self.push("530 5.7.0 Must issue a STARTTLS command first")
            return True
        if self.host.use_auth and not self.session.authenticated:
            await self.push("530 5.7.0 Authentication required")
            return True
        return False

    # (@syntax: overriding drops the base method's HELP text.)
    @syntax("STARTTLS", when="tls_context")
    async def smtp_STARTTLS(self, arg):
        await super().smtp_STARTTLS(arg)
        if self._tls_protocol is not None:
            self._tls_established()

    # XOAUTH2 (Google's SASL profile): base64 of "user=U\x01auth=Bearer TOKEN\x01\x01",
    # checked as user and password (--password is the expected token). A method on the
    # protocol class, as aiosmtpd turns auth_* attributes into mechanisms.
    async def auth_XOAUTH2(self, _, args):
        if len(args) != 2:
            await self.push("501 5.5.2 XOAUTH2 needs an initial response")
            return AuthResult(success=False, handled=True)
        try:
            fields = base64.b64decode(args[1].encode(), validate=True).split(b"\x01")
            user = next(f[5:] for f in fields if f.startswith(b"user="))
            token = next(f[12:] for f in fields if f.startswith(b"auth=Bearer "))
        except Exception:
            await self.push("501 5.5.2 Can't decode XOAUTH2 response")
            return AuthResult(success=False, handled=True)
        if self.host.args.bearer_tokens:
            return await self._check_bearer(user, token)
        return self._authenticate("XOAUTH2", LoginPassword(user, token))

    async def _check_bearer(self, user, token):
        """--bearer-tokens: the token must be one the test OAuth2 provider lists as valid
        (tests/oauth2/oauth2_server.py writes the file). A refusal is Microsoft's 535, or
        with --xoauth2-challenge Gmail's: a 334 with a base64 JSON status, then 535."""
        valid = read_json(self.host.args.bearer_tokens, {})
        bearer = token.decode("ascii", "backslashreplace")
        ok = user == self.host.args.user.encode() and valid.get(bearer, 0) > time.time()
        # The transcript names the token by its number (at-N), not by its secret part.
        self.event(f"AUTH XOAUTH2 as {user.decode('utf-8', 'backslashreplace')!r}: "
                   f"{'ok' if ok else 'rejected'} (bearer {'-'.join(bearer.split('-')[:2])})")
        if ok:
            self.bearer = bearer
            return AuthResult(success=True, handled=False, auth_data=LoginPassword(user, token))
        if self.host.args.xoauth2_challenge:
            status = {"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"}
            if await self.challenge_auth(json.dumps(status)) is MISSING:
                return AuthResult(success=False, handled=True)  # it replied already
            return AuthResult(success=False, handled=False,
                              message="535 5.7.8 Username and Password not accepted")
        return AuthResult(success=False, handled=False,
                          message="535 5.7.3 Authentication unsuccessful")

    @syntax("AUTH <mechanism>")
    async def smtp_AUTH(self, arg):
        if not self.host.use_auth:
            return await self.push("503 5.5.1 Error: authentication not enabled")
        if self.host.tls_required and not self.tls_active():
            return await self.push("530 5.7.0 Must issue a STARTTLS command first")
        await super().smtp_AUTH(arg)

    # aiosmtpd 1.4.3 parses addresses with the email header parser: it stores
    # the null sender as the string "<>", drops source routes and normalises
    # quoting.  The tests want the addresses exactly as sent, so MAIL and RCPT
    # are reimplemented.

    @syntax("MAIL FROM: <address>", extended=" [SP <mail-parameters>]")
    async def smtp_MAIL(self, arg):
        if await self.check_helo_needed() or await self._tls_and_auth_missing():
            return
        path = parse_path(arg, "FROM:")
        if path is None:
            return await self.push("501 5.5.4 Syntax: MAIL FROM:<address>")
        if self.envelope.mail_from is not None:
            return await self.push("503 5.5.1 Error: nested MAIL command")
        address, params = path
        for param in params:
            key, _, value = param.partition("=")
            key = key.upper()
            if key == "SIZE" and value.isdigit():
                if self.data_size_limit and int(value) > self.data_size_limit:
                    return await self.push("552 5.3.4 Message size exceeds fixed limit")
            elif key == "BODY" and value.upper() == "7BIT":
                pass
            elif key == "BODY" and value.upper() == "8BITMIME" and not self.host.args.no_8bitmime:
                pass
            elif key == "AUTH" and value and self.host.use_auth:
                pass
            elif key == "SMTPUTF8" and not value and self.enable_SMTPUTF8:
                pass
            else:
                return await self.push(f"555 5.5.4 Unsupported option: {param}")
        self.envelope.mail_from = address
        self.envelope.mail_options = params
        await self.push("250 2.1.0 Ok")

    @syntax("RCPT TO: <address>")
    async def smtp_RCPT(self, arg):
        if await self.check_helo_needed() or await self._tls_and_auth_missing():
            return
        if self.envelope.mail_from is None:
            return await self.push("503 5.5.1 Error: need MAIL command")
        path = parse_path(arg, "TO:")
        if path is None or not path[0]:
            return await self.push("501 5.5.4 Syntax: RCPT TO:<address>")
        address, params = path
        if params:  # no DSN advertised, so no RCPT parameters are valid
            return await self.push(f"555 5.5.4 Unsupported option: {params[0]}")
        self.envelope.rcpt_tos.append(address)
        await self.push("250 2.1.5 Ok")


PATH_RE = re.compile(r"\s*(?:<([^<>]*)>|([^\s<>]+))(.*)\Z", re.S)


def parse_path(arg, keyword=None):
    """Split 'FROM:<addr> P1 P2' into ('addr', ['P1', 'P2']); None if malformed.
    The null path '<>' gives ''."""
    arg = arg or ""
    if keyword:
        if arg[:len(keyword)].upper() != keyword:
            return None
        arg = arg[len(keyword):]
    else:
        arg = re.sub(r"^(?i:FROM:|TO:)", "", arg)
    m = PATH_RE.match(arg)
    if not m or (m.group(3) and not m.group(3)[0].isspace()):
        return None
    address = m.group(1) if m.group(1) is not None else m.group(2)
    return address, m.group(3).split()


def seven_bit_problem(data):
    """Why `data` is not 7-bit SMTP data (an octet over 127, a line over 998
    octets), or None."""
    for number, line in enumerate(data.split(b"\r\n"), 1):
        if len(line) > 998:
            return f"line {number} is {len(line)} octets long"
        if any(b > 127 for b in line):
            return f"line {number} holds an octet over 127"
    return None


def client_cert_note(ssl_object):
    """", client certificate CN=..." when the client presented one (--client-ca)."""
    cert = ssl_object.getpeercert() if ssl_object else None
    if not cert:
        return ""
    cn = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
    return f", client certificate CN={cn[0] if cn else '?'}"


def tls_version(text):
    return {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
            "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[text]


def parse_args(argv):
    p = argparse.ArgumentParser(description="Test SMTP smarthost (see README.md).")
    p.add_argument("--dir", required=True, help="state directory")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (see DIR/port)")
    p.add_argument("--hostname", default="localhost", help="name in greeting and EHLO reply")
    p.add_argument("--tls", choices=("starttls", "implicit", "none"), default="starttls")
    p.add_argument("--cert", help="server certificate (PEM), needed unless --tls none")
    p.add_argument("--key", help="server private key (PEM)")
    p.add_argument("--tls-min", choices=("1.0", "1.1", "1.2", "1.3"))
    p.add_argument("--tls-max", choices=("1.0", "1.1", "1.2", "1.3"))
    p.add_argument("--user", default="test")
    p.add_argument("--password", default="secret")
    p.add_argument("--auth-mechs", default="PLAIN,LOGIN",
                   help="advertised mechanisms, in this order (PLAIN, LOGIN and XOAUTH2 work)")
    p.add_argument("--bearer-tokens",
                   help="XOAUTH2: accept only the tokens this file lists as valid (a JSON object "
                        "token -> expiry time, written by tests/oauth2/oauth2_server.py)")
    p.add_argument("--xoauth2-challenge", action="store_true",
                   help="refuse a bearer as Gmail does: a 334 JSON challenge, then 535")
    p.add_argument("--client-ca", help="require a client certificate signed by this CA (PEM)")
    p.add_argument("--no-auth", action="store_true", help="no AUTH at all, MAIL needs none")
    p.add_argument("--no-starttls", action="store_true",
                   help="starttls mode without offering STARTTLS (a stripped STARTTLS)")
    p.add_argument("--max-size", type=int, default=64 << 20, help="SIZE limit, 0 = none")
    p.add_argument("--idle-timeout", type=float,
                   help=f'seconds of client silence before "{IDLE_REPLY}" (default 300)')
    p.add_argument("--smtputf8", action="store_true", help="advertise and accept SMTPUTF8")
    p.add_argument("--no-8bitmime", action="store_true",
                   help="do not advertise 8BITMIME; refuse 8-bit data and lines over 998 octets")
    p.add_argument("--verbose", action="store_true", help="aiosmtpd's own logging on stderr")
    args = p.parse_args(argv)
    if args.tls != "none" and not (args.cert and args.key):
        p.error("--cert and --key are needed unless --tls none")
    return args


def make_tls_context(args):
    if args.tls == "none":
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.tls_min:
        context.minimum_version = tls_version(args.tls_min)
    if args.tls_max:
        context.maximum_version = tls_version(args.tls_max)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)
    return context


async def serve(args):
    tls_context = make_tls_context(args)
    host = Smarthost(args, tls_context)
    port_file = host.dir / "port"
    port_file.unlink(missing_ok=True)  # never let a harness read a stale port
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SmarthostSMTP(host), args.host, args.port,
        ssl=tls_context if host.implicit_tls else None, reuse_address=True)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    atomic_write(port_file, f"{server.sockets[0].getsockname()[1]}\n")
    await stop.wait()
    server.close()
    for connection in list(host.open_connections):
        if connection.transport is not None:
            connection.transport.abort()
    port_file.unlink(missing_ok=True)
    host.transcript_file.close()


def main(argv=None):
    args = parse_args(argv)
    # aiosmtpd logs a deprecation warning on every successful AUTH (its own
    # use of Session.login_data); keep stderr for real errors.
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.ERROR,
                        format="smarthost: %(name)s: %(message)s")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
