"""sockets: Python's socket layers in one program: a threaded TCP server and its client,
asyncio's event loop (epoll, non-blocking connect, its self-pipe socketpair), selectors,
UDP, AF_UNIX with descriptor passing, and socket timeouts. No port or address is printed."""
import asyncio
import os
import selectors
import socket
import socketserver
import stat
import threading

from common import run, scratch, section, show


class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line.upper())


@section
def threaded_server():
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo) as srv:
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        replies = []
        for word in ("alpha", "beta", "gamma"):
            with socket.create_connection(srv.server_address, timeout=10) as c:
                f = c.makefile("rwb")
                f.write(word.encode() + b"\n" + b"x" * 100000 + b"\n")
                f.flush()
                c.shutdown(socket.SHUT_WR)
                replies.append((f.readline().strip().decode(), len(f.readline())))
        srv.shutdown()
    show("echoed", replies)


@section
def asyncio_echo():
    async def handle(reader, writer):
        while data := await reader.read(4096):
            writer.write(data[::-1])
            await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, "::1", 0)
        port = server.sockets[0].getsockname()[1]
        out = []
        for n in range(3):
            reader, writer = await asyncio.open_connection("::1", port)
            writer.write(f"message {n}".encode())
            await writer.drain()
            out.append((await reader.read(100)).decode())
            writer.close()
            await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return out
    show("asyncio", asyncio.run(main()))


@section
def asyncio_unix():
    """asyncio over AF_UNIX: a server on a path, concurrent clients, the loop's socketpair
    self-pipe woken from another thread, and the loop's sock_* calls on a socketpair."""
    path = os.path.join(scratch(), "server.sock")

    async def handle(reader, writer):
        line = await reader.readline()
        writer.write(line.upper())
        await writer.drain()
        writer.close()

    async def client(n):
        reader, writer = await asyncio.open_unix_connection(path)
        writer.write(f"client {n}\n".encode())
        await writer.drain()
        line = await reader.readline()
        writer.close()
        await writer.wait_closed()
        return line.decode().strip()

    async def main():
        server = await asyncio.start_unix_server(handle, path=path)
        show("socket file", stat.S_ISSOCK(os.stat(path).st_mode))
        show("clients", await asyncio.gather(*(client(n) for n in range(5))))
        server.close()
        await server.wait_closed()
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        threading.Thread(target=lambda: loop.call_soon_threadsafe(done.set_result, "from a thread")).start()
        show("threadsafe wake", await asyncio.wait_for(done, 10))
        a, b = socket.socketpair()
        a.setblocking(False)
        b.setblocking(False)
        async def receive():
            got = 0
            while got < 300000:
                got += len(await loop.sock_recv(b, 65536))
            return got
        sent, got = await asyncio.gather(loop.sock_sendall(a, b"x" * 300000), receive())
        show("sock_sendall/sock_recv bytes", got)
        a.close()
        b.close()
    asyncio.run(main())


@section
def selector_loop():
    sel = selectors.DefaultSelector()
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    r, w = os.pipe()
    sel.register(a, selectors.EVENT_READ, "socket")
    sel.register(r, selectors.EVENT_READ, "pipe")
    show("selector", type(sel).__name__)
    show("nothing ready", sel.select(timeout=0.01))
    b.send(b"ping")
    os.write(w, b"x")
    show("both ready", sorted(key.data for key, _ in sel.select(timeout=1)))
    show("read", a.recv(10))
    show("still the pipe", sorted(key.data for key, _ in sel.select(timeout=1)))
    sel.close()
    for fd in (r, w):
        os.close(fd)
    a.close()
    b.close()


@section
def udp_and_timeouts():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(3):
        c.sendto(f"datagram {i}".encode(), s.getsockname())
    show("udp", [s.recvfrom(100)[0] for _ in range(3)])
    s.settimeout(0.05)
    try:
        s.recvfrom(100)
        show("timeout", "none")
    except socket.timeout:
        show("timeout", "raised")
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen()
    l.settimeout(0.05)
    try:
        l.accept()
    except socket.timeout:
        show("accept timeout", "raised")
    try:
        socket.create_connection(l.getsockname()[:1] + (1,), timeout=1)
    except OSError as e:
        show("refused", type(e).__name__)
    for x in (s, c, l):
        x.close()


@section
def unix_fd_passing():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    x, y = socket.socketpair()
    socket.send_fds(a, [b"fd"], [x.fileno()])
    msg, fds, flags, _ = socket.recv_fds(b, 10, 1)
    show("received", (msg, len(fds), flags))
    z = socket.socket(fileno=fds[0])
    z.send(b"through the copy")
    show("other end", y.recv(100))
    show("family", (z.family.name, z.type.name))
    for s in (a, b, x, y, z):
        s.close()


run()
