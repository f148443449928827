"""mx.gluon.rnn (MXNet 1.x): fused RNN/LSTM/GRU layers over the registry's RNN op and the
recurrent cells. Values against NumPy steps written from the textbook equations (MXNet's gate
orders: i, f, g, o for LSTM; r, z, n for GRU), fused layers against their unrolled cells (outputs,
states and gradients), MXNet 1.9.1's parameter names and file names, and errors."""

import numpy as np
import pytest

import mixnet as mx
from mixnet import autograd, nd
from mixnet.gluon import rnn
from ts_interop import needs_node, ts_round_trip

RS = np.random.RandomState(11)
GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def step_ref(mode, x, states, wi, wh, bi, bh):
    """One step of the textbook cell equations; returns (output, new_states)."""
    h = states[0]
    gi, gh = x @ wi.T + bi, h @ wh.T + bh
    if mode == "lstm":
        i, f, g, o = np.split(gi + gh, 4, axis=1)
        c = _sigmoid(f) * states[1] + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        return h, [h, c]
    if mode == "gru":
        ir, iz, in_ = np.split(gi, 3, axis=1)
        hr, hz, hn = np.split(gh, 3, axis=1)
        r, z = _sigmoid(ir + hr), _sigmoid(iz + hz)
        n = np.tanh(in_ + r * hn)
        h = (1 - z) * n + z * h
        return h, [h]
    h = np.maximum(gi + gh, 0) if mode == "rnn_relu" else np.tanh(gi + gh)
    return h, [h]


