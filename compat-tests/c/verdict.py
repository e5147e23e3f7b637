#!/usr/bin/env python3
"""Reads zktest-mt (cppunit) output for compat-tests/c/run.sh.

  verdict.py --brief <tests dir> <suite.out> <exit code>
      one line per test of one suite's run
  verdict.py --rerun <tests dir> <suite> <suite.out> <exit code>
      after a suite whose process died: the tests to run again one by one (all but those passed)
  verdict.py --final <tests dir> <workdir> <known-failure list>... -- <suite>...
      the verdict over <workdir>/<suite>.out and .rc (and <suite>@<test>.out of tests run again):
      known failures, unexpected ones, the closing `N passed, M failed` line; exit 0 iff every
      failure is listed (with its text, if the list gives one) and every suite ran to its end.
<tests dir> is the suite's tests/ (its CPPUNIT_TEST declarations name the tests).

zktest-mt prints `Suite::test` when a test starts and ` : elapsed N : OK` or ` : assertion : elapsed
N` (or `error`) when it ends, the client library's log lines in between; after the run, one
`file:line: Assertion/Error...` block per failure, in order, then `OK (N)` or `Run: ...`.
A known-failure list holds `Suite::test  [text the failure details must contain]  # comment`.
"""
import os
import re
import sys

EVENT = re.compile(
    r"(?m)(?:^|(?<=\s))(?P<name>(?:Zookeeper_|Test)\w*::\w+)"
    r"|(?P<res> : (?:elapsed \d+ : OK|(?P<bad>assertion|error) : elapsed \d+))")
DETAIL = re.compile(r"(?m)^(\S+:\d+: (?:Assertion|Error|Exception).*(?:\n(?!\S+:\d+: |Failures !!!|Run: |OK \().*)*)")


KNOWN_NAMES = []  # every Suite::test declared in the sources (set by main)


def fix_name(name):
    """A test's name as printed may run into what the test itself prints next (testLogCallbackSet
    prints 'Log Message Received...' right after it): the longest declared name it starts with."""
    if name in KNOWN_NAMES:
        return name
    best = max((n for n in KNOWN_NAMES if name.startswith(n)), key=len, default=None)
    return best or name


def parse(path, rc):
    """-> (ordered [(test, 'OK'|'FAIL', details)], problem or None)"""
    try:
        text = open(path, errors="replace").read()
    except OSError as e:
        return [], "no output (%s)" % e
    if "No test named" in text:
        return [], "not built"
    tests, current = [], None
    for m in EVENT.finditer(text):
        if m.group("name"):
            current = fix_name(m.group("name"))
        elif current is not None:
            tests.append([current, "FAIL" if m.group("bad") else "OK", ""])
            current = None
    # the failure details come after the last test's result
    ends = [m.end() for m in EVENT.finditer(text) if m.group("res")]
    tail = text[ends[-1]:] if ends else ""
    details = [d.strip() for d in DETAIL.findall(tail)]
    failed = [t for t in tests if t[1] == "FAIL"]
    for t, d in zip(failed, details):
        t[2] = d
    problem = None
    if current is not None:
        tests.append([current, "FAIL", "did not finish (exit code %s); output ends:\n%s" % (
            rc, "\n".join(text.rstrip().splitlines()[-15:]))])
    if not re.search(r"(?m)^(OK \(\d+\)|Run: \d+)", text):
        problem = "did not complete (exit code %s)" % rc
    return tests, problem


