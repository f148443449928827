// gluon.rnn: the fused layers (RNN, LSTM, GRU) against step-by-step cells given the same
// weights, cells against plain-JS gate equations, shapes and parameter counts worked out by
// hand, layouts, gradients reaching every parameter, and errors that name the layer and shapes.
import { describe, expect, it } from 'vitest';

import * as rnn from '../src/gluon/rnn/index.js';
import * as mx from '../src/index.js';

const { nd, autograd } = mx;
type Parameter = mx.gluon.Parameter;

const values = (a: mx.NDArray): number[] => Array.from(a.dataSync() as Float32Array);

function expectClose(actual: mx.NDArray, expected: mx.NDArray | number[], tol = 1e-5): void {
  const e = Array.isArray(expected) ? expected : values(expected);
  if (!Array.isArray(expected)) expect(actual.shape).toEqual(expected.shape);
  const a = values(actual);
  expect(a.length).toBe(e.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - e[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** A layer's parameter by its short name (l0_i2h_weight). */
const lp = (layer: mx.gluon.Block<unknown, never[]> | rnn.RNNLayerBase, name: string): Parameter => layer.params.get(name);

/** Random but reproducible weights and biases (biases non-zero so that both bias terms matter). */
function init(block: { initialize(init?: mx.init.Initializer | string): unknown }, seed = 7): void {
  mx.random.seed(seed);
  block.initialize(new mx.init.Uniform(0.5));
}
const biasInit = { i2hBiasInitializer: new mx.init.Uniform(0.3), h2hBiasInitializer: new mx.init.Uniform(0.3) };

/** Copies direction `d` of layer `layer` of a fused layer into a cell. */
function copyInto(cell: rnn.RecurrentCell, fused: rnn.RNNLayerBase, d: 'l' | 'r', layer: number): void {
  for (const n of ['i2h_weight', 'h2h_weight', 'i2h_bias', 'h2h_bias']) {
    cell.params.get(n).setData(lp(fused, `${d}${layer}_${n}`).data());
  }
}

type Mode = 'lstm' | 'gru' | 'rnn_relu' | 'rnn_tanh';
function makeLayer(mode: Mode, hidden: number, layers: number, options: rnn.RNNLayerOptions): rnn.RNNLayerBase {
  if (mode === 'lstm') return new rnn.LSTM(hidden, layers, options);
  if (mode === 'gru') return new rnn.GRU(hidden, layers, options);
  return new rnn.RNN(hidden, layers, { ...options, activation: mode === 'rnn_relu' ? 'relu' : 'tanh' });
}
function makeCell(mode: Mode, hidden: number, inputSize: number): rnn.RecurrentCell {
  if (mode === 'lstm') return new rnn.LSTMCell(hidden, { inputSize });
  if (mode === 'gru') return new rnn.GRUCell(hidden, { inputSize });
  return new rnn.RNNCell(hidden, { inputSize, activation: mode === 'rnn_relu' ? 'relu' : 'tanh' });
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
/** W (rows, cols) · x (cols) + b, on plain arrays. */
const affine = (w: number[], rows: number, x: number[], b: number[]): number[] =>
  Array.from({ length: rows }, (_, r) => x.reduce((s, xv, c) => s + w[r * x.length + c]! * xv, b[r]!));

// Values Apache MXNet 1.9.1 computed (gluon.rnn, CPU) for the weights, inputs and states that
// `pattern` fills in below: scale * sin(freq * j + offset) over the flattened array, the offset
// being the parameter's index in collect_params() order.
const MXNET = {"lstm":{"y":[-0.0249957,-0.0723899,0.1860153,0.1292552,0.0499466,-0.0211919,0.1871346,0.1249304,-0.0123614,-0.1624439,0.1814559,0.1236303,0.0389482,-0.1268366,0.1765431,0.1154001,-0.0345127,-0.2598059,0.179481,0.1139721,0.0125469,-0.211081,0.1457461,0.0994412],"h":[0.0463469,0.0902139,0.185334,0.0528642,-0.4265618,0.1535071,-0.3941434,0.0697639,-0.0345127,-0.2598059,0.0125469,-0.211081,0.1860153,0.1292552,0.1871346,0.1249304],"c":[0.1979258,0.2657151,0.545816,0.1898282,-0.6520302,0.3572897,-0.5650823,0.14939,-0.0837341,-0.4092273,0.0304324,-0.3353593,0.5704101,0.5097097,0.5646236,0.4907385],"grad_sums":[2.189858,0.811554,4.057936,4.057936,2.397188,-0.806898,3.90217,3.90217,-0.042223,-0.278488,2.480503,2.480503,-0.624253,1.839897,5.855977,5.855977]},"gru":{"y":[-0.2474175,-0.2279145,0.0901723,-0.1945118,-0.3370245,0.1177682,-0.1535905,-0.34879,-0.2029921,-0.4474506,-0.3217472,-0.1422303,-0.1890402,-0.26768,0.1310223,-0.0436415,-0.3198532,-0.0817666,-0.3607125,-0.3056774,-0.1805372,-0.5042694,-0.363808,-0.0416818]},"rnn_relu":{"y":[0.0,1.0620116,0.051874,1.2023849,0.0,1.3864472],"h":[1.1801192,0.0,0.0,1.3864472]},"lstmcell":{"y":[0.0332846,0.0602549,0.0978972,0.0319769],"c":[0.1111325,0.2356061,0.4449522,0.0616839]},"grucell":{"y":[0.0923402,0.4252217,0.5770875,0.2196715]}};

function pattern(shape: number[], offset: number, scale = 0.5, freq = 1.3): mx.NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return nd.array(Float32Array.from({ length: n }, (_, j) => scale * Math.sin(freq * j + offset)), { shape });
}
function fillPattern(block: mx.gluon.Block<unknown, never[]> | rnn.RNNLayerBase | rnn.RecurrentCell): void {
  block.initialize();
  let k = 0;
  for (const q of block.collectParams().values()) q.setData(pattern([...q.data().shape], k++));
}

describe('against Apache MXNet 1.9.1', () => {
  it('LSTM, 2 layers, bidirectional: outputs, final states and gradient sums per parameter', () => {
    const layer = new rnn.LSTM(2, 2, { bidirectional: true, inputSize: 2 });
    fillPattern(layer);
    const x = pattern([3, 2, 2], 0, 1, 0.9);
    const begin = [pattern([4, 2, 2], 2, 0.3, 0.4), pattern([4, 2, 2], 3, 0.3, 0.4)];
    let out: [mx.NDArray, mx.NDArray[]] = [x, []];
    const loss = autograd.record(() => {
      out = layer.call(x, begin);
      const [y, [h, c]] = out;
      return y.square().sum().add(h!.sum()).add(c!.sum());
    });
    loss.backward();
    const [y, [h, c]] = out;
    expectClose(y, MXNET.lstm.y, 2e-6);
    expectClose(h!, MXNET.lstm.h, 2e-6);
    expectClose(c!, MXNET.lstm.c, 2e-6);
    const sums = [...layer.collectParams().values()].map((q) => values(q.grad()).reduce((a, b) => a + b, 0));
    sums.forEach((v, i) => expect(v).toBeCloseTo(MXNET.lstm.grad_sums[i]!, 4));
  });

  it('GRU (NTC), RNN relu (2 layers), LSTMCell and GRUCell', () => {
    const gru = new rnn.GRU(3, 1, { layout: 'NTC', inputSize: 2 });
    fillPattern(gru);
    expectClose(gru.call(pattern([2, 4, 2], 1, 1, 0.9)), MXNET.gru.y, 2e-6);

    const relu = new rnn.RNN(2, 2, { activation: 'relu', inputSize: 3 });
    fillPattern(relu);
    const [yr, [hr]] = relu.call(pattern([3, 1, 3], 0.5, 1, 0.9), relu.beginState(1));
    expectClose(yr, MXNET.rnn_relu.y, 2e-6);
    expectClose(hr!, MXNET.rnn_relu.h, 2e-6);

    const xc = pattern([2, 3], 0.2, 1, 0.9);
    const s0 = [pattern([2, 2], 1.5, 0.3, 0.4), pattern([2, 2], 2.5, 0.3, 0.4)];
    const lstm = new rnn.LSTMCell(2, { inputSize: 3 });
    fillPattern(lstm);
    const [yl, [, cl]] = lstm.call(xc, s0);
    expectClose(yl, MXNET.lstmcell.y, 2e-6);
    expectClose(cl!, MXNET.lstmcell.c, 2e-6);
    const gcell = new rnn.GRUCell(2, { inputSize: 3 });
    fillPattern(gcell);
    expectClose(gcell.call(xc, s0.slice(0, 1))[0], MXNET.grucell.y, 2e-6);
  });

  it('prints layers and cells as MXNet does', () => {
    expect(new rnn.LSTMCell(4, { inputSize: 2 }).toString()).toBe('LSTMCell(2 -> 16)');
    expect(new rnn.GRUCell(3, { inputSize: 5 }).toString()).toBe('GRUCell(5 -> 9)');
    expect(new rnn.DropoutCell(0.5).toString()).toBe('DropoutCell(rate=0.5, axes=())');
    expect(new rnn.ResidualCell(new rnn.GRUCell(3, { inputSize: 3 })).toString()).toBe('ResidualCell(GRUCell(3 -> 9))');
    expect(new rnn.ZoneoutCell(new rnn.LSTMCell(2, { inputSize: 2 }), { zoneoutOutputs: 0.1, zoneoutStates: 0.2 }).toString()).toBe(
      'ZoneoutCell(p_out=0.1, p_state=0.2, LSTMCell(2 -> 8))',
    );
    const bi = new rnn.BidirectionalCell(new rnn.RNNCell(2, { inputSize: 1 }), new rnn.RNNCell(2, { inputSize: 1 }));
    expect(bi.toString()).toBe('BidirectionalCell(forward=RNNCell(1 -> 2, tanh), backward=RNNCell(1 -> 2, tanh))');
    expect(new rnn.GRU(3, 1, { layout: 'NTC', dropout: 0.2 }).toString()).toBe('GRU(None -> 3, NTC, dropout=0.2)');
    const seq = new rnn.SequentialRNNCell();
    seq.add(new rnn.LSTMCell(2, { inputSize: 1 })).add(new rnn.DropoutCell(0.3));
    expect(seq.toString()).toBe('SequentialRNNCell(\n(0): LSTMCell(1 -> 8)\n(1): DropoutCell(rate=0.3, axes=())\n)');
  });
});

describe('fused layers: parameters, shapes, repr', () => {
  it('LSTM names and shapes its parameters like MXNet (2 layers, bidirectional) and counts them by hand', () => {
    const layer = new rnn.LSTM(10, 2, { bidirectional: true, inputSize: 5 });
    const p = layer.collectParams();
    const short = [...p.keys()].map((k) => k.slice(layer.prefix.length));
    expect(short).toEqual([
      'l0_i2h_weight', 'l0_h2h_weight', 'l0_i2h_bias', 'l0_h2h_bias',
      'r0_i2h_weight', 'r0_h2h_weight', 'r0_i2h_bias', 'r0_h2h_bias',
      'l1_i2h_weight', 'l1_h2h_weight', 'l1_i2h_bias', 'l1_h2h_bias',
      'r1_i2h_weight', 'r1_h2h_weight', 'r1_i2h_bias', 'r1_h2h_bias',
    ]);
    expect(lp(layer, 'l0_i2h_weight').shape).toEqual([40, 5]);
    expect(lp(layer, 'r0_h2h_weight').shape).toEqual([40, 10]);
    expect(lp(layer, 'l1_i2h_weight').shape).toEqual([40, 20]); // the next layer reads both directions
    expect(lp(layer, 'r1_h2h_bias').shape).toEqual([40]);
    layer.initialize();
    let count = 0;
    for (const q of p.values()) count += q.data().size;
    // layer 0: 4*10*5 + 4*10*10 + 2*40 = 680 per direction; layer 1: 4*10*20 + 400 + 80 = 1280.
    expect(count).toBe(2 * 680 + 2 * 1280);
    expect(layer.toString()).toBe('LSTM(5 -> 10, TNC, num_layers=2, bidirectional)');
  });

  it('counts GRU and RNN parameters by hand and prints them', () => {
    const gru = new rnn.GRU(4, 1, { inputSize: 3 });
    gru.initialize();
    let n = 0;
    for (const q of gru.collectParams().values()) n += q.data().size;
    expect(n).toBe(3 * 4 * 3 + 3 * 4 * 4 + 2 * 12); // 36 + 48 + 24
    const r = new rnn.RNN(6, 3, { activation: 'tanh', dropout: 0.5, layout: 'NTC' });
    expect(r.toString()).toBe('RNN(None -> 6, NTC, num_layers=3, dropout=0.5)');
    expect(lp(r, 'l2_i2h_weight').shape).toEqual([6, 6]);
  });

  it('returns the output alone, or [output, states] when states are passed; shapes for TNC', () => {
    const layer = new rnn.LSTM(7, 2, { bidirectional: true });
    init(layer);
    const x = nd.random.uniform(-1, 1, [3, 2, 5]); // T=3, N=2, C=5
    const out = layer.call(x);
    expect(out.shape).toEqual([3, 2, 14]);
    const begin = layer.beginState(2);
    expect(begin.map((s) => s.shape)).toEqual([[4, 2, 7], [4, 2, 7]]);
    const [out2, states] = layer.call(x, begin);
    expect(states.map((s) => s.shape)).toEqual([[4, 2, 7], [4, 2, 7]]);
    expectClose(out2, out, 0); // zero states are what call(x) starts from
    expect(lp(layer, 'l0_i2h_weight').shape).toEqual([28, 5]); // inferred on the first call
    expect(layer.toString()).toBe('LSTM(5 -> 7, TNC, num_layers=2, bidirectional)');
  });

  it('GRU/RNN take one state, as an array or a one-element list', () => {
    const gru = new rnn.GRU(3, 1, { inputSize: 2 });
    init(gru);
    const x = nd.random.uniform(-1, 1, [4, 5, 2]);
    const h0 = nd.random.uniform(-1, 1, [1, 5, 3]);
    const [a, sa] = gru.call(x, h0);
    const [b, sb] = gru.call(x, [h0]);
    expect(a.shape).toEqual([4, 5, 3]);
    expect(sa.length).toBe(1);
    expectClose(a, b, 0);
    expectClose(sa[0]!, sb[0]!, 0);
    // The last output step is the final state for a one-layer unidirectional layer.
    expectClose(sa[0]!.reshape(5, 3), a.at(3));
  });

  it('NTC layout equals TNC on the transposed input', () => {
    const tnc = new rnn.GRU(4, 2, { inputSize: 3, ...biasInit });
    const ntc = new rnn.GRU(4, 2, { inputSize: 3, layout: 'NTC', ...biasInit });
    init(tnc);
    init(ntc, 99);
    for (const [k, q] of tnc.params) ntc.params.get(k.slice(tnc.prefix.length)).setData(q.data());
    const x = nd.random.uniform(-1, 1, [2, 5, 3]); // N=2, T=5, C=3
    const [yn, sn] = ntc.call(x, ntc.beginState(2));
    const [yt, st] = tnc.call(x.transpose([1, 0, 2]), tnc.beginState(2));
    expect(yn.shape).toEqual([2, 5, 4]);
    expectClose(yn, yt.transpose([1, 0, 2]));
    expectClose(sn[0]!, st[0]!);
  });

  it('stands in a HybridSequential like any NDArray → NDArray block (reached as mx.gluon.rnn)', () => {
    expect(mx.gluon.rnn.LSTM).toBe(rnn.LSTM);
    const net = new mx.gluon.HybridSequential();
    net.add(new rnn.LSTM(6, 1, { layout: 'NTC' }), new mx.gluon.nn.Dense(2, { flatten: false }));
    init(net);
    const y = net.call(nd.ones([2, 3, 4]));
    expect(y.shape).toEqual([2, 3, 2]);
    expect(net.collectParams().size).toBe(6);
  });

  it('applies dropout between layers in training only', () => {
    const layer = new rnn.GRU(8, 2, { dropout: 0.5, inputSize: 4 });
    init(layer);
    const x = nd.random.uniform(-1, 1, [3, 2, 4]);
    const a = layer.call(x);
    expectClose(layer.call(x), a, 0);
    const trained = autograd.record(() => layer.call(x));
    expect(values(trained.sub(a).abs()).some((v) => v > 1e-4)).toBe(true);
    const single = new rnn.GRU(8, 1, { dropout: 0.5, inputSize: 4 }); // nothing lies between layers
    init(single);
    expectClose(autograd.record(() => single.call(x)), single.call(x), 0);
  });

  it('saves parameters under MXNet 1.x unfused names and loads them back', () => {
    const bi = new rnn.GRU(2, 1, { bidirectional: true, inputSize: 3 });
    expect([...bi.collectParamsWithPrefix().keys()].slice(0, 5)).toEqual([
      '_unfused.0.l_cell.i2h_weight', '_unfused.0.l_cell.h2h_weight', '_unfused.0.l_cell.i2h_bias', '_unfused.0.l_cell.h2h_bias',
      '_unfused.0.r_cell.i2h_weight',
    ]);
    const uni = new rnn.LSTM(2, 2, { inputSize: 3 });
    expect([...uni.collectParamsWithPrefix('enc').keys()]).toContain('enc._unfused.1.h2h_bias');
  });
});

describe('fused layers equal unrolled cells with the same weights', () => {
  const T = 4;
  const N = 3;
  const C = 5;
  const H = 6;
  for (const mode of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
    it(`${mode}: 2 layers, bidirectional, outputs and final states`, () => {
      const fused = makeLayer(mode, H, 2, { bidirectional: true, inputSize: C, ...biasInit });
      init(fused);
      const stack = new rnn.SequentialRNNCell();
      const cells: rnn.RecurrentCell[][] = [];
      for (let layer = 0; layer < 2; layer++) {
        const inSize = layer === 0 ? C : 2 * H;
        const l = makeCell(mode, H, inSize);
        const r = makeCell(mode, H, inSize);
        l.initialize();
        r.initialize();
        copyInto(l, fused, 'l', layer);
        copyInto(r, fused, 'r', layer);
        stack.add(new rnn.BidirectionalCell(l, r));
        cells.push([l, r]);
      }
      const x = nd.random.uniform(-1, 1, [T, N, C]);
      const begin = fused.beginState(N, { func: (shape) => nd.random.uniform(-0.5, 0.5, shape) });
      const [y, states] = fused.call(x, begin);
      // The fused state stacks (layer, direction) on axis 0; the cells keep [h(, c)] per cell.
      const perState = begin.length;
      const cellBegin: mx.NDArray[] = [];
      for (let i = 0; i < 4; i++) for (let s = 0; s < perState; s++) cellBegin.push(begin[s]!.at(i));
      const [yc, sc] = stack.unroll(T, x, { layout: 'TNC', mergeOutputs: true, beginState: cellBegin });
      expect(y.shape).toEqual([T, N, 2 * H]);
      expectClose(yc, y);
      expect(states.length).toBe(perState);
      for (let i = 0; i < 4; i++) for (let s = 0; s < perState; s++) expectClose(sc[i * perState + s]!, states[s]!.at(i));
    });
  }

  it('lstm, one layer, NTC input: the cell unrolled as a list of steps', () => {
    const fused = new rnn.LSTM(H, 1, { layout: 'NTC', inputSize: C, ...biasInit });
    init(fused);
    const cell = new rnn.LSTMCell(H, { inputSize: C });
    cell.initialize();
    copyInto(cell, fused, 'l', 0);
    const x = nd.random.uniform(-1, 1, [N, T, C]);
    const [y, [h, c]] = fused.call(x, fused.beginState(N));
    const [steps, [hc, cc]] = cell.unroll(T, x, { mergeOutputs: false }); // cells default to NTC
    expect(steps.length).toBe(T);
    steps.forEach((s, t) => expectClose(s, nd.slice_axis(y, { axis: 1, begin: t, end: t + 1 }).reshape(N, H)));
    expectClose(hc!, h!.reshape(N, H));
    expectClose(cc!, c!.reshape(N, H));
  });
});

describe('cells against plain-JS gate equations', () => {
  it('LSTMCell: one step, gates i, f, c, o', () => {
    const H = 3;
    const C = 2;
    const cell = new rnn.LSTMCell(H, { inputSize: C, ...biasInit });
    init(cell, 3);
    const x = nd.array([[0.5, -1.0], [0.2, 0.3]]);
    const h0 = nd.array([[0.1, -0.2, 0.3], [0.0, 0.4, -0.5]]);
    const c0 = nd.array([[0.7, 0.1, -0.3], [-0.2, 0.5, 0.9]]);
    const [out, [h1, c1]] = cell.call(x, [h0, c0]);
    const [wi, wh, bi, bh] = ['i2h_weight', 'h2h_weight', 'i2h_bias', 'h2h_bias'].map((n) => values(cell.params.get(n).data()));
    const xs = [values(x).slice(0, 2), values(x).slice(2)];
    const hs = [values(h0).slice(0, 3), values(h0).slice(3)];
    const cs = [values(c0).slice(0, 3), values(c0).slice(3)];
    const wantH: number[] = [];
    const wantC: number[] = [];
    for (let n = 0; n < 2; n++) {
      const a = affine(wi!, 4 * H, xs[n]!, bi!);
      const b = affine(wh!, 4 * H, hs[n]!, bh!);
      const g = a.map((v, k) => v + b[k]!);
      for (let j = 0; j < H; j++) {
        const i = sigmoid(g[j]!);
        const f = sigmoid(g[H + j]!);
        const cand = Math.tanh(g[2 * H + j]!);
        const o = sigmoid(g[3 * H + j]!);
        const c = f * cs[n]![j]! + i * cand;
        wantC.push(c);
        wantH.push(o * Math.tanh(c));
      }
    }
    expectClose(out, wantH);
    expectClose(h1!, wantH);
    expectClose(c1!, wantC);
    expect(cell.toString()).toBe('LSTMCell(2 -> 12)');
  });

  it("GRUCell: one step, MXNet's r, z, n with the reset gate after the h2h product", () => {
    const H = 2;
    const cell = new rnn.GRUCell(H, { inputSize: 3, ...biasInit });
    init(cell, 4);
    const x = nd.array([[0.3, -0.6, 0.9]]);
    const h0 = nd.array([[0.25, -0.75]]);
    const [out] = cell.call(x, [h0]);
    const [wi, wh, bi, bh] = ['i2h_weight', 'h2h_weight', 'i2h_bias', 'h2h_bias'].map((n) => values(cell.params.get(n).data()));
    const a = affine(wi!, 3 * H, values(x), bi!);
    const b = affine(wh!, 3 * H, values(h0), bh!);
    const want = Array.from({ length: H }, (_, j) => {
      const r = sigmoid(a[j]! + b[j]!);
      const z = sigmoid(a[H + j]! + b[H + j]!);
      const n = Math.tanh(a[2 * H + j]! + r * b[2 * H + j]!);
      return (1 - z) * n + z * values(h0)[j]!;
    });
    expectClose(out, want);
  });

  it('RNNCell defaults to tanh and infers its input size', () => {
    const cell = new rnn.RNNCell(2);
    expect(cell.toString()).toBe('RNNCell(None -> 2, tanh)');
    init(cell, 5);
    const x = nd.array([[1, 2, 3]]);
    const [y] = cell.call(x, cell.beginState(1));
    expect(cell.params.get('i2h_weight').shape).toEqual([2, 3]);
    const want = affine(values(cell.params.get('i2h_weight').data()), 2, [1, 2, 3], [0, 0]).map(Math.tanh);
    expectClose(y, want);
  });
});

describe('cell containers', () => {
  it('SequentialRNNCell steps through its cells and splits the states', () => {
    const stack = new rnn.SequentialRNNCell();
    const a = new rnn.LSTMCell(4, { inputSize: 3 });
    const b = new rnn.GRUCell(2, { inputSize: 4 });
    stack.add(a).add(b);
    init(stack);
    const x = nd.random.uniform(-1, 1, [5, 3]);
    const begin = stack.beginState(5);
    expect(begin.map((s) => s.shape)).toEqual([[5, 4], [5, 4], [5, 2]]);
    const [y, states] = stack.call(x, begin);
    const [ya, sa] = a.call(x, begin.slice(0, 2));
    const [yb, sb] = b.call(ya, begin.slice(2));
    expectClose(y, yb);
    expect(states.length).toBe(3);
    expectClose(states[1]!, sa[1]!);
    expectClose(states[2]!, sb[0]!);
  });

  it('ResidualCell adds the input; DropoutCell is the identity outside training and drops in training', () => {
    const base = new rnn.GRUCell(3, { inputSize: 3 });
    const res = new rnn.ResidualCell(base);
    init(res);
    expect(res.collectParams().size).toBe(4);
    const x = nd.random.uniform(-1, 1, [2, 4, 3]); // NTC
    expect(() => base.beginState(2)).toThrow(/modifier/);
    const [y] = res.unroll(4, x, { mergeOutputs: true });
    base.modified = false; // look behind the modifier to get the plain outputs
    const [plain] = base.unroll(4, x, { mergeOutputs: true });
    base.modified = true;
    expectClose(y, plain.add(x));

    const drop = new rnn.DropoutCell(0.5);
    const [same] = drop.unroll(4, x, { mergeOutputs: true });
    expectClose(same, x, 0);
    const dropped = autograd.record(() => drop.call(nd.ones([50, 40]), [])[0]);
    const v = values(dropped);
    expect(v.filter((e) => e === 0).length).toBeGreaterThan(500);
    expect(v.filter((e) => e === 2).length).toBeGreaterThan(500);
  });

  it('BidirectionalCell refuses to step, and unroll(validLength) masks padding and keeps the last valid state', () => {
    const l = new rnn.RNNCell(2, { inputSize: 3 });
    const r = new rnn.RNNCell(2, { inputSize: 3 });
    const bi = new rnn.BidirectionalCell(l, r);
    init(bi);
    expect(() => bi.call(nd.ones([1, 3]), bi.beginState(1))).toThrow(/unroll/);
    const x = nd.random.uniform(-1, 1, [2, 4, 3]); // NTC, lengths 4 and 2
    const valid = nd.array([4, 2]);
    const [y, states] = bi.unroll(4, x, { mergeOutputs: true, validLength: valid });
    expect(y.shape).toEqual([2, 4, 4]);
    expect(values(y).slice(16 + 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]); // row 1, steps 2 and 3
    // Row 1 alone, truncated to its two valid steps, gives the same outputs and states.
    const x1 = nd.slice(x, { begin: [1, 0, 0], end: [2, 2, 3] });
    const [y1, s1] = bi.unroll(2, x1, { mergeOutputs: true });
    expectClose(nd.slice(y, { begin: [1, 0, 0], end: [2, 2, 4] }), y1);
    expectClose(states[0]!.at(1), s1[0]!.at(0));
    expectClose(states[1]!.at(1), s1[1]!.at(0));
  });
});

describe('ZoneoutCell', () => {
  it('is the base cell outside training; with probability 1 in training it keeps the previous outputs and states', () => {
    const base = new rnn.LSTMCell(3, { inputSize: 2 });
    const zone = new rnn.ZoneoutCell(base, { zoneoutOutputs: 1, zoneoutStates: 1 });
    init(zone);
    expect(zone.toString()).toBe('ZoneoutCell(p_out=1, p_state=1, LSTMCell(2 -> 12))');
    const x = nd.random.uniform(-1, 1, [2, 3, 2]); // NTC
    const begin = [nd.full([2, 3], 0.25), nd.full([2, 3], -0.5)];
    const [y, s] = zone.unroll(3, x, { mergeOutputs: true, beginState: begin });
    base.modified = false;
    const [plain, ps] = base.unroll(3, x, { mergeOutputs: true, beginState: begin });
    base.modified = true;
    expectClose(y, plain);
    expectClose(s[1]!, ps[1]!);
    const [yt, st] = autograd.record(() => zone.unroll(3, x, { mergeOutputs: true, beginState: begin }));
    expectClose(yt, new Array<number>(18).fill(0)); // the first previous output is zeros
    expectClose(st[0]!, begin[0]!);
    expectClose(st[1]!, begin[1]!);
    expect(() => new rnn.ZoneoutCell(base)).toThrow(/already modified/);
  });
});

describe('memory', () => {
  it('a layer forward and a cell unroll leave no temporaries behind', () => {
    const layer = new rnn.LSTM(4, 2, { inputSize: 3, bidirectional: true, layout: 'NTC' });
    const cell = new rnn.SequentialRNNCell();
    cell.add(new rnn.GRUCell(4, { inputSize: 3 })).add(new rnn.ResidualCell(new rnn.RNNCell(4, { inputSize: 4 })));
    init(layer);
    init(cell);
    const x = nd.ones([2, 5, 3]);
    layer.call(x).dispose(); // first calls may allocate lasting buffers; measure the second
    const before = mx.memory().numArrays;
    layer.call(x).dispose();
    const [y, s] = layer.call(x, layer.beginState(2));
    const [yc, sc] = cell.unroll(5, x, { mergeOutputs: true });
    for (const a of [y, ...s, yc, ...sc]) a.dispose();
    // Only the two begin states made outside the layer's scope remain.
    expect(mx.memory().numArrays - before).toBe(2);
  });
});

describe('gradients', () => {
  it('flow to every parameter of a 2-layer bidirectional LSTM under autograd', () => {
    const layer = new rnn.LSTM(3, 2, { bidirectional: true, inputSize: 2, ...biasInit });
    init(layer);
    const x = nd.random.uniform(-1, 1, [3, 2, 2]);
    x.attachGrad();
    const loss = autograd.record(() => {
      const [y, [h, c]] = layer.call(x, layer.beginState(2));
      return y.square().sum().add(h!.sum()).add(c!.sum());
    });
    loss.backward();
    for (const [name, q] of layer.collectParams()) {
      const g = values(q.grad());
      expect(g.some((v) => Math.abs(v) > 1e-6), name).toBe(true);
    }
    expect(values(x.grad!).some((v) => v !== 0)).toBe(true);
  });

  it('flow through a bidirectional unroll with valid lengths to both cells', () => {
    const bi = new rnn.BidirectionalCell(new rnn.LSTMCell(2, { inputSize: 3 }), new rnn.GRUCell(2, { inputSize: 3 }));
    init(bi);
    const x = nd.random.uniform(-1, 1, [3, 4, 3]);
    autograd.record(() => bi.unroll(4, x, { mergeOutputs: true, validLength: nd.array([4, 1, 3]) })[0].square().sum()).backward();
    for (const [name, q] of bi.collectParams()) expect(values(q.grad()).some((v) => Math.abs(v) > 1e-6), name).toBe(true);
    expect(() => bi.unroll(4, x, { validLength: nd.array([5, 1, 3]) })).toThrow(/valid length must be an integer in \[0, 4\], got 5/);
  });

  it('fused and unrolled GRUs agree on the gradients', () => {
    const fused = new rnn.GRU(3, 1, { inputSize: 2, ...biasInit });
    init(fused);
    const cell = new rnn.GRUCell(3, { inputSize: 2 });
    cell.initialize();
    copyInto(cell, fused, 'l', 0);
    const x = nd.random.uniform(-1, 1, [4, 2, 2]);
    autograd.record(() => fused.call(x).square().sum()).backward();
    autograd.record(() => cell.unroll(4, x, { layout: 'TNC', mergeOutputs: true })[0].square().sum()).backward();
    for (const n of ['i2h_weight', 'h2h_weight', 'i2h_bias', 'h2h_bias']) {
      expectClose(cell.params.get(n).grad(), lp(fused, `l0_${n}`).grad(), 1e-4);
    }
  });
});

describe('sequence lengths and clipping', () => {
  it('useSequenceLength: padded steps output zeros and states stop at each row\'s last valid step', () => {
    const fused = new rnn.LSTM(2, 1, { inputSize: 3, useSequenceLength: true, ...biasInit });
    init(fused);
    const cell = new rnn.LSTMCell(2, { inputSize: 3 });
    cell.initialize();
    copyInto(cell, fused, 'l', 0);
    const x = nd.random.uniform(-1, 1, [4, 2, 3]);
    const len = nd.array([2, 4]);
    const [y, [h, c]] = fused.call(x, fused.beginState(2), len);
    const [yc, [hc, cc]] = cell.unroll(4, x, { layout: 'TNC', mergeOutputs: true, validLength: len });
    expectClose(y, yc);
    expectClose(h!.reshape(2, 2), hc!);
    expectClose(c!.reshape(2, 2), cc!);
    expect(() => fused.call(x)).toThrow(/useSequenceLength/);
  });

  it('LSTM state clipping keeps the cell state in range', () => {
    const layer = new rnn.LSTM(4, 1, { inputSize: 2, stateClipMin: -0.1, stateClipMax: 0.1 });
    init(layer);
    const [, [, c]] = layer.call(nd.full([6, 3, 2], 5), layer.beginState(3));
    const v = values(c!);
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(0.1 + 1e-7);
    expect(() => new rnn.LSTM(4, 1, { stateClipMin: 0 })).toThrow(/stateClipMax/);
  });
});

describe('errors name the layer and the shapes', () => {
  const layer = new rnn.LSTM(4, 1, { inputSize: 3 });
  layer.initialize();
  const who = `LSTM '${layer.name}'`;
  it('rejects a 2-D input', () => {
    expect(() => layer.call(nd.ones([5, 3]))).toThrow(`${who}: the input must be 3-D (TNC: T, N, C), got shape (5, 3)`);
  });
  it('rejects the wrong feature count', () => {
    expect(() => layer.call(nd.ones([5, 2, 7]))).toThrow(`${who}: the input of shape (5, 2, 7) (layout TNC) has 7 features, the layer expects 3`);
  });
  it('rejects states of the wrong shape or number', () => {
    expect(() => layer.call(nd.ones([5, 2, 3]), [nd.zeros([1, 2, 4]), nd.zeros([1, 3, 4])])).toThrow(
      `${who}: invalid recurrent state shape: expecting (1, 2, 4), got (1, 3, 4) for state 1`,
    );
    expect(() => layer.call(nd.ones([5, 2, 3]), [nd.zeros([1, 2, 4])])).toThrow(/expected 2 state array\(s\), got 1/);
    try {
      layer.call(nd.ones([5, 2, 3]), nd.zeros([1, 2, 4]));
    } catch (e) {
      expect(e).toBeInstanceOf(mx.MXNetError);
      expect((e as mx.MXNetError).kind).toBe('ValueError');
    }
  });
  it('cells check their input and states too, and bad options are refused', () => {
    const cell = new rnn.GRUCell(2, { inputSize: 3 });
    cell.initialize();
    expect(() => cell.call(nd.ones([4, 5]), cell.beginState(4))).toThrow(`GRUCell '${cell.name}': the input has 5 features (shape (4, 5)) but the cell expects 3`);
    expect(() => cell.call(nd.ones([4, 3]), [nd.ones([4, 3])])).toThrow(/state 0 has shape \(4, 3\), expected \(4, 2\)/);
    expect(() => cell.unroll(3, nd.ones([2, 4, 3]))).toThrow(/unroll length 3 does not match the 4 steps/);
    expect(() => new rnn.RNN(4, 1, { layout: 'CTN' as 'TNC' })).toThrow(/layout must be 'TNC' or 'NTC'/);
    expect(() => new rnn.RNN(4, 1, { activation: 'sigmoid' as 'relu' })).toThrow(/activation must be 'relu' or 'tanh'/);
  });
});
