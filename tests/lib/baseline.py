"""baseline: the committed list of cases expected to fail (tests/expected.txt), and how a run
compares with it.

The file has one line per case expected to fail under elfin: the case name, whitespace, and
why it fails. Lines starting with # are comments; blank lines are ignored. A case not listed
must pass.
"""

import os

HEADER = """\
# tests/expected.txt: the differential test cases expected to FAIL under elfin, with why.
#
# Format: one line per case, `CASE-NAME  reason text`; `#` starts a comment line.
# Every case not listed here must pass. tests/run.py reports a listed case that fails as a
# known failure (counted as skipped), a listed case that passes as NEWLY FIXED (remove its
# line), and an unlisted case that fails as NEWLY BROKEN (the run fails).
#
# Regenerate after fixing or breaking something, then replace any "TODO: reason":
#   python3 tests/run.py --update-baseline
# List the known failures: python3 tests/run.py --list-known
"""

TODO = "TODO: reason"


class BaselineError(Exception):
    pass


def load(path):
    """Returns {case name: reason} from the baseline file; a missing file is an empty baseline."""
    entries = {}
    if not os.path.exists(path):
        return entries
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            name = parts[0]
            reason = parts[1].strip() if len(parts) > 1 else ""
            if name in entries:
                raise BaselineError(f"{path}:{number}: {name} is listed twice")
            entries[name] = reason or TODO
    return entries


def write(path, entries):
    """Writes {case name: reason} as a baseline file, sorted by case name."""
    width = max((len(name) for name in entries), default=0)
    lines = [HEADER, "\n"]
    lines += [f"{name.ljust(width)}  {entries[name]}\n" for name in sorted(entries)]
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.writelines(lines)
    os.replace(tmp, path)


def updated(old, existing, ran, failing):
    """The new baseline: the cases that ran are listed iff they failed (keeping the old reason
    when there is one); entries for existing cases that did not run this time (filtered out)
    are kept as they were; entries for cases that no longer exist are dropped."""
    new = {name: reason for name, reason in old.items() if name in existing and name not in ran}
    for name in failing:
        new[name] = old.get(name, TODO)
    return new
