#!/usr/bin/env python3
"""Counts the test cases of a meson test log and prints "N passed, N failed".

meson's testlog.json has one JSON object per test program. For TAP programs
each case is an "ok"/"not ok" line of the program's output; a program that
crashed or timed out before its plan was complete counts as a failure
itself, so an aborted GTest never looks green.
"""

import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b(.*)$")


def count(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8") as log:
        for line in log:
            if not line.strip():
                continue
            entry = json.loads(line)
            cases_ok = cases_fail = cases_skip = 0
            for out in (entry.get("stdout") or "").splitlines():
                match = TAP_LINE.match(out)
                if not match:
                    continue
                if "# SKIP" in match.group(2):
                    cases_skip += 1
                elif match.group(1) == "ok":
                    cases_ok += 1
                else:
                    cases_fail += 1
            passed += cases_ok
            failed += cases_fail
            skipped += cases_skip
            if entry.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and cases_fail == 0:
                failed += 1
            elif cases_ok + cases_fail + cases_skip == 0 and entry.get("result") == "OK":
                passed += 1
    return passed, failed, skipped


def main():
    passed, failed, skipped = count(sys.argv[1])
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)


if __name__ == "__main__":
    main()
