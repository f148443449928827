import os
import pathlib

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def fixture_dir():
    env = os.environ.get("MXNET_FIXTURES")
    return pathlib.Path(env) if env else REPO_ROOT.parent / "shared" / "fixtures" / "mxnet-1.9.1"


@pytest.fixture
def fixtures():
    d = fixture_dir()
    if not (d / "ndlist.json").exists():
        pytest.fail("MXNet 1.9.1 fixtures not found at %s (set MXNET_FIXTURES)" % d)
    return d
