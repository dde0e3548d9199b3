"""sqlite3: Debian's sqlite3 shell building a 10 000-row database in one transaction, in
rollback-journal and WAL modes and reading through a memory map, on elfin's /tmp and in a host
directory granted with --rw; what elfin leaves in that directory must read back the same with
the native sqlite3."""

import hashlib
import os
import random
import sqlite3
import subprocess

import difftest
from difftest import Case

SQLITE = "/usr/bin/sqlite3"
ROWS = 10000
# How each database is opened: rollback journal, write-ahead log, rollback journal with reads
# through a memory map of the file.
MODES = {
    "delete": "PRAGMA journal_mode=DELETE;",
    "wal": "PRAGMA journal_mode=WAL;",
    "mmap": "PRAGMA journal_mode=DELETE;\nPRAGMA mmap_size=268435456;",
}
WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
         "rho sigma tau upsilon phi chi psi omega").split()


def inserts():
    """The 10 000 INSERT statements, the same every run."""
    rng = random.Random(99)
    return "".join(
        f"INSERT INTO items VALUES({i}, 'item{i:05d}', {rng.randrange(50)}, "
        f"{rng.randrange(100000) / 100}, '{rng.choice(WORDS)} {rng.choice(WORDS)}');\n"
        for i in range(1, ROWS + 1))


def script(mode, base, work):
    """The shell's input: build, index, query, change, check and copy the database {base}.db,
    opened as MODES[mode] says; {base}.sql and {base}-copy.db are made next to it."""
    return f"""\
.bail on
{MODES[mode]}
CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL, grp INTEGER, price REAL, note TEXT);
BEGIN;
{inserts()}COMMIT;
CREATE INDEX items_grp ON items(grp, price);
CREATE UNIQUE INDEX items_name ON items(name);
SELECT count(*), sum(price), min(name), max(name) FROM items;
SELECT grp, count(*), round(avg(price), 3) FROM items GROUP BY grp ORDER BY grp LIMIT 5;
EXPLAIN QUERY PLAN SELECT name FROM items WHERE grp = 7 AND price > 900;
SELECT name, price FROM items WHERE grp = 7 AND price > 900 ORDER BY price DESC, id LIMIT 5;
SELECT id FROM items WHERE name = 'item04321';
CREATE TABLE groups(grp INTEGER PRIMARY KEY, label TEXT);
INSERT INTO groups SELECT DISTINCT grp, 'group-' || grp FROM items;
SELECT g.label, count(*) FROM items i JOIN groups g USING (grp)
  GROUP BY g.label ORDER BY 2 DESC, 1 LIMIT 3;
SELECT note, count(*) FROM items GROUP BY note ORDER BY 2 DESC, 1 LIMIT 3;
BEGIN;
DELETE FROM items WHERE grp = 3;
SELECT changes();
ROLLBACK;
SELECT count(*) FROM items WHERE grp = 3;
BEGIN;
UPDATE items SET price = price * 2 WHERE grp < 5;
DELETE FROM items WHERE id % 10 = 0;
COMMIT;
SAVEPOINT one;
INSERT INTO items VALUES(20001, 'extra', 1, 1.0, 'x');
ROLLBACK TO one;
RELEASE one;
SELECT count(*), round(sum(price), 2) FROM items;
CREATE TABLE csv(id INTEGER, word TEXT, n INTEGER, upper TEXT);
.import --csv {work}/table.csv csv
SELECT count(*), sum(n), max(word), count(DISTINCT upper) FROM csv;
PRAGMA integrity_check;
PRAGMA wal_checkpoint(TRUNCATE);
VACUUM;
PRAGMA page_count;
PRAGMA journal_mode;
.tables
.schema items
.sha3sum
.output {base}.sql
.dump
.output stdout
.open {base}-copy.db
.read {base}.sql
SELECT count(*), round(sum(price), 2) FROM items;
.sha3sum
"""


def make_inputs(work):
    """ref.db: a database made natively, for elfin to read in the read-only host tree."""
    db = sqlite3.connect(f"{work}/ref.db")
    db.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)")
    with db:
        db.executemany("INSERT INTO t VALUES(?, ?)", ((i, WORDS[i % len(WORDS)] * (i % 5 + 1))
                                                     for i in range(5000)))
    db.close()
    os.utime(f"{work}/ref.db", (1600000000, 1600000000))


