#!/usr/bin/python3
"""The 7-bit downgrade as a mail reader sees it (Python's email package).

    check_mime.py make DIR            writes the test messages into DIR/NAME.eml
    check_mime.py compare SUBMITTED WIRE [--byte-for-byte]
    check_mime.py wire WIRE           only the 7-bit checks

compare: the wire copy (as the smarthost stored it) must be 7-bit SMTP data (every line
ends in CRLF, no octet over 127, no line over 998 octets) and decode to what was submitted:
part by part, the content type, the decoded payload (text with its line breaks made LF: the
canonical form of text is CRLF), the declared charset (kept; else utf-8 or unknown-8bit for
8-bit text), the filename, and the Subject, From, To and Cc of the message and of every
attached message. --byte-for-byte: the wire copy is the submitted bytes with CRLF line ends
(after the Received: field pickup adds on top).
Prints the problems and exits 1 when there are any.
"""
import email.policy
import email.utils
import re
import sys
from email.parser import BytesParser
from pathlib import Path

HEADERS = ["Subject", "From", "To", "Cc"]

BINARY = bytes(b for b in range(256) if b not in (10, 13)) * 3  # no CR or LF: raw-safe

MESSAGES = {
    # An 8-bit text body without MIME headers, as cron sends a command's output.
    "plain": ("From: Jörg Müller <root@example.org>\nTo: admin@example.net\n"
              "Subject: Grüße aus Köln: täglicher Bericht\n\n"
              "Sauvegarde terminée à 03:00.\n.\nÜbertragen: 42 Dateien \n-- \nroot\n").encode(),
    # Labelled Content-Transfer-Encoding: 8bit, with a declared charset.
    "eightbit": ("From: root@example.org\nTo: \"Müller, Hans\" <hans@example.net>\n"
                 "Subject: =?utf-8?q?d=C3=A9j=C3=A0?= encodé\nMIME-Version: 1.0\n"
                 "Content-Type: text/plain; charset=utf-8; format=flowed\n"
                 "Content-Transfer-Encoding: 8bit\n\n"
                 "Привет, мир! Это проверка.\nКириллица целиком.\n").encode(),
    # A multipart with an 8-bit text part and a raw binary attachment.
    "multipart": ("From: root@example.org\nTo: admin@example.net\nSubject: report\n"
                  "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"=-=b=-=\"\n"
                  "Content-Transfer-Encoding: 8bit\n\nThis is a multi-part message.\n"
                  "--=-=b=-=\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n"
                  "Le fichier est joint ; voilà.\n\n--=-=b=-=\n"
                  "Content-Type: application/octet-stream\n"
                  "Content-Disposition: attachment; filename=\"données.bin\"\n"
                  "Content-Transfer-Encoding: binary\n\n").encode()
                 + BINARY + b"\n--=-=b=-=--\nepilogue\n",
    # A 5,000-octet line.
    "longline": (b"From: root@example.org\nTo: admin@example.net\nSubject: log\n\n"
                 + b"".join(b"%04d " % i for i in range(1000)) + b"\nshort line\n"),
    # A message/rfc822 attachment with 8-bit header fields and body.
    "attached": ("From: root@example.org\nTo: admin@example.net\nSubject: Fwd: rapport\n"
                 "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=outer\n\n"
                 "--outer\nContent-Type: text/plain; charset=us-ascii\n\nSee the attached message.\n"
                 "--outer\nContent-Type: message/rfc822\n\n"
                 "From: José Ramón <jose@example.org>\nTo: admin@example.net\n"
                 "Subject: Ça marche très bien\nDate: Mon, 1 Jun 2026 10:00:00 +0000\n\n"
                 "Le corps du message attaché, avec des accents : é è ê ë.\n"
                 "--outer--\n").encode(),
    # 7-bit with short lines and every header the relay would add: passes byte for byte.
    "seven": (b"From: root@example.org\nTo: admin@example.net\nSubject: plain ASCII\n"
              b"Date: Mon, 1 Jun 2026 10:00:00 +0000\nMessage-ID: <seven@example.org>\n"
              b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n"
              b"Content-Transfer-Encoding: 8bit\n\n--b\nContent-Type: text/plain\n\n"
              b".leading dot\n-- \nsig\n--b--\n"),
}


