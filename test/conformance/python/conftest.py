import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))


def pytest_terminal_summary(terminalreporter):
    """The one coverage line of ../README.md."""
    from test_conformance import STATS
    missing = sorted(STATS["not_yet"])
    terminalreporter.write_line(
        "mxnet-%s conformance: %d/%d op cases, %d/%d gradient cases, not yet: %s" % (
            STATS["version"], STATS["passed"], STATS["ops"], STATS["grads_passed"], STATS["grads"],
            ", ".join(missing) if missing else "none"))