def _native_view(directory):
    """What the native sqlite3 reads in a directory a run left behind: its file names, the
    dumps byte for byte, and each database's content."""
    names = sorted(os.listdir(directory))
    out = [f"files: {' '.join(names)}"]
    for name in names:
        path = os.path.join(directory, name)
        if name.endswith(".sql"):
            with open(path, "rb") as f:
                out.append(f"{name}: sha256 {hashlib.sha256(f.read()).hexdigest()}")
        elif name.endswith(".db"):
            p = subprocess.run([SQLITE, "-bail", path, "PRAGMA integrity_check;",
                                "PRAGMA journal_mode;",
                                "SELECT count(*), round(sum(price), 2) FROM items;", ".sha3sum"],
                               capture_output=True, timeout=30)
            out.append(f"{name}: status {p.returncode}: "
                       + (p.stdout + p.stderr).decode(errors="replace").replace("\n", " | "))
    return out


def check_files(native_dir, elfin_dir):
    """The database and dump elfin wrote must read back with the native sqlite3 exactly as the
    native run's do."""
    native, ours = _native_view(native_dir), _native_view(elfin_dir)
    if native == ours:
        return []
    return ["  native sqlite3 reads elfin's files differently:"] + [
        f"    - {a}\n    + {b}" for a, b in zip(native, ours) if a != b]


def cases(work):
    scratch = os.path.join(work, "scratch")
    table = []
    for mode in MODES:
        base = f"{difftest.HOST_TMP}-sqlite-{mode}"
        table.append(Case(f"sqlite3/tmp-{mode}", [SQLITE, f"{base}.db"],
                          stdin=script(mode, base, work).encode(), cwd=work))
        table.append(Case(f"sqlite3/rw-{mode}", [SQLITE, "test.db"],
                          stdin=script(mode, "test", work).encode(),
                          cwd="{scratch}", scratch=os.path.join(scratch, f"sqlite3-rw-{mode}"),
                          elfin_args=["--rw", "{scratch}"], check=check_files))
    table += [
        Case("sqlite3/read-host", [SQLITE, "ref.db", "SELECT count(*), sum(length(v)) FROM t;",
                                   "SELECT v FROM t WHERE k IN (7, 4999);", "PRAGMA quick_check;",
                                   ".tables"], cwd=work),
        Case("sqlite3/memory", [SQLITE, ":memory:"], cwd=work, stdin=MEMORY.encode()),
        Case("sqlite3/syntax-error", [SQLITE, ":memory:", "SELEC 1;"], cwd=work, status=1,
             stderr=True),
    ]
    return table


# Queries needing no file: output modes, functions, CTEs and windows.
MEMORY = """\
.bail on
CREATE TABLE t(a INTEGER, b TEXT, c REAL);
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000)
  INSERT INTO t SELECT x, printf('row-%04d', x), x / 7.0 FROM n;
.headers on
.mode csv
SELECT a, b, round(c, 4) AS c FROM t WHERE a % 250 = 0;
.mode json
SELECT a, b FROM t WHERE a < 3;
.mode box
SELECT a, sum(a) OVER (ORDER BY a ROWS 2 PRECEDING) AS s, rank() OVER (ORDER BY a % 3) AS r
  FROM t WHERE a <= 6;
.mode markdown
SELECT json_group_array(a) AS arr, json_object('n', count(*)) AS obj FROM t WHERE a < 5;
.mode list
.headers off
SELECT date(1700000000, 'unixepoch'),
  strftime('%Y-%m-%d %H:%M:%S', '2021-03-04 05:06:07', '+1 day');
SELECT upper('caf\u00e9'), length('caf\u00e9'), hex('\u00e9'), substr('hello', 2, 3),
  instr('abc', 'c');
SELECT abs(-5), round(2.5), 7 / 2, 7 % 3, 7.0 / 2, typeof(1e400), 1e400, -9223372036854775808 - 1;
SELECT quote(x'00ff'), zeroblob(3) = x'000000', total(c) > 0 FROM t LIMIT 1;
SELECT group_concat(b, '|') FROM (SELECT b FROM t ORDER BY a DESC LIMIT 3);
"""
