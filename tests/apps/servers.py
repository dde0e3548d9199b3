"""servers: Debian's redis-server, nginx, memcached and python3's http.server, each started
natively and under elfin on a loopback port chosen when the test run starts, queried by native
clients (redis-cli, curl, a socket client here), and stopped; the answers must agree. redis
keeps its database in a directory granted with --rw, and a second server loads it back."""

import os
import signal
import socket
import subprocess
import time

from difftest import Case

REDIS = "/usr/bin/redis-server"
REDIS_CLI = "/usr/bin/redis-cli"
NGINX = "/usr/sbin/nginx"
MEMCACHED = "/usr/bin/memcached"
PYTHON = "/usr/bin/python3"
CURL = "/usr/bin/curl"


def free_port():
    """A loopback port nobody listens on now (the server binds it with SO_REUSEADDR)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# One port per server, chosen once per test run; the native and the elfin run of a case
# use it one after the other.
PORTS = {name: free_port() for name in ("redis", "redis-np", "nginx", "memcached", "http", "http-np")}

REDIS_CONF = """\
bind 127.0.0.1
protected-mode no
daemonize no
save ""
appendonly no
dbfilename dump.rdb
loglevel warning
logfile ""
"""

NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
error_log stderr warn;
pid nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path body;
    proxy_temp_path proxy;
    fastcgi_temp_path fastcgi;
    uwsgi_temp_path uwsgi;
    scgi_temp_path scgi;
    default_type application/octet-stream;
    types {{ text/html html; text/plain txt; }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""

INDEX = b"<html><body>served by nginx</body></html>\n"
BLOB = bytes(range(256)) * 400


def make_inputs(work):
    with open(os.path.join(work, "redis.conf"), "w") as f:
        f.write(REDIS_CONF)
    www = os.path.join(work, "www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "index.html"), "wb") as f:
        f.write(INDEX)
    with open(os.path.join(www, "blob.txt"), "wb") as f:
        f.write(BLOB)
    with open(os.path.join(work, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(port=PORTS["nginx"], root=www))


def wait_port(port, p, timeout=15):
    """Waits until something accepts on port; False if the server died or took too long."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and p.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def stop(p, sig=signal.SIGTERM):
    """Ends a server that is still running, and reaps it."""
    if p.poll() is None:
        p.send_signal(sig)
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def client(argv, stdin=None):
    """A native client's output, with its exit status."""
    r = subprocess.run(argv, input=stdin, capture_output=True, timeout=20)
    return r.stdout + f"[exit {r.returncode}]\n".encode()


def redis_cli(port, *args):
    return client([REDIS_CLI, "-h", "127.0.0.1", "-p", str(port)] + list(args))