def read_list(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, txt = line.partition(" ")
                out[name] = txt.strip()
    return out


def suite_tests(tests_dir, suite):
    """The CPPUNIT_TEST(...) names declared for suite in tests_dir/*.cc (some may not be built)."""
    out = []
    for path in sorted(os.listdir(tests_dir)):
        if not path.endswith(".cc"):
            continue
        src = open(os.path.join(tests_dir, path), errors="replace").read()
        m = re.search(r"CPPUNIT_TEST_SUITE\(\s*%s\s*\)(.*?)CPPUNIT_TEST_SUITE_END" % re.escape(suite), src, re.S)
        if m:
            out += ["%s::%s" % (suite, t) for t in re.findall(r"CPPUNIT_TEST\(\s*(\w+)\s*\)", m.group(1))]
    return out


def main():
    # verdict.py <mode> <tests dir> ...
    mode, tests_dir = sys.argv[1], sys.argv[2]
    del sys.argv[2]
    suites_declared = set()
    for path in sorted(os.listdir(tests_dir)):
        if path.endswith(".cc"):
            suites_declared.update(re.findall(r"CPPUNIT_TEST_SUITE\(\s*(\w+)\s*\)",
                                              open(os.path.join(tests_dir, path), errors="replace").read()))
    for su in sorted(suites_declared):
        KNOWN_NAMES.extend(suite_tests(tests_dir, su))
    if mode == "--rerun":
        # verdict.py --rerun <tests dir> <suite> <suite.out> <rc>: after a suite that did not run to
        # its end, the tests to run again one by one (all but those that passed)
        tests, problem = parse(sys.argv[3], sys.argv[4])
        if problem is None or problem == "not built":
            return 0
        ok = {n for n, st, _ in tests if st == "OK"}
        for t in suite_tests(tests_dir, sys.argv[2]):
            if t not in ok:
                print(t)
        return 0
    if sys.argv[1] == "--brief":
        tests, problem = parse(sys.argv[2], sys.argv[3])
        for name, st, d in tests:
            print("  %-4s %s%s" % (st, name, ("  " + d.splitlines()[0]) if d else ""))
        if problem:
            print("  suite %s: %s" % (os.path.basename(sys.argv[2])[:-4], problem))
        return 0
    work = sys.argv[2]
    sep = sys.argv.index("--")
    known = {}
    for p in sys.argv[3:sep]:
        known.update(read_list(p))
    suites = sys.argv[sep + 1:]
    passed, failed, skipped, bad = [], [], [], []
    seen = set()
    for s in suites:
        try:
            rc = open(os.path.join(work, s + ".rc")).read().strip()
        except OSError:
            rc = "?"
        tests, problem = parse(os.path.join(work, s + ".out"), rc)
        # tests run again one by one after the suite's process died (<suite>@<test>.out)
        rerun = {}
        for f in sorted(os.listdir(work)):
            if f.startswith(s + "@") and f.endswith(".out"):
                t = s + "::" + f[len(s) + 1:-4]
                try:
                    trc = open(os.path.join(work, f[:-4] + ".rc")).read().strip()
                except OSError:
                    trc = "?"
                one, p1 = parse(os.path.join(work, f), trc)
                if p1 == "not built":
                    rerun[t] = None
                else:
                    rerun[t] = [x for x in one if x[0] == t] or [[t, "FAIL", "no result (%s)" % p1]]
        if rerun:
            print("suite %s: %s; %d of its tests run again one by one" % (s, problem, len(rerun)))
            merged = [x for x in tests if x[0] not in rerun]
            for t, res in rerun.items():
                if res:
                    merged += res
            tests, problem = merged, None
        if problem == "not built":
            skipped.append(s)
            print("suite %s: not in this build (skipped)" % s)
            continue
        if problem and not tests:
            bad.append(s)
            failed.append(s)
            print("SUITE FAILED TO RUN: %s: %s" % (s, problem))
            continue
        if problem:
            print("suite %s: %s" % (s, problem))
            if not any(st == "FAIL" for _, st, _ in tests):
                bad.append(s)
        for name, st, d in tests:
            seen.add(name)
            if st == "OK":
                passed.append(name)
                continue
            failed.append(name)
            if name not in known:
                bad.append(name)
                print("UNEXPECTED FAILURE: %s\n    %s" % (name, d.replace("\n", "\n    ")))
            elif known[name] and known[name] not in d:
                bad.append(name)
                print("KNOWN FAILURE FAILED DIFFERENTLY: %s (expected %r)\n    %s" % (
                    name, known[name], d.replace("\n", "\n    ")))
            else:
                print("known failure: %s  (%s)" % (name, d.splitlines()[0] if d else ""))
    for name in sorted(set(known) & set(passed)):
        print("passed, though listed as a known failure (remove it unless it is flaky): %s" % name)
    print("c-client: %d passed, %d failed, %d skipped" % (len(passed), len(failed), len(skipped)))
    return 1 if bad or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