def fused_ref(mode, x, states, weights, num_layers, bidirectional):
    """A multi-layer, optionally bidirectional network over x (T, N, C) by steps. weights maps
    'l0_i2h_weight'... to arrays; states are (L*D, N, H) arrays. Returns (output, states)."""
    dirs = ["l", "r"] if bidirectional else ["l"]
    finals = [[] for _ in states]
    inp = x
    for layer in range(num_layers):
        outs = []
        for di, d in enumerate(dirs):
            k = layer * len(dirs) + di
            st = [s[k] for s in states]
            w = [weights["%s%d_%s" % (d, layer, n)] for n in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias")]
            steps = range(inp.shape[0]) if d == "l" else range(inp.shape[0] - 1, -1, -1)
            seq = [None] * inp.shape[0]
            for t in steps:
                seq[t], st = step_ref(mode, inp[t], st, *w)
            outs.append(np.stack(seq))
            for f, s in zip(finals, st):
                f.append(s)
        inp = np.concatenate(outs, axis=2)
    return inp, [np.stack(f) for f in finals]


def _weights(layer):
    return {k[len(layer.prefix):]: p.data().asnumpy() for k, p in layer.collect_params().items()}


def _copy_cell(cell, layer, d, i):
    for n in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"):
        getattr(cell, n).set_data(getattr(layer, "%s%d_%s" % (d, i, n)).data())


# ---- names, counts, reprs -----------------------------------------------------------------------
def test_fused_layer_parameter_names_order_and_count():
    layer = rnn.LSTM(5, num_layers=2, bidirectional=True, input_size=6, prefix="lstm0_")
    names = list(layer.collect_params().keys())
    assert names[:8] == ["lstm0_l0_i2h_weight", "lstm0_l0_h2h_weight", "lstm0_l0_i2h_bias", "lstm0_l0_h2h_bias",
                         "lstm0_r0_i2h_weight", "lstm0_r0_h2h_weight", "lstm0_r0_i2h_bias", "lstm0_r0_h2h_bias"]
    assert names[8] == "lstm0_l1_i2h_weight" and len(names) == 16
    # layer 0: 4*5*6 + 4*5*5 + 2*20 per direction; layer 1 reads 2*5 features: 4*5*10 + 4*5*5 + 2*20
    assert sum(int(np.prod(p.shape)) for p in layer.collect_params().values()) == 2 * 260 + 2 * 340
    assert layer.l1_i2h_weight.shape == (20, 10)
    gru = rnn.GRU(4)
    assert [k[len(gru.prefix):] for k in gru.collect_params()] == ["l0_i2h_weight", "l0_h2h_weight", "l0_i2h_bias",
                                                                   "l0_h2h_bias"]
    assert gru.prefix.startswith("gru") and rnn.RNN(3).prefix.startswith("rnn")
    assert gru.l0_i2h_weight.shape == (12, 0)  # input size inferred on the first forward


def test_cell_names_and_reprs_follow_mxnet_1_9_1():
    seq = rnn.SequentialRNNCell(prefix="s_")
    with seq.name_scope():
        seq.add(rnn.LSTMCell(4, input_size=3))
        seq.add(rnn.GRUCell(4))
        seq.add(rnn.RNNCell(4, activation="relu"))
    assert list(seq.collect_params().keys()) == [
        "s_lstm0_i2h_weight", "s_lstm0_h2h_weight", "s_lstm0_i2h_bias", "s_lstm0_h2h_bias",
        "s_gru0_i2h_weight", "s_gru0_h2h_weight", "s_gru0_i2h_bias", "s_gru0_h2h_bias",
        "s_rnn0_i2h_weight", "s_rnn0_h2h_weight", "s_rnn0_i2h_bias", "s_rnn0_h2h_bias"]
    assert repr(seq) == ("SequentialRNNCell(\n(0): LSTMCell(3 -> 16)\n(1): GRUCell(None -> 12)\n"
                         "(2): RNNCell(None -> 4, relu)\n)")
    assert repr(rnn.LSTM(10, 2, layout="NTC", dropout=0.5, bidirectional=True)) == \
        "LSTM(None -> 10, NTC, num_layers=2, dropout=0.5, bidirectional)"
    assert repr(rnn.GRU(7, input_size=3)) == "GRU(3 -> 7, TNC)"
    assert repr(rnn.DropoutCell(0.25)) == "DropoutCell(rate=0.25, axes=())"
    assert repr(rnn.ResidualCell(rnn.GRUCell(2, input_size=2))) == "ResidualCell(GRUCell(2 -> 6))"
    assert repr(rnn.ZoneoutCell(rnn.RNNCell(2), 0.1, 0.2)) == "ZoneoutCell(p_out=0.1, p_state=0.2, RNNCell(None -> 2, tanh))"
    bi = rnn.BidirectionalCell(rnn.LSTMCell(2, prefix="l_"), rnn.LSTMCell(2, prefix="r_"))
    assert repr(bi) == "BidirectionalCell(forward=LSTMCell(None -> 8), backward=LSTMCell(None -> 8))"
    assert list(bi.collect_params().keys())[0] == "l_i2h_weight"
    assert [s["shape"] for s in bi.state_info(3)] == [(3, 2)] * 4


# ---- cell steps against the equations -----------------------------------------------------------
@pytest.mark.parametrize("make, mode", [
    (lambda: rnn.LSTMCell(4, input_size=3), "lstm"),
    (lambda: rnn.GRUCell(4, input_size=3), "gru"),
    (lambda: rnn.RNNCell(4, input_size=3), "rnn_tanh"),
    (lambda: rnn.RNNCell(4, activation="relu", input_size=3), "rnn_relu"),
])
def test_cell_step_matches_textbook_equations(make, mode):
    cell = make()
    cell.initialize(mx.init.Normal(0.5))
    g = GATES[mode] * 4
    for n, shape in (("i2h_bias", (g,)), ("h2h_bias", (g,))):
        getattr(cell, n).set_data(nd.array(RS.randn(*shape).astype(np.float32)))
    x = RS.randn(2, 3).astype(np.float32)
    states = [RS.randn(2, 4).astype(np.float32) for _ in cell.state_info()]
    out, new = cell(nd.array(x), [nd.array(s) for s in states])
    w = [getattr(cell, n).data().asnumpy() for n in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias")]
    want_out, want_states = step_ref(mode, x, states, *w)
    np.testing.assert_allclose(out.asnumpy(), want_out, rtol=1e-5, atol=1e-5)
    for got, want in zip(new, want_states):
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-5)


# ---- fused layers -------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, mode, kwargs", [
    (rnn.LSTM, "lstm", dict(num_layers=2, bidirectional=True)),
    (rnn.GRU, "gru", dict(num_layers=2, layout="NTC")),
    (rnn.GRU, "gru", dict(bidirectional=True)),
    (rnn.RNN, "rnn_relu", dict(num_layers=2)),
    (rnn.RNN, "rnn_tanh", dict(activation="tanh", bidirectional=True, layout="NTC")),
])
def test_fused_layer_matches_stepwise_numpy(cls, mode, kwargs):
    layer = cls(4, **kwargs)
    layer.initialize(mx.init.Uniform(0.4))
    ntc = kwargs.get("layout") == "NTC"
    x = RS.randn(5, 2, 3).astype(np.float32)  # (T, N, C)
    data = nd.array(x.transpose(1, 0, 2) if ntc else x)
    layer(data)  # infers the input size
    for k, p in layer.collect_params().items():
        if k.endswith("bias"):  # non-zero biases, so their place in the flat vector matters
            p.set_data(nd.array(RS.randn(*p.shape).astype(np.float32) * 0.3))
    dirs = 2 if kwargs.get("bidirectional") else 1
    states = [RS.randn(kwargs.get("num_layers", 1) * dirs, 2, 4).astype(np.float32) for _ in layer.state_info()]
    out, new = layer(data, [nd.array(s) for s in states])
    want, want_states = fused_ref(mode, x, states, _weights(layer), kwargs.get("num_layers", 1), dirs == 2)
    got = out.asnumpy()
    np.testing.assert_allclose(got.transpose(1, 0, 2) if ntc else got, want, rtol=1e-4, atol=1e-5)
    assert len(new) == len(want_states)
    for g, w in zip(new, want_states):
        np.testing.assert_allclose(g.asnumpy(), w, rtol=1e-4, atol=1e-5)
    # without states: zero begin states, and only the output comes back
    only = layer(data)
    assert isinstance(only, nd.NDArray)
    want0, _ = fused_ref(mode, x, [np.zeros_like(s) for s in states], _weights(layer), kwargs.get("num_layers", 1),
                         dirs == 2)
    np.testing.assert_allclose(only.asnumpy().transpose(1, 0, 2) if ntc else only.asnumpy(), want0, rtol=1e-4,
                               atol=1e-5)


