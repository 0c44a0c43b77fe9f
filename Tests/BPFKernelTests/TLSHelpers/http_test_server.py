#!/usr/bin/env python3
# The server of the sslsniff and http tests: HTTP/1.1 over TLS (with --cert/--key) or plain TCP
# on 127.0.0.1, keep-alive and pipelining, answers decided by the path:
#   /bytes/N     200 with a body of N bytes      /status/S   status S with a 2-byte body
#   anything else 200 with "ok\n"
# It prints its port, then serves until killed (or --connections N connections are done).
# Every byte it read and wrote goes to OUTDIR/received and OUTDIR/sent, and one line per
# response to OUTDIR/log: "METHOD TARGET STATUS REQUEST_BYTES RESPONSE_BYTES".
import argparse, socket, ssl, sys

p = argparse.ArgumentParser()
p.add_argument("--cert"); p.add_argument("--key"); p.add_argument("--outdir", required=True)
p.add_argument("--connections", type=int, default=0)
a = p.parse_args()

ctx = None
if a.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)

def body_of(n):
    pattern = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
    return (pattern * (n // len(pattern) + 1))[:n]

def respond(method, target):
    status, body = 200, b"ok\n"
    parts = target.split("?")[0].split("/")
    if len(parts) == 3 and parts[1] == "bytes":
        body = body_of(int(parts[2]))
    elif len(parts) == 3 and parts[1] == "status":
        status, body = int(parts[2]), b"s\n"
    elif method == "POST":
        status = 201
    reason = {200: "OK", 201: "Created", 404: "Not Found", 500: "Internal Server Error"}.get(status, "Other")
    head = b"HTTP/1.1 %d %s\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n\r\n" % (status, reason.encode(), len(body))
    return status, head + (b"" if method == "HEAD" else body)

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(16)
print(srv.getsockname()[1], flush=True)
received = open(a.outdir + "/received", "ab", buffering=0)
sent = open(a.outdir + "/sent", "ab", buffering=0)
log = open(a.outdir + "/log", "a", buffering=1)
served = 0
while a.connections == 0 or served < a.connections:
    conn, _ = srv.accept()
    c = ctx.wrap_socket(conn, server_side=True) if ctx else conn
    buf = b""
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                d = c.recv(65536)
                if not d:
                    raise EOFError
                received.write(d)
                buf += d
            head, _, rest = buf.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ")
            length, close = 0, False
            for line in lines[1:]:
                k, _, v = line.partition(":")
                if k.strip().lower() == "content-length":
                    length = int(v.strip())
                if k.strip().lower() == "connection" and v.strip().lower() == "close":
                    close = True
            while len(rest) < length:
                d = c.recv(65536)
                if not d:
                    raise EOFError
                received.write(d)
                rest += d
            buf = rest[length:]
            status, response = respond(method, target)
            c.sendall(response)
            sent.write(response)
            log.write("%s %s %d %d %d\n" % (method, target, status, len(head) + 4 + length, len(response)))
            if close:
                break
    except (EOFError, ConnectionError, ssl.SSLError):
        pass
    c.close()
    served += 1
