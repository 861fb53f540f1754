"""Assurance tooling for auditors: revert-string coverage, mutation testing,
contract coverage and the fuzz runners (see docs/AUDITING.md)."""

# pytest on titanoboa alone, in one process: without Ape's plugin (it would
# start a chain for every session) and without xdist (the runners spread the
# work over the cores themselves).
BOA_PYTEST_PLUGINS = ("-p", "no:ape_test", "-p", "no:xdist")