def test_fused_lstm_equals_unrolled_cell_with_gradients():
    layer = rnn.LSTM(3, input_size=2)
    layer.initialize(mx.init.Uniform(0.5))
    cell = rnn.LSTMCell(3, input_size=2)
    cell.initialize()
    _copy_cell(cell, layer, "l", 0)
    x = nd.array(RS.randn(4, 2, 2).astype(np.float32))  # TNC
    h0, c0 = nd.array(RS.randn(1, 2, 3).astype(np.float32)), nd.array(RS.randn(1, 2, 3).astype(np.float32))
    r = nd.array(RS.randn(4, 2, 3).astype(np.float32))
    with autograd.record():
        out, (h, c) = layer(x, [h0, c0])
        fused_loss = (out * r).sum() + h.sum() * 0.5 + c.sum()
    fused_loss.backward()
    with autograd.record():
        outs, (hc, cc) = cell.unroll(4, x, begin_state=[h0[0], c0[0]], layout="TNC", merge_outputs=True)
        cell_loss = (outs * r).sum() + hc.sum() * 0.5 + cc.sum()
    cell_loss.backward()
    np.testing.assert_allclose(out.asnumpy(), outs.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.asnumpy()[0], hc.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.asnumpy()[0], cc.asnumpy(), rtol=1e-5, atol=1e-6)
    for n in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias"):
        np.testing.assert_allclose(getattr(layer, "l0_" + n).grad().asnumpy(), getattr(cell, n).grad().asnumpy(),
                                   rtol=1e-4, atol=1e-5, err_msg=n)


