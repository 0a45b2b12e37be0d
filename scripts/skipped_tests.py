#!/usr/bin/env python3
"""Lists the tests ctest did not run, with the reason each gave, from ctest's JUnit file.

Usage: skipped_tests.py RESULTS.xml   (written by `ctest --output-junit RESULTS.xml`)

ctest's "100% tests passed" counts a skipped test as passed; scripts/test.sh prints this list
after each configuration so that a skip cannot hide. One line per test: its name, then the
reason: GoogleTest's GTEST_SKIP() message, else the last line the test printed (a test skipped
by SKIP_RETURN_CODE says why on its way out), else ctest's own word ("disabled", ...).
"""
import sys
import xml.etree.ElementTree as ET


def gtest_skip_message(lines):
    """The message under GoogleTest's `file:line: Skipped` line, or None."""
    for i, line in enumerate(lines):
        if line.endswith(": Skipped"):
            message = []
            for follow in lines[i + 1:]:
                if not follow.strip() or follow.startswith("[  SKIPPED ]"):
                    break
                message.append(follow.strip())
            return " ".join(message) or None
    return None


def reason(testcase):
    out = testcase.findtext("system-out") or ""
    lines = [line.rstrip() for line in out.splitlines()]
    message = gtest_skip_message(lines)
    if message:
        return message
    printed = [line.strip() for line in lines if line.strip() and line.strip() != "Disabled"]
    if printed:
        return printed[-1]
    skipped = testcase.find("skipped")
    if skipped is not None and skipped.get("message"):
        return skipped.get("message")
    return testcase.get("status", "not run")


def skipped_tests(path):
    """(name, reason) of every test in the JUnit file that did not run, in file order."""
    suite = ET.parse(path).getroot()
    return [(case.get("name"), reason(case)) for case in suite.iter("testcase")
            if case.get("status") in ("notrun", "disabled")]


def main(argv):
    if len(argv) != 2:
        print("usage: skipped_tests.py RESULTS.xml", file=sys.stderr)
        return 2
    try:
        tests = skipped_tests(argv[1])
    except (OSError, ET.ParseError) as e:
        print(f"skipped_tests.py: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 1
    for name, why in tests:
        print(f"  {name}: {why}")
    if not tests:
        print("  none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
