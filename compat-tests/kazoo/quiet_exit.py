"""pytest plugin for run.sh: once pytest is done, drop the log records of kazoo clients that tests left
running. They keep reconnecting while the harness stops the servers at interpreter exit, and with
pytest's log capture gone Python prints each record to stderr, burying pytest's summary line."""

import logging


def pytest_unconfigure(config):
    quiet = logging.getLogger("kazoo")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