def wire_problems(raw: bytes) -> list[str]:
    found = []
    lines = raw.split(b"\r\n")
    if lines[-1] != b"":
        found.append("does not end with CRLF")
    for number, line in enumerate(lines[:-1], 1):
        if b"\n" in line or b"\r" in line:
            found.append(f"line {number}: a bare CR or LF")
        if len(line) > 998:
            found.append(f"line {number}: {len(line)} octets long")
        if any(b > 127 for b in line):
            found.append(f"line {number}: an octet over 127: {line[:60]!r}")
    return found[:10]


def header_view(msg, name):
    """What a reader makes of a header field: its decoded text, or (name, address) pairs.
    8-bit octets that Python keeps as surrogates are read as UTF-8."""
    value = msg.get(name)
    if value is None:
        return None

    def text(s):
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")

    if hasattr(value, "addresses"):
        return [(text(a.display_name), a.addr_spec) for a in value.addresses]
    return " ".join(text(str(value)).split())


def entities(msg, is_message):
    """("headers", ...) for each message, ("part", ...) for each leaf, in order."""
    out = []
    if is_message:
        out.append(("headers", {n: header_view(msg, n) for n in HEADERS}))
    if msg.is_multipart():
        attached = msg.get_content_maintype() == "message"
        for sub in msg.get_payload():
            out += entities(sub, attached)
        return out
    payload = msg.get_payload(decode=True) or b""
    ctype = msg.get_content_type()
    if msg.get_content_maintype() == "text":
        payload = payload.replace(b"\r\n", b"\n")
    out.append(("part", ctype, payload, msg.get_param("charset"), msg.get_filename()))
    return out


def compare(submitted_raw: bytes, wire_raw: bytes, byte_for_byte: bool) -> list[str]:
    found = wire_problems(wire_raw)
    if byte_for_byte:
        want = submitted_raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        # The trace field pickup puts on top (received_header) is the only addition.
        got = re.sub(rb"\AReceived:[^\r]*\r\n(?:[ \t][^\r]*\r\n)*", b"", wire_raw)
        if got != want:
            found.append("not byte for byte: the 7-bit message was changed")
    parser = BytesParser(policy=email.policy.default)
    sub = entities(parser.parsebytes(submitted_raw), True)
    wire = entities(parser.parsebytes(wire_raw), True)
    if len(sub) != len(wire):
        found.append(f"{len(sub)} entities submitted, {len(wire)} on the wire: "
                     f"{[e[:2] for e in sub]} / {[e[:2] for e in wire]}")
        return found
    for i, (s, w) in enumerate(zip(sub, wire)):
        if s[0] == "headers":
            for name in HEADERS:
                if s[1][name] != w[1][name]:
                    found.append(f"entity {i}: {name}: submitted {s[1][name]!r}, "
                                 f"decoded {w[1][name]!r}")
            continue
        _, stype, spay, scharset, sname = s
        _, wtype, wpay, wcharset, wname = w
        if stype != wtype:
            found.append(f"part {i}: type {stype} became {wtype}")
        if spay != wpay:
            found.append(f"part {i} ({stype}): content differs: {spay[:80]!r} / {wpay[:80]!r}")
        if sname != wname:
            found.append(f"part {i}: filename {sname!r} became {wname!r}")
        if scharset is not None and scharset != wcharset:
            found.append(f"part {i}: charset {scharset} became {wcharset}")
        if scharset is None and stype.startswith("text/") and any(b > 127 for b in spay):
            want = "utf-8" if is_utf8(spay) else "unknown-8bit"
            if wcharset != want:
                found.append(f"part {i}: 8-bit text labelled {wcharset!r}, not {want}")
    return found


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["make"]:
        for name, data in MESSAGES.items():
            Path(args[1], name + ".eml").write_bytes(data)
        return 0
    if args[:1] == ["wire"]:
        found = wire_problems(Path(args[1]).read_bytes())
        for p in found:
            print(f"{args[1]}: {p}")
        return 1 if found else 0
    _, submitted, wire = args[:3]
    found = compare(Path(submitted).read_bytes(), Path(wire).read_bytes(),
                    "--byte-for-byte" in args)
    for p in found:
        print(f"{wire}: {p}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
