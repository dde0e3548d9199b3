"""sqlite3 (the module): a database file in /tmp in rollback-journal and WAL modes, with
transactions, an index, user functions, and a second connection from a thread."""
import hashlib
import os
import sqlite3
import threading

from common import run, scratch, section, show


def create(name, journal_mode, rows):
    """A new database scratch()/name in that journal mode, with rows items; returns its path
    and the open connection."""
    path = os.path.join(scratch(), name)
    db = sqlite3.connect(path)
    show("journal_mode", db.execute(f"PRAGMA journal_mode={journal_mode}").fetchone())
    db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, price REAL, "
               "data BLOB)")
    with db:    # one transaction
        db.executemany("INSERT INTO items (name, grp, price, data) VALUES (?, ?, ?, ?)",
                       ((f"item{i:05d}", i % 37, (i * 7919) % 1000 / 10, bytes([i % 256]) * 16)
                        for i in range(rows)))
    db.execute("CREATE INDEX items_grp ON items (grp, price)")
    return path, db


def summary(db):
    show("count", db.execute("SELECT count(*), sum(price), max(name) FROM items").fetchone())
    show("group", db.execute("SELECT grp, count(*), round(avg(price), 3) FROM items WHERE grp < 3 "
                             "GROUP BY grp ORDER BY grp").fetchall())
    show("uses index", any("items_grp" in row[-1] for row in db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM items WHERE grp = 5 AND price > 50")))
    show("range", db.execute("SELECT id, name FROM items WHERE grp = 5 AND price > 99 "
                             "ORDER BY id LIMIT 3").fetchall())
    digest = hashlib.sha256()
    for row in db.execute("SELECT * FROM items ORDER BY id"):
        digest.update(repr(row).encode())
    show("digest", digest.hexdigest())
    show("integrity", db.execute("PRAGMA integrity_check").fetchone())


@section
def rollback_journal():
    path, db = create("journal.db", "DELETE", 10000)
    summary(db)
    try:
        with db:
            db.execute("DELETE FROM items WHERE grp = 1")
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    show("rolled back", db.execute("SELECT count(*) FROM items WHERE grp = 1").fetchone())
    db.close()
    db = sqlite3.connect(path)
    show("reopened", db.execute("SELECT count(*) FROM items").fetchone())
    db.execute("VACUUM")
    show("files", sorted(os.listdir(scratch())))
    db.close()


@section
def write_ahead_log():
    path, db = create("wal.db", "WAL", 10000)
    summary(db)
    show("wal files", sorted(os.listdir(scratch())))
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    before = reader.execute("SELECT count(*) FROM items").fetchone()
    with db:
        db.execute("DELETE FROM items WHERE grp = 2")
    show("reader snapshot", (before, reader.execute("SELECT count(*) FROM items").fetchone()))
    reader.execute("COMMIT")
    show("reader after", reader.execute("SELECT count(*) FROM items").fetchone())
    reader.close()
    show("checkpoint", db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())
    db.close()
    show("after close", sorted(os.listdir(scratch())))


@section
def threads_and_functions():
    path, db = create("shared.db", "WAL", 1000)
    db.close()
    results = []

    def count_in_thread():
        db = sqlite3.connect(path)
        results.append(db.execute("SELECT count(*) FROM items").fetchone()[0])
        db.close()
    threads = [threading.Thread(target=count_in_thread) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    show("thread counts", results)
    db = sqlite3.connect(":memory:")
    db.create_function("rev", 1, lambda s: s[::-1], deterministic=True)
    db.create_aggregate("joined", 1, type("Joined", (), {
        "__init__": lambda self: setattr(self, "parts", []),
        "step": lambda self, v: self.parts.append(str(v)),
        "finalize": lambda self: ",".join(self.parts)}))
    db.execute("CREATE TABLE t (x)")
    db.executemany("INSERT INTO t VALUES (?)", [("abc",), ("hello",), (42,)])
    show("functions", db.execute("SELECT joined(rev(CAST(x AS TEXT))) FROM t").fetchall())
    db.row_factory = sqlite3.Row
    row = db.execute("SELECT 1 AS one, 'two' AS two").fetchone()
    show("row", (row["one"], row["two"], row.keys()))
    try:
        db.execute("SELECT * FROM missing")
    except sqlite3.OperationalError as e:
        show("error", e)
    show("version", sqlite3.sqlite_version_info >= (3, 7))
    db.close()


run()
