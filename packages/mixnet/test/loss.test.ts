// gluon.loss against plain-JS formulas written here (values per sample, weight, sampleWeight,
// sparse and dense labels, batchAxis), and gradients through mx.autograd against central finite
// differences of those formulas.
import { describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';
import { HybridBlock } from '../src/gluon/block.js';
import * as gloss from '../src/gluon/loss/index.js';

const nd = mx.nd;

function list(a: mx.NDArray | undefined): number[] {
  if (!a) throw new Error('no array');
  return Array.from(a.dataSync() as ArrayLike<number>);
}

function expectClose(actual: readonly number[], expected: readonly number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    const e = expected[i]!;
    if (Math.abs(v - e) > tol * Math.max(1, Math.abs(e))) {
      throw new Error(`element ${i}: got ${v}, expected ${e} (all: ${actual.join(', ')} vs ${expected.join(', ')})`);
    }
  });
}

/** Deterministic numbers in [lo, hi) (an LCG), independent of the engine. */
function rand(seed: number, n: number, lo = -2, hi = 2): number[] {
  let x = seed >>> 0;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return lo + (hi - lo) * (x / 2 ** 32);
  });
}

function rows(flat: readonly number[], c: number): number[][] {
  return Array.from({ length: flat.length / c }, (_, i) => flat.slice(i * c, (i + 1) * c));
}

