#!/usr/bin/env python3
"""http_client.py - GET http://127.0.0.1:PORT/PATH; print the body (or,
with --status, the status code). Exits 1 if the connection fails."""
import http.client
import sys


def main():
    args = sys.argv[1:]
    status_only = False
    if args and args[0] == "--status":
        status_only = True
        args = args[1:]
    if len(args) != 2:
        print("usage: http_client.py [--status] PORT PATH", file=sys.stderr)
        return 2
    port, path = int(args[0]), args[1]
    if not path.startswith("/"):
        path = "/" + path
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
    except OSError as e:
        print(f"http_client: 127.0.0.1:{port}{path}: {e}", file=sys.stderr)
        return 1
    if status_only:
        print(r.status)
    else:
        sys.stdout.buffer.write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
