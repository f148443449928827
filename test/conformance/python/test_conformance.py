"""Apache MXNet 1.9.1's recorded cases (shared/fixtures/mxnet-1.9.1/ops.json) through the Python
package, as ../README.md describes: one test per case, named by its id. An op that is not
registered is "not yet" (skipped with the op named, and listed in the coverage line); a registered
op must match, unless the case is in known-differences.json, where it must still differ. Prints
`mxnet-1.9.1 conformance: P/187 op cases, G/38 gradient cases, not yet: <ops>` at the end."""
import pytest

import mixnet as mx
from conformance_cases import load_fixture, load_known_differences, run_case, run_grad_case

FIXTURE = load_fixture()
KNOWN = load_known_differences()
REGISTERED = set(mx.base.list_op_names())
STATS = {"version": FIXTURE["mxnet_version"], "ops": len(FIXTURE["ops"]), "grads": len(FIXTURE["grads"]),
         "passed": 0, "grads_passed": 0, "not_yet": set()}


def test_known_differences_name_registered_cases():
    by_id = {c["name"]: c for c in FIXTURE["ops"]}
    by_id.update({"grad " + g["name"]: g for g in FIXTURE["grads"]})
    for case_id in KNOWN:
        assert case_id in by_id, "%s is not a case in ops.json" % case_id
        assert by_id[case_id]["op"] in REGISTERED, \
            "%s: op %s is not registered; the case is 'not yet', not a known difference" % (case_id, by_id[case_id]["op"])


def _check(case_id, op, run, counter):
    if op not in REGISTERED:
        STATS["not_yet"].add(op)
        pytest.skip("not yet (op %s not registered)" % op)
    problem = run()
    if case_id in KNOWN:
        assert problem is not None, "%s now matches MXNet: remove it from known-differences.json" % case_id
        return
    assert problem is None, "%s (op %s):\n%s" % (case_id, op, problem)
    STATS[counter] += 1


@pytest.mark.parametrize("case", FIXTURE["ops"], ids=[c["name"] for c in FIXTURE["ops"]])
def test_op_case(case):
    _check(case["name"], case["op"], lambda: run_case(case), "passed")


@pytest.mark.parametrize("case", FIXTURE["grads"], ids=["grad " + g["name"] for g in FIXTURE["grads"]])
def test_grad_case(case):
    _check("grad " + case["name"], case["op"], lambda: run_grad_case(case), "grads_passed")