def redis_session(name):
    port = PORTS[name]

    def interact(p):
        if not wait_port(port, p):
            return b"redis did not start\n"
        out = b""
        script = (b"SET greeting hello\nGET greeting\nINCR counter\nINCRBY counter 41\n"
                  b"RPUSH list a b c\nLRANGE list 0 -1\nHSET h f1 v1 f2 v2\nHGETALL h\n"
                  b"SADD s x y z\nSCARD s\nSET temp 1 EX 100\nTTL temp\nDBSIZE\n"
                  b"MSET k1 v1 k2 v2 k3 v3\nMGET k1 k2 k3 nokey\nDEL k2\nEXISTS k2\nSAVE\n")
        out += client([REDIS_CLI, "-h", "127.0.0.1", "-p", str(port)], stdin=script)
        big = "x" * 100000
        out += redis_cli(port, "SET", "big", big)
        out += redis_cli(port, "STRLEN", "big")
        out += redis_cli(port, "SAVE")
        out += redis_cli(port, "SHUTDOWN", "NOSAVE")
        stop(p)
        # Restart on the same directory: the saved database comes back.
        again = subprocess.Popen(p.args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            if not wait_port(port, again):
                return out + b"redis did not restart\n"
            out += redis_cli(port, "GET", "greeting")
            out += redis_cli(port, "GET", "counter")
            out += redis_cli(port, "LRANGE", "list", "0", "-1")
            out += redis_cli(port, "STRLEN", "big")
            out += redis_cli(port, "DBSIZE")
            out += redis_cli(port, "SHUTDOWN", "NOSAVE")
        finally:
            stop(again)
        return out
    return interact


def curl(url, *opts):
    return client([CURL, "-s", "-S", "--max-time", "10", "-o", "-", "-w", " [%{http_code} %{size_download}]\\n"]
                  + list(opts) + [url])


def http_session(port, name):
    def interact(p):
        if not wait_port(port, p):
            return f"{name} did not start\n".encode()
        base = f"http://127.0.0.1:{port}"
        out = curl(base + "/index.html")
        out += curl(base + "/missing.html")
        blob = subprocess.run([CURL, "-s", "--max-time", "10", base + "/blob.txt"],
                              capture_output=True, timeout=20).stdout
        out += f"blob: {len(blob)} bytes, same: {blob == BLOB}\n".encode()
        out += headers(base + "/index.html") if name == "nginx" else b""
        # Several connections at once, kept alive.
        out += keepalive(port)
        stop(p)
        return out
    return interact


def headers(url):
    """The response headers that do not change from run to run."""
    head = subprocess.run([CURL, "-s", "-I", "--max-time", "10", url], capture_output=True, timeout=20).stdout
    keep = (b"HTTP/", b"Content-Type", b"Content-Length", b"Accept-Ranges", b"Server")
    return b"".join(line + b"\n" for line in head.splitlines() if line.startswith(keep))


def keepalive(port):
    """Two requests on one connection, while a second connection stays open idle."""
    idle = socket.create_connection(("127.0.0.1", port), timeout=10)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        req = b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(req + req.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    idle.close()
    return f"keep-alive: {data.count(INDEX)} bodies, {data.count(b'200 OK')} OK\n".encode()


def memcached_session(p):
    port = PORTS["memcached"]
    if not wait_port(port, p):
        return b"memcached did not start\n"
    out = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        f = s.makefile("rwb")
        for cmd in (b"set a 5 0 5\r\nhello\r\n", b"get a\r\n", b"add a 0 0 1\r\nx\r\n",
                    b"incr n 1\r\n", b"set n 0 0 2\r\n10\r\n", b"incr n 5\r\n",
                    b"append a 0 0 6\r\n world\r\n", b"gets a\r\n", b"delete a\r\n", b"get a\r\n",
                    b"set big 0 0 200000\r\n" + b"m" * 200000 + b"\r\n", b"get big\r\n", b"version\r\n"):
            f.write(cmd)
            f.flush()
            while True:
                line = f.readline()
                if line.startswith(b"VALUE"):
                    # gets shows the item's CAS number, which is the server's own business
                    fields = line.split()
                    out += b" ".join(fields[:4]) + b"\r\n"
                    data = f.read(int(fields[3]) + 2)
                    out += data if len(data) < 100 else f"{len(data)} bytes\r\n".encode()
                    continue
                out += b"VERSION (some)\r\n" if line.startswith(b"VERSION") else line
                if not cmd.startswith(b"get") or line == b"END\r\n" or not line:
                    break
    stop(p)
    return out


def cases(work):
    table = []
    for name, extra in (("redis", []), ("redis-np", ["--no-preload"])):
        table.append(Case(f"servers/{name}", [REDIS, os.path.join(work, "redis.conf"), "--port", str(PORTS[name]),
                                             "--dir", "{scratch}"],
                          scratch=os.path.join(work, "scratch", name), elfin_args=extra + ["--rw", "{scratch}"],
                          interact=redis_session(name), check=saved_rdb))
    table.append(Case("servers/nginx", [NGINX, "-e", "stderr", "-p", "{scratch}/", "-c",
                                        os.path.join(work, "nginx.conf")],
                      scratch=os.path.join(work, "scratch", "nginx"), elfin_args=["--rw", "{scratch}"],
                      interact=http_session(PORTS["nginx"], "nginx")))
    table.append(Case("servers/memcached", [MEMCACHED, "-l", "127.0.0.1", "-p", str(PORTS["memcached"]), "-U", "0",
                                            "-t", "2", "-m", "16"] + (["-u", "root"] if os.geteuid() == 0 else []),
                      interact=memcached_session))
    for name, extra in (("http", []), ("http-np", ["--no-preload"])):
        table.append(Case(f"servers/python-{name}", [PYTHON, "-m", "http.server", "--bind", "127.0.0.1",
                                                     "--directory", os.path.join(work, "www"), str(PORTS[name])],
                          status=128 + signal.SIGTERM, elfin_args=extra,
                          interact=http_session(PORTS[name], "python")))
    return table


def saved_rdb(native_dir, elfin_dir):
    """Both servers left their database in the granted directory."""
    missing = [d for d in (native_dir, elfin_dir) if not os.path.isfile(os.path.join(d, "dump.rdb"))]
    return [f"  no dump.rdb in {d}" for d in missing]