function logSoftmax(row: readonly number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const mean = (xs: readonly number[]): number => xs.reduce((a, v) => a + v, 0) / xs.length;

/**
 * Checks d(sum of loss outputs)/d pred from autograd against central differences of `ref`
 * (the per-sample losses as a plain-JS function of the flat prediction).
 */
function checkGradient(
  predFlat: readonly number[],
  shape: readonly number[],
  forward: (pred: mx.NDArray) => mx.NDArray,
  ref: (pred: readonly number[]) => number[],
  tol = 2e-3,
): void {
  const pred = nd.array(new Float32Array(predFlat), { shape });
  pred.attachGrad();
  const out = mx.autograd.record(() => forward(pred));
  out.backward();
  const f32 = Array.from(new Float32Array(predFlat)); // the values the engine saw
  const h = 1e-4;
  const numeric = f32.map((_, i) => {
    const up = [...f32];
    const down = [...f32];
    up[i]! += h;
    down[i]! -= h;
    return (ref(up).reduce((a, v) => a + v, 0) - ref(down).reduce((a, v) => a + v, 0)) / (2 * h);
  });
  expectClose(list(pred.grad), numeric, tol);
}

describe('Loss base', () => {
  it('losses are HybridBlocks without parameters, called with call()', () => {
    const l = new gloss.L1Loss();
    expect(l).toBeInstanceOf(HybridBlock);
    expect(l).toBeInstanceOf(gloss.Loss);
    expect(l.collectParams().size).toBe(0);
    expect(l.weight).toBeNull();
    expect(l.batchAxis).toBe(0);
    expect(new gloss.L2Loss().weight).toBe(1);
    expect(gloss.SoftmaxCELoss).toBe(gloss.SoftmaxCrossEntropyLoss);
    expect(gloss.SigmoidBCELoss).toBe(gloss.SigmoidBinaryCrossEntropyLoss);
    expect(() => new gloss.L1Loss({ weight: 'x' as unknown as number })).toThrow(/L1Loss: weight must be a number, got x/);
  });

  it('label shape errors name the loss and both shapes', () => {
    const l = new gloss.L2Loss();
    expect(() => l.call(nd.ones([2, 3]), nd.ones([5]))).toThrow(/L2Loss: label of shape \(5,\) cannot be reshaped to the prediction shape \(2, 3\)/);
  });
});

describe('SoftmaxCrossEntropyLoss', () => {
  const C = 4;
  const predFlat = rand(1, 3 * C, -3, 3);
  const labels = [0, 3, 1];
  const refSparse = (p: readonly number[]): number[] => rows(p, C).map((r, i) => -logSoftmax(r)[labels[i]!]!);

  it('sparse labels, weight and sampleWeight', () => {
    const pred = nd.array(rows(predFlat, C));
    const plain = new gloss.SoftmaxCrossEntropyLoss().call(pred, nd.array(labels));
    expect(plain.shape).toEqual([3]);
    expectClose(list(plain), refSparse(predFlat));
    // integer class labels pick the same entries
    expectClose(list(new gloss.SoftmaxCrossEntropyLoss().call(pred, nd.array(labels, { dtype: 'int32' }))), refSparse(predFlat));
    const sw = [0.5, 2, 0];
    const weighted = new gloss.SoftmaxCELoss({ weight: 3 }).call(pred, nd.array(labels), nd.array(sw.map((v) => [v])));
    expectClose(list(weighted), refSparse(predFlat).map((v, i) => 3 * sw[i]! * v));
  });

  it('dense labels and fromLogits', () => {
    const dense = rows(rand(2, 3 * C, 0, 1), C).map((r) => r.map((v) => v / r.reduce((a, x) => a + x, 0)));
    const expected = rows(predFlat, C).map((r, i) => -logSoftmax(r).reduce((a, lp, j) => a + lp * dense[i]![j]!, 0));
    const loss = new gloss.SoftmaxCrossEntropyLoss({ sparseLabel: false });
    expectClose(list(loss.call(nd.array(rows(predFlat, C)), nd.array(dense))), expected);
    // a flat dense label is reshaped like the prediction
    expectClose(list(loss.call(nd.array(rows(predFlat, C)), nd.array(dense.flat()))), expected);
    const logp = rows(predFlat, C).map(logSoftmax);
    const fromLogits = new gloss.SoftmaxCrossEntropyLoss({ fromLogits: true }).call(nd.array(logp), nd.array(labels));
    expectClose(list(fromLogits), refSparse(predFlat));
  });

  it('class axis 1 of (batch, classes, time): the mean over time per sample', () => {
    const p = rand(3, 2 * 3 * 2); // (2, 3, 2)
    const lab = [[2, 0], [1, 1]];
    const at = (b: number, c: number, t: number): number => p[b * 6 + c * 2 + t]!;
    const expected = [0, 1].map((b) =>
      mean([0, 1].map((t) => -logSoftmax([0, 1, 2].map((c) => at(b, c, t)))[lab[b]![t]!]!)),
    );
    const out = new gloss.SoftmaxCrossEntropyLoss({ axis: 1 }).call(nd.array(new Float32Array(p), { shape: [2, 3, 2] }), nd.array(lab));
    expectClose(list(out), expected);
  });

  it('gradient matches finite differences (sparse and dense)', () => {
    const loss = new gloss.SoftmaxCrossEntropyLoss();
    checkGradient(predFlat, [3, C], (p) => loss.call(p, nd.array(labels)), refSparse);
    const dense = rows(rand(4, 3 * C, 0, 1), C);
    const denseLoss = new gloss.SoftmaxCrossEntropyLoss({ sparseLabel: false, weight: 0.5 });
    checkGradient(
      predFlat,
      [3, C],
      (p) => denseLoss.call(p, nd.array(dense)),
      (p) => rows(p, C).map((r, i) => -0.5 * logSoftmax(r).reduce((a, lp, j) => a + lp * dense[i]![j]!, 0)),
    );
  });
});

describe('SigmoidBinaryCrossEntropyLoss', () => {
  const x = [-60, -2.5, -0.3, 0, 0.7, 3, 45, 1.2];
  const y = [0, 1, 1, 0, 1, 0, 1, 0.25];
  const refLogits = (p: readonly number[], w = 1): number[] =>
    // -(w * y * log sigmoid(x) + (1 - y) * log(1 - sigmoid(x)))
    [0, 1].map((b) => mean([0, 1, 2, 3].map((j) => {
      const i = b * 4 + j;
      return w * y[i]! * softplus(-p[i]!) + (1 - y[i]!) * softplus(p[i]!);
    })));

  it('from logits: stable for large |x|, weights', () => {
    const pred = nd.array(rows(x, 4));
    const out = new gloss.SigmoidBinaryCrossEntropyLoss().call(pred, nd.array(rows(y, 4)));
    const v = list(out);
    expect(v.every(Number.isFinite)).toBe(true);
    expectClose(v, refLogits(x));
    const sw = nd.array([[2], [0.5]]);
    expectClose(list(new gloss.SigmoidBCELoss({ weight: 0.1 }).call(pred, nd.array(y), sw)), refLogits(x).map((v2, i) => 0.1 * [2, 0.5][i]! * v2));
  });

  it('posWeight from the constructor or as a forward input', () => {
    const pred = nd.array(rows(x, 4));
    const label = nd.array(rows(y, 4));
    expectClose(list(new gloss.SigmoidBCELoss({ posWeight: 3 }).call(pred, label)), refLogits(x, 3));
    expectClose(list(new gloss.SigmoidBCELoss().call(pred, label, undefined, nd.array([3]))), refLogits(x, 3));
  });

  it('fromSigmoid takes probabilities (eps 1e-12 inside the logs)', () => {
    const p = [0.1, 0.9, 0.5, 0.999, 0.02, 0.7];
    const lab = [0, 1, 1, 0, 1, 0];
    const expected = [0, 1].map((b) => mean([0, 1, 2].map((j) => {
      const i = b * 3 + j;
      return -(Math.log(p[i]! + 1e-12) * lab[i]! + Math.log(1 - p[i]! + 1e-12) * (1 - lab[i]!));
    })));
    expectClose(list(new gloss.SigmoidBCELoss({ fromSigmoid: true }).call(nd.array(rows(p, 3)), nd.array(rows(lab, 3)))), expected, 1e-4);
    const withPos = [0, 1].map((b) => mean([0, 1, 2].map((j) => {
      const i = b * 3 + j;
      return -(2 * Math.log(p[i]! + 1e-12) * lab[i]! + Math.log(1 - p[i]! + 1e-12) * (1 - lab[i]!));
    })));
    expectClose(list(new gloss.SigmoidBCELoss({ fromSigmoid: true, posWeight: 2 }).call(nd.array(rows(p, 3)), nd.array(rows(lab, 3)))), withPos, 1e-4);
  });

  it('gradient matches finite differences, with and without posWeight', () => {
    const moderate = [-4, -2.5, -0.3, 0.01, 0.7, 3, 5, 1.2];
    checkGradient(moderate, [2, 4], (p) => new gloss.SigmoidBCELoss().call(p, nd.array(rows(y, 4))), (p) => refLogits(p));
    checkGradient(moderate, [2, 4], (p) => new gloss.SigmoidBCELoss({ posWeight: 2.5 }).call(p, nd.array(rows(y, 4))), (p) => refLogits(p, 2.5));
  });
});

describe('regression losses', () => {
  const pred = [0.5, -1, 2, 3.5, 0, -0.2];
  const label = [1, -1, 0, 1, 0.3, 0.1];

  it('L2Loss is 0.5 * squared error (weight 1), L1Loss the absolute error', () => {
    const l2 = new gloss.L2Loss().call(nd.array(rows(pred, 3)), nd.array(rows(label, 3)));
    const sq = pred.map((p, i) => (label[i]! - p) ** 2);
    expectClose(list(l2), [mean(sq.slice(0, 3)) / 2, mean(sq.slice(3)) / 2]);
    const l2w = new gloss.L2Loss({ weight: 4 }).call(nd.array(rows(pred, 3)), nd.array(rows(label, 3)), nd.array([[1], [0.5]]));
    expectClose(list(l2w), [2 * mean(sq.slice(0, 3)), 0.5 * 2 * mean(sq.slice(3))]);
    const ab = pred.map((p, i) => Math.abs(label[i]! - p));
    expectClose(list(new gloss.L1Loss().call(nd.array(rows(pred, 3)), nd.array(label))), [mean(ab.slice(0, 3)), mean(ab.slice(3))]);
  });

  it('batchAxis 1 averages over axis 0 instead', () => {
    const out = new gloss.L1Loss({ batchAxis: 1 }).call(nd.array(rows(pred, 3)), nd.array(rows(label, 3)));
    const ab = pred.map((p, i) => Math.abs(label[i]! - p));
    expect(out.shape).toEqual([3]);
    expectClose(list(out), [0, 1, 2].map((j) => (ab[j]! + ab[3 + j]!) / 2));
  });

  it('HuberLoss on both sides of rho, and its gradient across the kink', () => {
    const rho = 0.5;
    const huber = (p: readonly number[]): number[] =>
      [0, 1].map((b) => mean([0, 1, 2].map((j) => {
        const e = Math.abs(label[b * 3 + j]! - p[b * 3 + j]!);
        return e > rho ? e - 0.5 * rho : (0.5 / rho) * e * e;
      })));
    const loss = new gloss.HuberLoss({ rho });
    expectClose(list(loss.call(nd.array(rows(pred, 3)), nd.array(rows(label, 3)))), huber(pred));
    // errors just inside and just outside rho, on both signs
    const nearKink = [1 - 0.45, -1 + 0.55, 0.4, 1 - 0.6, 0.3 + 0.52, 0.1 - 0.3];
    checkGradient(nearKink, [2, 3], (p) => loss.call(p, nd.array(rows(label, 3))), huber);
    expect(() => new gloss.HuberLoss({ rho: 0 })).toThrow(/HuberLoss: rho must be > 0, got 0/);
  });
});

describe('values Apache MXNet 1.9.1 computed', () => {
  // Outputs of Apache MXNet 1.9.1 (PyPI) for these inputs, rounded to 5 decimals.
  it('KLDivLoss sums, CosineEmbeddingLoss keeps a column, PoissonNLLLoss averages everything', () => {
    const p = nd.array([[-1, -2, -0.5, -3], [-0.2, -1, -2, -1]]);
    const q = nd.array([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]]);
    expectClose(list(new gloss.KLDivLoss().call(p, q)), [0.57015, -0.33629], 1e-4);
    expectClose(list(new gloss.KLDivLoss().call(p, q, nd.array([[1], [2]]))), [0.57015, -0.67259], 1e-4);
    expectClose(list(new gloss.KLDivLoss({ fromLogits: false }).call(p, q)), [0.71816, 0.18833], 1e-4);
    const x1 = nd.array([[1, 2, 0], [0, 1, 1]]);
    const x2 = nd.array([[2, 1, 0], [0, -1, -1]]);
    const cos = new gloss.CosineEmbeddingLoss().call(x1, x2, nd.array([1, -1]));
    expect(cos.shape).toEqual([2, 1]);
    expectClose(list(cos), [0.2, 0], 1e-4);
    expectClose(list(new gloss.CosineEmbeddingLoss({ margin: 0.5 }).call(x1, x2, nd.array([-1, -1]))), [0.3, 0], 1e-4);
    const pois = new gloss.PoissonNLLLoss().call(nd.array([[1, 2], [0.5, 1]]), nd.array([[1, 0], [2, 1]]));
    expect(pois.shape).toEqual([1]);
    expectClose(list(pois), [2.86858], 1e-4);
  });
});

