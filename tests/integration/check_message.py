#!/usr/bin/python3
"""Checks a message as the smarthost stored it: what a strict smarthost (SES, Gmail) demands.

    check_message.py FILE.eml [--body-contains TEXT] [--from-display NAME]

Every address header (From, Sender, Reply-To, To, Cc, Resent-*) holds only addresses with a
domain; Date and Message-ID are present exactly once and well formed; there is no Bcc; every
line ends in CRLF. Prints the problems and exits 1 when there are any.
"""
import email.policy
import email.utils
import re
import sys
from email.parser import BytesParser

ADDRESS_HEADERS = ["From", "Sender", "Reply-To", "To", "Cc", "Resent-From", "Resent-To", "Resent-Cc"]


def problems(raw: bytes, body_contains: str | None, from_display: str | None) -> list[str]:
    found = []
    if re.search(rb"(?<!\r)\n", raw) or re.search(rb"\r(?!\n)", raw):
        found.append("a line does not end in CRLF")
    msg = BytesParser(policy=email.policy.compat32).parsebytes(raw)
    for name in ADDRESS_HEADERS:
        for value in msg.get_all(name, []):
            for display, addr in email.utils.getaddresses([value]):
                if not re.fullmatch(r"[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+", addr):
                    found.append(f"{name}: unqualified or malformed address {addr!r} in {value!r}")
    for name in ["Date", "Message-ID"]:
        values = msg.get_all(name, [])
        if len(values) != 1:
            found.append(f"{len(values)} {name} headers")
    if msg.get("Date") and email.utils.parsedate_tz(msg["Date"]) is None:
        found.append(f"unparsable Date: {msg['Date']!r}")
    if msg.get("Message-ID") and not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", msg["Message-ID"].strip()):
        found.append(f"malformed Message-ID: {msg['Message-ID']!r}")
    if msg.get_all("Bcc"):
        found.append("a Bcc header was sent")
    if body_contains is not None and body_contains.encode() not in raw.split(b"\r\n\r\n", 1)[-1]:
        found.append(f"body lacks {body_contains!r}")
    if from_display is not None:
        names = [d for d, _ in email.utils.getaddresses(msg.get_all("From", []))]
        if from_display not in names:
            found.append(f"From display name {from_display!r} not kept: {msg.get_all('From')}")
    return found


def main() -> int:
    args = sys.argv[1:]
    path = args.pop(0)
    opts = dict(zip(args[::2], args[1::2]))
    found = problems(open(path, "rb").read(), opts.get("--body-contains"), opts.get("--from-display"))
    for p in found:
        print(f"{path}: {p}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
