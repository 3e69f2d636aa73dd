#!/usr/bin/python3
"""Checks that a message is a valid RFC 3464 delivery status notification, parsing it with
Python's email package (an independent MIME parser).

check_dsn.py FILE HOSTNAME TO [FINAL,ORIGINAL,STATUS,DIAGNOSTIC-PREFIX ...] [--header TEXT ...]

Each recipient spec names one per-recipient block in order (ORIGINAL empty: no
Original-Recipient); --header TEXT must occur in the returned header section.
Exits non-zero with the reason on the first problem."""

import email
import email.utils
import sys
from email import policy


def fail(why):
    print(f"check_dsn: {why}", file=sys.stderr)
    sys.exit(1)


def expect(cond, why):
    if not cond:
        fail(why)


def main(argv):
    path, hostname, to, *rest = argv
    headers_wanted = []
    recipients = []
    while rest:
        item = rest.pop(0)
        if item == "--header":
            headers_wanted.append(rest.pop(0))
        else:
            recipients.append(item.split(",", 3))
    raw = open(path, "rb").read()
    expect(b"\n" not in raw.replace(b"\r\n", b""), "bare LF in the report")
    msg = email.message_from_bytes(raw, policy=policy.compat32)
    expect(not msg.defects, f"defects: {msg.defects}")
    expect(msg.get_content_type() == "multipart/report", f"type {msg.get_content_type()}")
    expect(msg.get_param("report-type") == "delivery-status", "report-type")
    expect(msg["From"] == f"MAILER-DAEMON@{hostname}", f"From: {msg['From']}")
    expect(msg["To"] == to, f"To: {msg['To']}")
    expect(msg["Auto-Submitted"] == "auto-replied", "Auto-Submitted")
    expect(msg["Date"] and msg["Message-ID"] and msg["Subject"], "Date, Message-ID, Subject")
    parts = msg.get_payload()
    types = [p.get_content_type() for p in parts]
    expect(types == ["text/plain", "message/delivery-status", "text/rfc822-headers"],
           f"parts {types}")
    for p in parts:
        expect(not p.defects, f"part defects: {p.defects}")

    text = parts[0].get_payload()
    blocks = parts[1].get_payload()  # the email package splits the field groups
    expect(isinstance(blocks, list) and len(blocks) == 1 + len(recipients),
           f"{len(blocks)} field groups for {len(recipients)} recipients")
    expect(blocks[0]["Reporting-MTA"] == f"dns; {hostname}", f"Reporting-MTA {blocks[0]['Reporting-MTA']}")
    expect(email.utils.parsedate_tz(blocks[0]["Arrival-Date"]), "Arrival-Date")
    for block, (final, original, status, diag) in zip(blocks[1:], recipients):
        expect(block["Final-Recipient"] == f"rfc822; {final}", f"Final-Recipient {block['Final-Recipient']}")
        if original:
            expect(block["Original-Recipient"] == f"rfc822; {original}",
                   f"Original-Recipient {block['Original-Recipient']}")
        expect(block["Action"] == "failed", f"Action {block['Action']}")
        expect(block["Status"] == status, f"Status {block['Status']} != {status}")
        expect((block["Diagnostic-Code"] or "").startswith(diag),
               f"Diagnostic-Code {block['Diagnostic-Code']!r} does not start with {diag!r}")
        expect(email.utils.parsedate_tz(block["Last-Attempt-Date"]), "Last-Attempt-Date")
        expect(f"<{final}>" in text, f"human-readable part does not name {final}")

    returned = parts[2].get_payload()
    for wanted in headers_wanted:
        expect(wanted in returned, f"returned headers lack {wanted!r}: {returned!r}")
    expect("\r\n\r\n" not in returned.rstrip("\r\n"), "returned headers include a body")


if __name__ == "__main__":
    main(sys.argv[1:])
