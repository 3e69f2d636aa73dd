#!/usr/bin/python3
"""A stand-in for systemd-journald's native protocol socket (systemd.journal-fields(7),
"Native Journal Protocol"): binds a datagram socket at PATH, and writes every entry it
receives as one JSON object per line to OUT, as `journalctl -o json` would show its fields.
Each datagram is one entry: "KEY=value\\n" fields, or "KEY\\n" + a 64-bit little-endian length
+ the value + "\\n" for values that hold a newline. (Entries passed as a memfd, for big
ones, are not needed by the tests and are reported as an error.)"""
import json
import os
import socket
import struct
import sys


def parse(data: bytes) -> dict:
    fields = {}
    i = 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            key, value = line.split(b"=", 1)
            i = nl + 1
        else:
            key = line
            (length,) = struct.unpack("<Q", data[nl + 1 : nl + 9])
            value = data[nl + 9 : nl + 9 + length]
            if data[nl + 9 + length : nl + 10 + length] != b"\n":
                raise ValueError("binary field not ended by a newline")
            i = nl + 10 + length
        fields[key.decode()] = value.decode("utf-8", "replace")
    return fields


def main() -> None:
    path, out = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    with open(out + ".ready", "w"):
        pass
    with open(out, "a", buffering=1) as f:
        while True:
            data, ancdata, _, _ = sock.recvmsg(1 << 20, socket.CMSG_SPACE(4 * 4))
            if ancdata:
                f.write(json.dumps({"error": "entry passed as a file descriptor"}) + "\n")
                continue
            try:
                f.write(json.dumps(parse(data)) + "\n")
            except (ValueError, struct.error) as e:
                f.write(json.dumps({"error": str(e)}) + "\n")


if __name__ == "__main__":
    main()