def test_fused_bidirectional_gru_equals_bidirectional_cell_with_gradients():
    layer = rnn.GRU(3, bidirectional=True, layout="NTC", input_size=2)
    layer.initialize(mx.init.Uniform(0.5))
    bi = rnn.BidirectionalCell(rnn.GRUCell(3, input_size=2), rnn.GRUCell(3, input_size=2))
    bi.initialize()
    _copy_cell(bi._children["l_cell"], layer, "l", 0)
    _copy_cell(bi._children["r_cell"], layer, "r", 0)
    x = nd.array(RS.randn(2, 5, 2).astype(np.float32))  # NTC
    r = nd.array(RS.randn(2, 5, 6).astype(np.float32))
    with autograd.record():
        loss = (layer(x) * r).sum()
    loss.backward()
    with autograd.record():
        outs, states = bi.unroll(5, x, layout="NTC", merge_outputs=True)
        loss2 = (outs * r).sum()
    loss2.backward()
    np.testing.assert_allclose(layer(x).asnumpy(), outs.asnumpy(), rtol=1e-5, atol=1e-6)
    for d in ("l", "r"):
        for n in ("i2h_weight", "h2h_bias"):
            np.testing.assert_allclose(getattr(layer, d + "0_" + n).grad().asnumpy(),
                                       getattr(bi._children[d + "_cell"], n).grad().asnumpy(), rtol=1e-4, atol=1e-5)


def test_fused_layer_gradient_matches_central_differences():
    layer = rnn.RNN(3, activation="tanh", input_size=2)
    layer.initialize(mx.init.Uniform(0.5))
    x = nd.array(RS.randn(3, 2, 2).astype(np.float32))
    r = RS.randn(3, 2, 3).astype(np.float32)
    with autograd.record():
        loss = (layer(x) * nd.array(r)).sum()
    loss.backward()
    p = layer.l0_h2h_weight
    grad, base = p.grad().asnumpy(), p.data().asnumpy().copy()
    for idx in [(0, 0), (1, 2), (2, 1)]:
        hi, lo = base.copy(), base.copy()
        hi[idx] += 1e-2
        lo[idx] -= 1e-2
        p.set_data(nd.array(hi))
        f_hi = float((layer(x).asnumpy() * r).sum())
        p.set_data(nd.array(lo))
        f_lo = float((layer(x).asnumpy() * r).sum())
        np.testing.assert_allclose(grad[idx], (f_hi - f_lo) / 2e-2, rtol=2e-2, atol=2e-3)
    p.set_data(nd.array(base))


def test_fused_use_sequence_length_matches_cell_unroll_with_valid_length():
    layer = rnn.LSTM(3, input_size=2, use_sequence_length=True)
    layer.initialize(mx.init.Uniform(0.5))
    cell = rnn.LSTMCell(3, input_size=2)
    cell.initialize()
    _copy_cell(cell, layer, "l", 0)
    x = nd.array(RS.randn(4, 3, 2).astype(np.float32))
    lengths = nd.array([4, 2, 1])
    out, (h, c) = layer(x, layer.begin_state(3), lengths)
    outs, (hc, cc) = cell.unroll(4, x, layout="TNC", merge_outputs=True, valid_length=lengths)
    np.testing.assert_allclose(out.asnumpy(), outs.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h.asnumpy()[0], hc.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.asnumpy()[0], cc.asnumpy(), rtol=1e-5, atol=1e-6)


