#!/usr/bin/env python3
"""Decides the go-zookeeper suite's outcome from `go test -v` output.

usage: verdict.py <go test -v output> <go test exit code> <known-failure list>...

A known-failure list holds lines `TestName  expected failure text  # comment`: the test may fail,
but only with output containing that text (so a known failure has to fail the same way, e.g. as
it does against Java ZooKeeper). Exit 0 iff go test ran to its end, every test it started
finished, and every failed test is listed and failed as listed.
"""
import re
import sys


def read_list(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, text = line.partition(" ")
                out[name] = text.strip()
    return out


def main():
    log_path, rc = sys.argv[1], int(sys.argv[2])
    known = {}
    for p in sys.argv[3:]:
        known.update(read_list(p))
    status, output, started = {}, {}, []
    current = None
    head = re.compile(r"^=== (RUN|CONT|PAUSE)\s+(\S+)")
    result = re.compile(r"^\s*--- (PASS|FAIL|SKIP): (\S+) \(")
    with open(log_path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = head.match(line)
            if m:
                current = m.group(2)
                if m.group(1) == "RUN":
                    started.append(current)
                    output.setdefault(current, [])
                continue
            m = result.match(line)
            if m:
                status[m.group(2)] = m.group(1)
                # what follows a FAIL line (a panic's message and stack) belongs to that test
                current = m.group(2) if m.group(1) == "FAIL" else None
                output.setdefault(m.group(2), [])
                continue
            if current is not None:
                output[current].append(line)
    passed = [t for t in started if status.get(t) == "PASS"]
    skipped = [t for t in started if status.get(t) == "SKIP"]
    failed = [t for t in started if status.get(t) == "FAIL"]
    unfinished = [t for t in started if t not in status]
    bad = []
    for t in failed:
        text = "\n".join(output.get(t, []))
        if t not in known:
            bad.append(t)
            print("UNEXPECTED FAILURE: %s\n%s" % (t, text))
        elif known[t] not in text:
            bad.append(t)
            print("KNOWN FAILURE FAILED DIFFERENTLY: %s (expected output with %r)\n%s" % (
                t, known[t], text))
        else:
            print("known failure: %s (%s)" % (t, known[t]))
    for t in sorted(set(known) & set(passed)):
        print("now passing, remove it from the known-failure list: %s" % t)
    for t in unfinished:
        print("UNFINISHED (go test stopped in it): %s" % t)
    print("go-zookeeper: %d passed, %d failed, %d skipped" % (len(passed), len(failed) + len(unfinished), len(skipped)))
    if rc not in (0, 1) or not started or (rc == 1 and not failed):
        print("go-zookeeper: go test did not complete normally (exit code %d)" % rc)
        return 1
    return 1 if bad or unfinished else 0


if __name__ == "__main__":
    sys.exit(main())
