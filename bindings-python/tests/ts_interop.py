"""Parameter files handed to the TypeScript package and back: TS loads a network's Python-saved
parameters, runs it and saves its own (the tests compare outputs and reload the TS file)."""
import pathlib
import shutil
import subprocess

import pytest

from mixnet import nd

REPO = pathlib.Path(__file__).resolve().parents[2]

needs_node = pytest.mark.skipif(shutil.which("node") is None or not (REPO / "packages/mixnet/src/index.ts").exists(),
                                reason="node or the TS package is not available")

_SCRIPT = """
import * as mx from '%(index)s';
const { nd, gluon } = mx;
const net = %(make)s;
net.loadParameters('%(py_file)s');
const x = (nd.load('%(io_file)s') as Record<string, mx.NDArray>).x!;
nd.save('%(ts_out)s', { y: net.call(x) as mx.NDArray });
net.saveParameters('%(ts_file)s');
"""


def ts_round_trip(tmp_path, net, x, ts_make):
    """Saves net's parameters, has TS build the same network (`ts_make`, a TS expression over
    `mx`, `nd` and `gluon`), load them, run it on x and save its own parameters. Returns the TS
    output as numpy and the path of the file TS wrote."""
    files = {k: str(tmp_path / (k + ".params")) for k in ("py_file", "io_file", "ts_out", "ts_file")}
    net.save_parameters(files["py_file"])
    nd.save(files["io_file"], {"x": x})
    script = tmp_path / "round_trip.ts"
    script.write_text(_SCRIPT % dict(files, make=ts_make, index=str(REPO / "packages/mixnet/src/index.js")))
    result = subprocess.run(["node", "--import", "tsx", str(script)], cwd=str(REPO / "packages/mixnet"),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return nd.load(files["ts_out"])["y"].asnumpy(), files["ts_file"]