describe('KLDivLoss, hinge and logistic losses, CosineEmbeddingLoss', () => {
  it('KLDivLoss from log-probabilities and from logits', () => {
    const logits = rand(5, 6, -1, 1);
    const target = rows(rand(6, 6, 0.1, 1), 3).map((r) => r.map((v) => v / r.reduce((a, x) => a + x, 0)));
    const expected = rows(logits, 3).map((r, i) => {
      const lp = logSoftmax(r);
      // summed over the sample, as MXNet 1.9.1 does (its other losses average)
      return lp.reduce((acc, v, j) => acc + target[i]![j]! * (Math.log(target[i]![j]! + 1e-12) - v), 0);
    });
    const logp = rows(logits, 3).map(logSoftmax);
    expectClose(list(new gloss.KLDivLoss().call(nd.array(logp), nd.array(target))), expected);
    expectClose(list(new gloss.KLDivLoss({ fromLogits: false }).call(nd.array(rows(logits, 3)), nd.array(target))), expected);
  });

  it('HingeLoss, SquaredHingeLoss, LogisticLoss (signed and binary labels)', () => {
    const pred = [0.3, -2, 1.5, -0.5];
    const signed = [1, -1, -1, 1];
    const hinge = pred.map((p, i) => Math.max(0, 1 - p * signed[i]!));
    const args = [nd.array(rows(pred, 2)), nd.array(rows(signed, 2))] as const;
    expectClose(list(new gloss.HingeLoss().call(...args)), [mean(hinge.slice(0, 2)), mean(hinge.slice(2))]);
    const sqh = hinge.map((h) => h * h);
    expectClose(list(new gloss.SquaredHingeLoss().call(...args)), [mean(sqh.slice(0, 2)), mean(sqh.slice(2))]);
    const m2 = pred.map((p, i) => Math.max(0, 2 - p * signed[i]!));
    expectClose(list(new gloss.HingeLoss({ margin: 2 }).call(...args)), [mean(m2.slice(0, 2)), mean(m2.slice(2))]);
    const logistic = pred.map((p, i) => Math.log1p(Math.exp(-p * signed[i]!)));
    const expected = [mean(logistic.slice(0, 2)), mean(logistic.slice(2))];
    expectClose(list(new gloss.LogisticLoss().call(...args)), expected);
    const binary = signed.map((s) => (s + 1) / 2);
    expectClose(list(new gloss.LogisticLoss({ labelFormat: 'binary' }).call(args[0], nd.array(rows(binary, 2)))), expected);
    expect(() => new gloss.LogisticLoss({ labelFormat: 'x' as 'signed' })).toThrow(/LogisticLoss: labelFormat can only be 'signed' or 'binary', got 'x'/);
  });

  it('CosineEmbeddingLoss: 1 - cos for label 1, clip(cos - margin, 0, 1 - margin) otherwise', () => {
    const a = [[1, 0, 1], [0.5, 2, -1], [1, 1, 1], [1, 2, 0]];
    const b = [[1, 1, 0], [-0.5, -1, 1], [2, 2, 2], [1, 0.5, 0.2]];
    const label = [1, -1, -1, -1];
    const margin = 0.2;
    const ref = (flatA: readonly number[]): number[] =>
      rows(flatA, 3).map((r, i) => {
        const dot = r.reduce((s2, v, j) => s2 + v * b[i]![j]!, 0);
        const c = dot / (Math.hypot(...r) * Math.hypot(...b[i]!));
        return label[i] === 1 ? 1 - c : Math.min(Math.max(c - margin, 0), 1 - margin);
      });
    const loss = new gloss.CosineEmbeddingLoss({ margin });
    const out = loss.call(nd.array(a), nd.array(b), nd.array(label));
    expect(out.shape).toEqual([4, 1]); // one column, as MXNet 1.9.1 returns it
    // row 2 is parallel (cos 1, clipped to 1 - margin), row 1 anti-parallel-ish (clipped to 0)
    expectClose(list(out), ref(a.flat()));
    const a2 = [[1, 0, 1], [0.5, 2, -1], [1, 0.7, 1.3], [1, 2, 0]];
    checkGradient(a2.flat(), [4, 3], (p) => loss.call(p, nd.array(b), nd.array(label)), ref);
  });

  it('TripletLoss sums squared distances per sample; relu(d+ - d- + margin)', () => {
    const pred = [[0, 0], [1, 1], [2, -1]];
    const pos = [[0.5, 0], [1, 2], [2, -1]];
    const neg = [[0, 2], [1, 1.2], [5, 5]];
    const sqd = (u: readonly number[], v: readonly number[]): number => u.reduce((s2, x, j) => s2 + (x - v[j]!) ** 2, 0);
    const expected = pred.map((p, i) => Math.max(0, sqd(pos[i]!, p) - sqd(neg[i]!, p) + 1));
    const out = new gloss.TripletLoss().call(nd.array(pred), nd.array(pos), nd.array(neg));
    expectClose(list(out), expected);
    const weighted = new gloss.TripletLoss({ margin: 0.5, weight: 2 }).call(nd.array(pred), nd.array(pos), nd.array(neg), nd.array([1, 0, 3]));
    expectClose(list(weighted), pred.map((p, i) => 2 * [1, 0, 3][i]! * Math.max(0, sqd(pos[i]!, p) - sqd(neg[i]!, p) + 0.5)));
  });

  it('PoissonNLLLoss from log rates, from rates, and with the Stirling term', () => {
    const pred = [0.5, -1, 2, 0.1];
    const target = [1, 0, 3, 2];
    // MXNet 1.9.1 returns the mean over every element, shape [1]
    const meanRows = (v: readonly number[]): number[] => [mean(v)];
    const fromLogits = pred.map((p, i) => Math.exp(p) - target[i]! * p);
    const args = [nd.array(rows(pred, 2)), nd.array(rows(target, 2))] as const;
    expectClose(list(new gloss.PoissonNLLLoss().call(...args)), meanRows(fromLogits));
    const rates = [0.5, 1e-3, 2, 0.1];
    const fromRates = rates.map((p, i) => p - target[i]! * Math.log(p + 1e-8));
    expectClose(list(new gloss.PoissonNLLLoss({ fromLogits: false }).call(nd.array(rows(rates, 2)), args[1])), meanRows(fromRates), 1e-4);
    const stirling = target.map((t) => (t > 1 ? t * Math.log(t) - t + 0.5 * Math.log(2 * Math.PI * t) : 0));
    const full = new gloss.PoissonNLLLoss({ computeFull: true }).call(...args);
    expectClose(list(full), meanRows(fromLogits.map((v, i) => v + stirling[i]!)));
  });

  it('SDMLLoss: KL between softmax(-distances) and the smoothed identity', () => {
    const x1 = [[0, 1], [1, 0], [1, 1]];
    const x2 = [[0, 0.9], [1.1, 0], [0.8, 1]];
    const n = 3;
    const s = 0.3;
    const expected = x1.map((u, i) => {
      const logp = logSoftmax(x2.map((v) => -u.reduce((acc, x, j) => acc + (x - v[j]!) ** 2, 0)));
      return logp.reduce((acc, lp, j) => {
        const t = i === j ? 1 - s : s / (n - 1);
        return acc + t * (Math.log(t + 1e-12) - lp);
      }, 0);
    });
    expectClose(list(new gloss.SDMLLoss().call(nd.array(x1), nd.array(x2))), expected);
    expect(() => new gloss.SDMLLoss().call(nd.array([[1, 2]]), nd.array([[1, 2]]))).toThrow(/SDMLLoss: needs a batch of at least 2 pairs, got 1/);
  });
});
