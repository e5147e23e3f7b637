"""Decides the kazoo suite's outcome from pytest's junit XML.

usage: verdict.py <junit.xml> <pytest exit code> <allow-list file>...

Allow-list files hold one pytest node id per line (kazoo/tests/test_x.py::Class::test_y), then the
reason; '#' starts a comment. Exit 0 iff pytest ran tests and every failed or errored test is listed.
"""

import sys
import xml.etree.ElementTree as ET


def node_id(case):
    cls = case.get("classname", "")
    name = case.get("name", "")
    parts = cls.split(".")
    # kazoo.tests.test_client.TestClient -> kazoo/tests/test_client.py::TestClient
    for i in range(len(parts), 0, -1):
        if parts[i - 1].startswith("test_"):
            mod = "/".join(parts[:i]) + ".py"
            return "::".join([mod] + parts[i:] + [name])
    return "%s::%s" % (cls, name)


def read_list(path):
    ids = {}
    try:
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    nid, _, reason = line.partition(" ")
                    ids[nid] = reason.strip()
    except FileNotFoundError:
        pass
    return ids


def main():
    junit, rc = sys.argv[1], int(sys.argv[2])
    allowed = {}
    for path in sys.argv[3:]:
        allowed.update(read_list(path))
    try:
        root = ET.parse(junit).getroot()
    except (OSError, ET.ParseError) as e:
        print("kazoo: no junit report (%s); pytest exit code %d" % (e, rc))
        return 1
    status = {}  # a test reported twice (e.g. an error in teardown) counts once, as its worst
    rank = {"passed": 0, "skipped": 1, "failed": 2}
    for case in root.iter("testcase"):
        nid = node_id(case)
        if case.find("failure") is not None or case.find("error") is not None:
            st = "failed"
        elif case.find("skipped") is not None:
            st = "skipped"
        else:
            st = "passed"
        if rank[st] >= rank.get(status.get(nid), -1):
            status[nid] = st
    passed = [n for n, st in status.items() if st == "passed"]
    failed = [n for n, st in status.items() if st == "failed"]
    skipped = [n for n, st in status.items() if st == "skipped"]
    unexpected = [n for n in failed if n not in allowed]
    known = [n for n in failed if n in allowed]
    fixed = sorted(n for n in allowed if n in passed)
    for n in known:
        print("known failure: %s  (%s)" % (n, allowed[n]))
    for n in fixed:
        print("now passing, remove from the allow-list: %s" % n)
    for n in unexpected:
        print("UNEXPECTED FAILURE: %s" % n)
    print("kazoo: %d passed, %d failed, %d skipped" % (len(passed), len(failed), len(skipped)))
    if rc not in (0, 1) or not passed:
        print("kazoo: pytest did not complete normally (exit code %d)" % rc)
        return 1
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