# ---- unroll -------------------------------------------------------------------------------------
def test_unroll_layouts_merge_forms_and_valid_length():
    cell = rnn.GRUCell(3, input_size=2)
    cell.initialize(mx.init.Uniform(0.5))
    x = RS.randn(3, 4, 2).astype(np.float32)  # NTC
    w = [getattr(cell, n).data().asnumpy() for n in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias")]
    h = np.zeros((3, 3), np.float32)
    want = []
    for t in range(4):
        h, _ = step_ref("gru", x[:, t], [h], *w)
        want.append(h)
    merged, states = cell.unroll(4, nd.array(x), merge_outputs=True)
    np.testing.assert_allclose(merged.asnumpy(), np.stack(want, 1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(states[0].asnumpy(), want[-1], rtol=1e-5, atol=1e-6)
    listed, _ = cell.unroll(4, nd.array(x.transpose(1, 0, 2)), layout="TNC", merge_outputs=False)
    assert isinstance(listed, list) and len(listed) == 4
    np.testing.assert_allclose(listed[2].asnumpy(), want[2], rtol=1e-5, atol=1e-6)
    # a list of steps in, merged out in TNC
    steps = [nd.array(x[:, t]) for t in range(4)]
    tnc, _ = cell.unroll(4, steps, layout="TNC", merge_outputs=True)
    np.testing.assert_allclose(tnc.asnumpy(), np.stack(want, 0), rtol=1e-5, atol=1e-6)
    # valid_length: padded steps output zeros, states are each row's last valid one
    out, st = cell.unroll(4, nd.array(x), merge_outputs=True, valid_length=nd.array([4, 2, 1]))
    out = out.asnumpy()
    for row, n in enumerate((4, 2, 1)):
        np.testing.assert_allclose(out[row, :n], np.stack(want, 1)[row, :n], rtol=1e-5, atol=1e-6)
        assert (out[row, n:] == 0).all()
        np.testing.assert_allclose(st[0].asnumpy()[row], want[n - 1][row], rtol=1e-5, atol=1e-6)


def test_bidirectional_cell_with_valid_length_reverses_each_valid_prefix():
    l_cell, r_cell = rnn.RNNCell(2, input_size=2), rnn.RNNCell(2, input_size=2)
    bi = rnn.BidirectionalCell(l_cell, r_cell)
    bi.initialize(mx.init.Uniform(0.6))
    x = RS.randn(2, 4, 2).astype(np.float32)
    lengths = (4, 2)
    out, states = bi.unroll(4, nd.array(x), merge_outputs=True, valid_length=nd.array(lengths))
    out = out.asnumpy()
    assert out.shape == (2, 4, 4) and len(states) == 2
    wl = [getattr(l_cell, n).data().asnumpy() for n in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias")]
    wr = [getattr(r_cell, n).data().asnumpy() for n in ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias")]
    for row, n in enumerate(lengths):
        seq = x[row:row + 1, :n]
        h, fwd = np.zeros((1, 2), np.float32), []
        for t in range(n):
            h, _ = step_ref("rnn_tanh", seq[:, t], [h], *wl)
            fwd.append(h[0])
        h, bwd = np.zeros((1, 2), np.float32), [None] * n
        for t in reversed(range(n)):
            h, _ = step_ref("rnn_tanh", seq[:, t], [h], *wr)
            bwd[t] = h[0]
        np.testing.assert_allclose(out[row, :n], np.concatenate([np.stack(fwd), np.stack(bwd)], 1), rtol=1e-5,
                                   atol=1e-6)
        assert (out[row, n:] == 0).all()
        np.testing.assert_allclose(states[1].asnumpy()[row], bwd[0], rtol=1e-5, atol=1e-6)


def test_stack_with_dropout_residual_and_zoneout_cells():
    seq = rnn.HybridSequentialRNNCell()
    with seq.name_scope():
        seq.add(rnn.LSTMCell(3, input_size=3))
        seq.add(rnn.DropoutCell(0.5))
        seq.add(rnn.ResidualCell(rnn.RNNCell(3, input_size=3)))
    seq.initialize(mx.init.Uniform(0.5))
    assert len(seq) == 3 and isinstance(seq[2], rnn.ResidualCell)
    x = RS.randn(2, 5, 3).astype(np.float32)
    out, states = seq.unroll(5, nd.array(x), merge_outputs=True)  # predict mode: dropout is the identity
    assert [s.shape for s in states] == [(2, 3), (2, 3), (2, 3)]
    # stepping the stack as a whole gives the unrolled result
    seq.reset()
    st = seq.begin_state(batch_size=2)
    for t in range(5):
        o, st = seq(nd.array(x[:, t]), st)
        np.testing.assert_allclose(o.asnumpy(), out.asnumpy()[:, t], rtol=1e-5, atol=1e-6)
    # residual: output - input is the base cell's output
    base = rnn.RNNCell(3, input_size=3)
    resid = rnn.ResidualCell(base)
    resid.initialize()
    y, _ = resid.unroll(5, nd.array(x), merge_outputs=True)
    resid.base_cell._modified = False
    yb, _ = base.unroll(5, nd.array(x), merge_outputs=True)
    np.testing.assert_allclose(y.asnumpy() - x, yb.asnumpy(), rtol=1e-5, atol=1e-5)
    # zoneout: outside training the base cell; in training every value is the new or the previous one
    zc = rnn.ZoneoutCell(rnn.GRUCell(3, input_size=3), zoneout_outputs=0.5, zoneout_states=0.5)
    zc.initialize()
    plain, _ = zc.unroll(5, nd.array(x), merge_outputs=True)
    zc.base_cell._modified = False
    want, _ = zc.base_cell.unroll(5, nd.array(x), merge_outputs=True)
    zc.base_cell._modified = True
    np.testing.assert_allclose(plain.asnumpy(), want.asnumpy(), rtol=1e-6)
    with autograd.record():
        zoned, _ = zc.unroll(5, nd.array(x), merge_outputs=False)
    first = zoned[0].asnumpy()
    assert ((first == 0) | np.isclose(first, want.asnumpy()[:, 0])).all()
    assert (first == 0).any()
    # dropout cell in training zeroes about half and scales the rest by 2
    drop = rnn.DropoutCell(0.5)
    with autograd.record():
        d, _ = drop.unroll(3, nd.ones((50, 3, 20)), merge_outputs=True)
    assert set(np.unique(d.asnumpy()).tolist()) == {0.0, 2.0}


def test_begin_state_func_and_kwargs():
    cell = rnn.LSTMCell(4)
    ones = cell.begin_state(batch_size=3, func=nd.ones)
    assert [s.shape for s in ones] == [(3, 4), (3, 4)] and ones[1].asnumpy().sum() == 12
    layer = rnn.GRU(5, num_layers=3, bidirectional=True)
    (s,) = layer.begin_state(2, dtype="float64")
    assert s.shape == (6, 2, 5) and s.dtype == np.float64
    assert layer.state_info(2)[0]["__layout__"] == "LNC"


# ---- parameter files ----------------------------------------------------------------------------
def test_save_parameters_uses_mxnet_unfused_names_and_round_trips(tmp_path):
    layer = rnn.LSTM(3, num_layers=2, bidirectional=True, input_size=2)
    layer.initialize()
    path = str(tmp_path / "lstm.params")
    layer.save_parameters(path)
    keys = list(nd.load(path).keys())
    assert keys[:5] == ["_unfused.0.l_cell.i2h_weight", "_unfused.0.l_cell.h2h_weight", "_unfused.0.l_cell.i2h_bias",
                        "_unfused.0.l_cell.h2h_bias", "_unfused.0.r_cell.i2h_weight"]
    assert len(keys) == 16
    other = rnn.LSTM(3, num_layers=2, bidirectional=True)
    other.load_parameters(path)
    x = nd.array(RS.randn(3, 2, 2).astype(np.float32))
    np.testing.assert_allclose(other(x).asnumpy(), layer(x).asnumpy(), rtol=1e-6)
    uni = rnn.GRU(2, input_size=2)
    uni.initialize()
    uni.save_parameters(path)
    assert list(nd.load(path).keys()) == ["_unfused.0.i2h_weight", "_unfused.0.h2h_weight", "_unfused.0.i2h_bias",
                                          "_unfused.0.h2h_bias"]


@needs_node
def test_lstm_parameter_files_interchange_with_the_ts_package(tmp_path):
    layer = rnn.LSTM(3, num_layers=2, bidirectional=True, layout="NTC")
    layer.initialize(mx.init.Uniform(0.5))
    x = nd.array(RS.randn(2, 4, 5).astype(np.float32))
    want = layer(x).asnumpy()
    ts_y, ts_file = ts_round_trip(tmp_path, layer, x,
                                  "new gluon.rnn.LSTM(3, 2, { bidirectional: true, layout: 'NTC' })")
    np.testing.assert_allclose(ts_y, want, rtol=1e-5, atol=1e-6)
    other = rnn.LSTM(3, num_layers=2, bidirectional=True, layout="NTC")
    other.load_parameters(ts_file)
    np.testing.assert_allclose(other(x).asnumpy(), want, rtol=1e-5, atol=1e-6)


# ---- errors -------------------------------------------------------------------------------------
def test_bad_input_and_arguments_raise_mxnet_errors():
    E = mx.base.MXNetError
    with pytest.raises(E, match="LSTM.*layout 'NCT'"):
        rnn.LSTM(3, layout="NCT")
    with pytest.raises(E, match="RNN.*activation"):
        rnn.RNN(3, activation="sigmoid")
    with pytest.raises(NotImplementedError, match="LSTM.*projection_size"):
        rnn.LSTM(3, projection_size=2)
    with pytest.raises(E, match="LSTM.*state_clip_min and state_clip_max"):
        rnn.LSTM(3, state_clip_min=-1)
    layer = rnn.GRU(3, input_size=4)
    layer.initialize()
    with pytest.raises(E, match="GRU 'gru\\d+'.*has 5 features, the layer expects 4"):
        layer(nd.ones((2, 2, 5)))
    with pytest.raises(E, match="GRU 'gru\\d+'.*must be 3-D"):
        layer(nd.ones((2, 4)))
    with pytest.raises(E, match="GRU 'gru\\d+'.*invalid recurrent state shape"):
        layer(nd.ones((2, 2, 4)), [nd.zeros((1, 3, 3))])
    with pytest.raises(E, match="use_sequence_length"):
        layer(nd.ones((2, 2, 4)), None, nd.array([1, 2]))
    cell = rnn.LSTMCell(3, input_size=2)
    cell.initialize()
    with pytest.raises(E, match="LSTMCell 'lstm\\d+'.*4 features.*expects 2"):
        cell(nd.ones((1, 4)), cell.begin_state(1))
    with pytest.raises(E, match="LSTMCell 'lstm\\d+'.*expected 2 state"):
        cell(nd.ones((1, 2)), cell.begin_state(1)[:1])
    with pytest.raises(E, match="unroll length 3 does not match the 4 steps"):
        cell.unroll(3, nd.ones((1, 4, 2)))
    with pytest.raises(E, match="invalid layout"):
        cell.unroll(4, nd.ones((1, 4, 2)), layout="CTN")
    bi = rnn.BidirectionalCell(rnn.RNNCell(2), rnn.RNNCell(2))
    with pytest.raises(NotImplementedError, match="unroll"):
        bi(nd.ones((1, 2)), bi.begin_state(1))
    base = rnn.RNNCell(2)
    rnn.ResidualCell(base)
    with pytest.raises(E, match="already modified"):
        rnn.ZoneoutCell(base)
    with pytest.raises(E, match="modifier cell"):
        base.begin_state(1)
    with pytest.raises(E, match="ZoneoutCell.*BidirectionalCell"):
        rnn.ZoneoutCell(bi)
