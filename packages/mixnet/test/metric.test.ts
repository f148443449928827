// mx.metric against hand-computed values (MXNet 1.x docstring examples) and plain-JS reference
// implementations over several updates, reset(), create(), errors, and temporaries freed.
import { describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';
import * as metric from '../src/metric/index.js';

const nd = mx.nd;

/** Deterministic pseudo-random numbers in [0, 1) (a small LCG), independent of the engine. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function randMatrix(r: () => number, n: number, c: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: c }, () => r()));
}

function argmaxRow(row: readonly number[]): number {
  return row.reduce((best, v, i) => (v > row[best]! ? i : best), 0);
}

const DOC_PREDS = [[0.3, 0.7], [0, 1], [0.4, 0.6]];
const DOC_LABELS = [0, 1, 1];

describe('Accuracy', () => {
  it('matches a reference over several updates (argmax, same-shape labels, lists) and resets', async () => {
    const m = new metric.Accuracy();
    expect(m.get()[0]).toBe('accuracy');
    expect(Number.isNaN(m.get()[1])).toBe(true);
    const r = rng(1);
    let correct = 0;
    let total = 0;
    for (let step = 0; step < 3; step++) {
      const scores = randMatrix(r, 5, 4);
      const labels = scores.map(() => Math.floor(r() * 4));
      scores.forEach((row, i) => (correct += argmaxRow(row) === labels[i] ? 1 : 0));
      total += 5;
      m.update(nd.array(labels), nd.array(scores));
    }
    // a prediction of the label's shape is compared directly (as int32: 1.7 truncates to 1)
    m.update([nd.array([1, 2, 3])], [nd.array([1.7, 0, 3])]);
    correct += 2;
    total += 3;
    expect(m.numInst).toBe(total);
    expect(m.sumMetric).toBe(correct);
    expect(m.get()[1]).toBeCloseTo(correct / total, 12);
    expect((await m.getAsync())[1]).toBeCloseTo(correct / total, 12);
    expect(m.getNameValue()).toEqual([['accuracy', correct / total]]);
    m.reset();
    expect(m.numInst).toBe(0);
    expect(Number.isNaN(m.get()[1])).toBe(true);
    m.update(nd.array(DOC_LABELS), nd.array(DOC_PREDS));
    expect(m.get()[1]).toBeCloseTo(2 / 3, 12);
  });

  it('takes the argmax along axis and accepts (n, 1) labels', () => {
    const m = new metric.Accuracy({ axis: 0 });
    // scores (classes=3, n=2): argmax along axis 0 is [2, 0]
    m.update(nd.array([[2], [1]]), nd.array([[0, 5], [1, 2], [3, 4]]));
    expect(m.get()[1]).toBe(0.5);
  });

  it('names the metric and both shapes on a mismatch', () => {
    const m = new metric.Accuracy();
    expect(() => m.update(nd.array([0, 1, 1]), nd.array([[0.1, 0.9], [0.2, 0.8]]))).toThrow(
      /Accuracy: shape of labels \(3,\) does not match shape of predictions \(2, 2\)/,
    );
    expect(() => m.update([nd.array([0])], [nd.array([[1, 0]]), nd.array([[1, 0]])])).toThrow(/Accuracy: got 1 label arrays but 2 prediction arrays/);
    try {
      m.update(nd.array([0, 1, 1]), nd.array([[0.1, 0.9], [0.2, 0.8]]));
    } catch (e) {
      expect(e).toBeInstanceOf(mx.MXNetError);
      expect((e as mx.MXNetError).kind).toBe('ValueError');
    }
  });
});

describe('TopKAccuracy', () => {
  it('counts labels among the k best scores, with the k in its name', () => {
    const m = new metric.TopKAccuracy({ topK: 3 });
    expect(m.name).toBe('top_k_accuracy_3');
    const r = rng(7);
    let hit = 0;
    for (let step = 0; step < 2; step++) {
      const scores = randMatrix(r, 6, 5);
      const labels = scores.map(() => Math.floor(r() * 5));
      scores.forEach((row, i) => {
        const rank = row.filter((v) => v > row[labels[i]!]!).length; // 0 = best
        if (rank < 3) hit++;
      });
      m.update(nd.array(labels), nd.array(scores));
    }
    expect(m.numInst).toBe(12);
    expect(m.get()[1]).toBeCloseTo(hit / 12, 12);
  });

  it('clamps k to the number of classes and rejects k <= 1', () => {
    const m = new metric.TopKAccuracy({ topK: 10 });
    m.update(nd.array([0, 1]), nd.array([[0.1, 0.9], [0.8, 0.2]]));
    expect(m.get()[1]).toBe(1);
    expect(() => new metric.TopKAccuracy({ topK: 1 })).toThrow(/TopKAccuracy: topK must be an integer > 1/);
    expect(() => m.update(nd.array([0, 1, 2]), nd.array([[0.1, 0.9], [0.8, 0.2]]))).toThrow(/TopKAccuracy: shape of labels \(3,\)/);
  });
});

/** Confusion counts of argmax(pred) against 0/1 labels. */
function confusion(preds: number[][], labels: number[]): { tp: number; fp: number; fn: number; tn: number } {
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  preds.forEach((row, i) => {
    const p = argmaxRow(row);
    const l = labels[i]!;
    if (p === 1 && l === 1) c.tp++;
    else if (p === 1) c.fp++;
    else if (l === 1) c.fn++;
    else c.tn++;
  });
  return c;
}

function f1Of({ tp, fp, fn }: { tp: number; fp: number; fn: number }): number {
  const p = tp + fp ? tp / (tp + fp) : 0;
  const r = tp + fn ? tp / (tp + fn) : 0;
  return p + r ? (2 * p * r) / (p + r) : 0;
}

describe('F1 and MCC', () => {
  it('F1 of the MXNet docstring example is 0.8', () => {
    const m = new metric.F1();
    m.update([nd.array(DOC_LABELS)], [nd.array(DOC_PREDS)]);
    expect(m.get()[0]).toBe('f1');
    expect(m.get()[1]).toBeCloseTo(0.8, 12);
    // float64 scores with int32 labels give the same
    const m64 = new metric.F1();
    m64.update(nd.array(DOC_LABELS, { dtype: 'int32' }), nd.array(DOC_PREDS, { dtype: 'float64' }));
    expect(m64.get()[1]).toBeCloseTo(0.8, 12);
    const acc = new metric.Accuracy();
    acc.update(nd.array(DOC_LABELS, { dtype: 'int32' }), nd.array(DOC_PREDS, { dtype: 'float64' }));
    expect(acc.get()[1]).toBeCloseTo(2 / 3, 12);
  });

  it('macro averages per-update F1; micro uses all counts', async () => {
    const batches: [number[][], number[]][] = [
      [[[0.3, 0.7], [0.9, 0.1], [0.4, 0.6], [0.2, 0.8]], [1, 1, 0, 1]],
      [[[0.6, 0.4], [0.1, 0.9]], [1, 0]], // no true positive: F1 0
      [[[0.35, 0.65], [0.7, 0.3], [0.45, 0.55]], [1, 0, 0]],
    ];
    const macro = new metric.F1({ average: 'macro' });
    const micro = new metric.F1({ average: 'micro' });
    const total = { tp: 0, fp: 0, fn: 0, tn: 0 };
    let macroSum = 0;
    for (const [p, l] of batches) {
      macro.update(nd.array(l), nd.array(p));
      micro.update(nd.array(l), nd.array(p));
      const c = confusion(p, l);
      macroSum += f1Of(c);
      total.tp += c.tp;
      total.fp += c.fp;
      total.fn += c.fn;
    }
    expect(macro.numInst).toBe(3);
    expect(macro.get()[1]).toBeCloseTo(macroSum / 3, 12);
    expect((await macro.getAsync())[1]).toBeCloseTo(macroSum / 3, 12);
    expect(micro.numInst).toBe(9);
    expect(micro.get()[1]).toBeCloseTo(f1Of(total), 12);
    expect((await micro.getAsync())[1]).toBeCloseTo(f1Of(total), 12);
    expect(micro.sumMetric).toBeCloseTo(f1Of(total) * 9, 10);
    micro.reset();
    expect(Number.isNaN(micro.get()[1])).toBe(true);
  });

  it('reports labels other than 0/1 when read', () => {
    const m = new metric.F1();
    m.update(nd.array([0, 2, 1]), nd.array(DOC_PREDS));
    expect(() => m.get()).toThrow(/F1 currently only supports binary classification: 1 labels/);
    expect(() => new metric.F1({ average: 'weighted' as 'macro' })).toThrow(/F1: average must be 'macro' or 'micro', got 'weighted'/);
  });

  it('MCC matches the formula (micro and macro)', () => {
    const r = rng(11);
    const preds = randMatrix(r, 20, 2);
    const labels = preds.map(() => (r() < 0.5 ? 1 : 0));
    const c = confusion(preds, labels);
    const terms = [c.tp + c.fp, c.tp + c.fn, c.tn + c.fp, c.tn + c.fn].map((t) => t || 1);
    const expected = (c.tp * c.tn - c.fp * c.fn) / Math.sqrt(terms.reduce((a, b) => a * b, 1));
    for (const average of ['micro', 'macro'] as const) {
      const m = new metric.MCC({ average });
      m.update(nd.array(labels), nd.array(preds));
      expect(m.get()[1]).toBeCloseTo(expected, 10);
    }
    // a constant prediction: an empty marginal counts as 1, numerator 0
    const m = new metric.MCC();
    m.update(nd.array([1, 0]), nd.array([[0, 1], [0, 1]]));
    expect(m.get()[1]).toBe(0);
  });
});

describe('CrossEntropy, NegativeLogLikelihood, Perplexity, Loss', () => {
  it('CrossEntropy of the docstring example, over updates', async () => {
    const m = new metric.CrossEntropy();
    m.update([nd.array(DOC_LABELS)], [nd.array(DOC_PREDS)]);
    expect(m.get()[0]).toBe('cross-entropy');
    expect(m.get()[1]).toBeCloseTo(0.57159948, 7);
    m.update(nd.array([[1], [0]]), nd.array([[0.25, 0.75], [0.5, 0.5]]));
    const expected = (-Math.log(0.3) - Math.log(1 + 1e-12) - Math.log(0.6) - Math.log(0.75) - Math.log(0.5)) / 5;
    expect(m.numInst).toBe(5);
    expect((await m.getAsync())[1]).toBeCloseTo(expected, 7);
    const nll = new metric.NegativeLogLikelihood();
    nll.update(nd.array(DOC_LABELS), nd.array(DOC_PREDS));
    expect(nll.get()[0]).toBe('nll-loss');
    expect(nll.get()[1]).toBeCloseTo(0.57159948, 7);
    expect(() => m.update(nd.array([0, 1]), nd.array(DOC_PREDS))).toThrow(/CrossEntropy: shape of labels \(2,\) does not match shape of predictions \(3, 2\)/);
  });

  it('Perplexity of the docstring example, with an ignored label, and along another axis', () => {
    const m = new metric.Perplexity();
    m.update([nd.array(DOC_LABELS)], [nd.array(DOC_PREDS)]);
    expect(m.get()[1]).toBeCloseTo(1.77109762, 6);
    const ig = new metric.Perplexity({ ignoreLabel: 1 });
    ig.update(nd.array(DOC_LABELS), nd.array(DOC_PREDS));
    expect(ig.numInst).toBe(1); // two of three labels ignored
    expect(ig.get()[1]).toBeCloseTo(Math.exp(-Math.log(0.3)), 6);
    // probabilities along axis 0: (classes=2, n=3)
    const t = new metric.Perplexity({ axis: 0 });
    t.update(nd.array(DOC_LABELS), nd.array([[0.3, 0, 0.4], [0.7, 1, 0.6]]));
    expect(t.get()[1]).toBeCloseTo(1.77109762, 6);
    expect(() => m.update(nd.array([0, 1]), nd.array(DOC_PREDS))).toThrow(/Perplexity: shape of labels \(2,\)/);
  });

  it('Loss is the mean of every loss value seen', () => {
    const m = new metric.Loss();
    m.update(null, nd.array([1, 2, 3]));
    m.update(undefined, [nd.array([[4, 5]]), nd.array([10])]);
    expect(m.get()).toEqual(['loss', 25 / 6]);
  });
});

describe('MAE, MSE, RMSE', () => {
  it('docstring example values', () => {
    const preds = nd.array([3, -0.5, 2, 7]).reshape(4, 1);
    const labels = nd.array([2.5, 0, 2, 8]).reshape(4, 1);
    const values = (['mae', 'mse', 'rmse'] as const).map((n) => {
      const m = metric.create(n);
      m.update([labels], [preds]);
      return m.get();
    });
    expect(values[0]).toEqual(['mae', 0.5]);
    expect(values[1]).toEqual(['mse', 0.375]);
    expect(values[2]![0]).toBe('rmse');
    expect(values[2]![1]).toBeCloseTo(0.612372457, 7);
  });

  it('average per-batch errors over updates; 1-d arrays act as columns', () => {
    const r = rng(3);
    const mae = new metric.MAE();
    const mse = new metric.MSE();
    const rmse = new metric.RMSE();
    const perBatch = { mae: [] as number[], mse: [] as number[], rmse: [] as number[] };
    for (const n of [4, 7]) {
      const l = Array.from({ length: n }, () => r() * 4 - 2);
      const p = Array.from({ length: n }, () => r() * 4 - 2);
      const e = l.map((v, i) => v - p[i]!);
      perBatch.mae.push(e.reduce((a, v) => a + Math.abs(v), 0) / n);
      const ms = e.reduce((a, v) => a + v * v, 0) / n;
      perBatch.mse.push(ms);
      perBatch.rmse.push(Math.sqrt(ms));
      // labels 1-d, predictions (n, 1)
      for (const m of [mae, mse, rmse]) m.update(nd.array(l), nd.array(p).reshape(n, 1));
    }
    const mean = (xs: number[]): number => xs.reduce((a, v) => a + v, 0) / xs.length;
    expect(mae.numInst).toBe(2);
    expect(mae.get()[1]).toBeCloseTo(mean(perBatch.mae), 6);
    expect(mse.get()[1]).toBeCloseTo(mean(perBatch.mse), 6);
    expect(rmse.get()[1]).toBeCloseTo(mean(perBatch.rmse), 6);
    expect(() => mse.update(nd.array([[1, 2, 3]]), nd.array([[1, 2]]))).toThrow(/MSE: shape of labels \(1, 3\) does not match shape of predictions \(1, 2\)/);
  });
});

function pearson(x: readonly number[], y: readonly number[]): number {
  const mx_ = x.reduce((a, v) => a + v, 0) / x.length;
  const my = y.reduce((a, v) => a + v, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((v, i) => {
    sxy += (v - mx_) * (y[i]! - my);
    sxx += (v - mx_) ** 2;
    syy += (y[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe('PearsonCorrelation', () => {
  it('macro averages per-pair correlations; micro correlates everything', async () => {
    const r = rng(5);
    const batches = [6, 9].map((n) => {
      const l = Array.from({ length: n }, () => 100 + r() * 10);
      const p = l.map((v) => v * 0.5 + r() * 4);
      return [l, p] as const;
    });
    const macro = new metric.PearsonCorrelation();
    const micro = metric.create('pearsonr', { average: 'micro' });
    for (const [l, p] of batches) {
      macro.update(nd.array(l), nd.array(p));
      micro.update(nd.array(rows2(l)), nd.array(rows2(p)));
    }
    expect(macro.get()[0]).toBe('pearsonr');
    expect(macro.get()[1]).toBeCloseTo((pearson(...batches[0]!) + pearson(...batches[1]!)) / 2, 6);
    const all = [[...batches[0]![0], ...batches[1]![0]], [...batches[0]![1], ...batches[1]![1]]] as const;
    expect(micro.get()[1]).toBeCloseTo(pearson(all[0], all[1]), 6);
    expect((await micro.getAsync())[1]).toBeCloseTo(pearson(all[0], all[1]), 6);
    const split = new metric.PearsonCorrelation({ average: 'micro' });
    split.update(nd.array(batches[0]![0]), nd.array(batches[0]![1]));
    split.resetLocal();
    split.update(nd.array(batches[1]![0]), nd.array(batches[1]![1]));
    expect(split.get()[1]).toBeCloseTo(pearson(...batches[1]!), 6);
    expect(split.getGlobal()[1]).toBeCloseTo(pearson(all[0], all[1]), 6);
    micro.reset();
    expect(Number.isNaN(micro.get()[1])).toBe(true);
    expect(() => macro.update(nd.array([1, 2, 3]), nd.array([[1, 2, 3]]))).toThrow(/PearsonCorrelation: shape of labels \(3,\) does not match shape of predictions \(1, 3\)/);
  });
});

/** (n/3, 3) rows of a flat list whose length is a multiple of 3. */
function rows2(flat: readonly number[]): number[][] {
  return Array.from({ length: flat.length / 3 }, (_, i) => flat.slice(i * 3, i * 3 + 3));
}

describe('CustomMetric and np', () => {
  it('engine-side feval (array, or [sum, count]) and plain-number feval', () => {
    const sumAbsErr = (label: mx.NDArray, pred: mx.NDArray): [mx.NDArray, number] => [nd.sum(nd.abs(nd.broadcast_sub(label, pred))), label.size];
    const m = metric.create(sumAbsErr);
    expect(m).toBeInstanceOf(metric.CustomMetric);
    expect(m.name).toBe('custom(sumAbsErr)');
    m.update(nd.array([1, 2, 3]), nd.array([1.5, 2, 1]));
    m.update([nd.array([0])], [nd.array([4])]);
    expect(m.get()[1]).toBeCloseTo((0.5 + 0 + 2 + 4) / 4, 6);
    const perBatch = new metric.CustomMetric((l, p) => nd.max(nd.broadcast_sub(p, l)), { name: 'maxgap' });
    perBatch.update(nd.array([1, 2]), nd.array([3, 2]));
    perBatch.update(nd.array([1, 2]), nd.array([1, 7]));
    expect(perBatch.get()).toEqual(['maxgap', 3.5]);
    const mean = metric.np(function meanDiff(l, p) {
      let s2 = 0;
      for (let i = 0; i < l.length; i++) s2 += Number(p[i]) - Number(l[i]);
      return s2 / l.length;
    });
    expect(mean.name).toBe('custom(meanDiff)');
    mean.update(nd.array([1, 2]), nd.array([2, 4]));
    mean.update(nd.array([0]), nd.array([0]));
    expect(mean.get()[1]).toBeCloseTo(0.75, 12);
    expect(() => mean.update([nd.array([1])], [nd.array([1]), nd.array([2])])).toThrow(/custom\(meanDiff\): got 1 label arrays but 2 prediction arrays/);
    const extra = metric.np((l, p) => Number(p[0]) - Number(l[0]), { allowExtraOutputs: true });
    extra.update([nd.array([1])], [nd.array([3]), nd.array([9])]);
    expect(extra.get()).toEqual(['custom', 2]);
  });
});

describe('CompositeEvalMetric and create', () => {
  it('updates every child and lists names and values', async () => {
    const c = metric.create(['acc', 'ce', new metric.F1()]);
    expect(c).toBeInstanceOf(metric.CompositeEvalMetric);
    c.update([nd.array(DOC_LABELS)], [nd.array(DOC_PREDS)]);
    const [names, values] = c.get();
    expect(names).toEqual(['accuracy', 'cross-entropy', 'f1']);
    expect(values[0]).toBeCloseTo(2 / 3, 12);
    expect(values[1]).toBeCloseTo(0.57159948, 7);
    expect(values[2]).toBeCloseTo(0.8, 12);
    expect(await c.getAsync()).toEqual(c.get());
    expect(c.getNameValue().map(([n]) => n)).toEqual(names);
    expect(c.getMetric(1).name).toBe('cross-entropy');
    expect(() => c.getMetric(3)).toThrow(/metric index 3 is out of range for 3 metrics/);
    c.reset();
    expect(c.get()[1].every(Number.isNaN)).toBe(true);
  });

  it('updateDict selects arrays by labelNames / outputNames', () => {
    const acc = new metric.Accuracy();
    acc.outputNames = ['softmax_output'];
    acc.labelNames = ['softmax_label'];
    const wrong = nd.array([[1, 0], [1, 0], [1, 0]]);
    acc.updateDict({ other_label: nd.array([0, 0, 0]), softmax_label: nd.array(DOC_LABELS) }, { aux: wrong, softmax_output: nd.array(DOC_PREDS) });
    expect(acc.get()[1]).toBeCloseTo(2 / 3, 12);
    expect(() => acc.updateDict({ softmax_label: nd.array(DOC_LABELS) }, { out: wrong })).toThrow(/accuracy: no output named 'softmax_output' \(have: out\)/);
    const c = metric.create(['acc', 'ce']);
    c.updateDict({ l: nd.array(DOC_LABELS) }, { p: nd.array(DOC_PREDS) });
    expect(c.get()[1][0]).toBeCloseTo(2 / 3, 12);
  });

  it('create knows MXNet names and aliases, passes options, and rejects unknown names', () => {
    expect(metric.create('acc')).toBeInstanceOf(metric.Accuracy);
    expect(metric.create('Accuracy')).toBeInstanceOf(metric.Accuracy);
    expect(metric.create('top_k_accuracy', { topK: 5 }).name).toBe('top_k_accuracy_5');
    expect(metric.create('ce')).toBeInstanceOf(metric.CrossEntropy);
    expect(metric.create('nll_loss')).toBeInstanceOf(metric.NegativeLogLikelihood);
    expect(metric.create('perplexity')).toBeInstanceOf(metric.Perplexity);
    expect(metric.create('f1', { average: 'micro' })).toMatchObject({ average: 'micro' });
    expect(metric.create('loss')).toBeInstanceOf(metric.Loss);
    const acc = new metric.Accuracy();
    expect(metric.create(acc)).toBe(acc);
    expect(() => metric.create('nope')).toThrow(/metric.create: unknown metric 'nope'/);
  });
});

describe('local and global statistics', () => {
  it('resetLocal() starts new local statistics; getGlobal() covers everything since reset()', async () => {
    const batchA = [nd.array([0, 1, 1]), nd.array(DOC_PREDS)] as const; // 2 of 3 right
    const batchB = [nd.array([1, 0]), nd.array([[0.2, 0.8], [0.1, 0.9]])] as const; // 1 of 2 right
    const acc = new metric.Accuracy();
    acc.update(...batchA);
    acc.resetLocal();
    acc.update(...batchB);
    expect(acc.get()[1]).toBeCloseTo(1 / 2, 12);
    expect(acc.numInst).toBe(2);
    expect(acc.getGlobal()[1]).toBeCloseTo(3 / 5, 12);
    expect((await acc.getGlobalAsync())[1]).toBeCloseTo(3 / 5, 12);
    expect(acc.getGlobalNameValue()).toEqual([['accuracy', acc.getGlobal()[1]]]);
    acc.resetLocal();
    expect(Number.isNaN(acc.get()[1])).toBe(true);
    expect(acc.getGlobal()[1]).toBeCloseTo(3 / 5, 12);
    acc.reset();
    expect(Number.isNaN(acc.getGlobal()[1])).toBe(true);

    // F1 micro: counts carry over; Perplexity: the data-dependent count carries over too
    const f1 = new metric.F1({ average: 'micro' });
    const ppl = new metric.Perplexity({ ignoreLabel: 1 });
    const custom = metric.np((l) => l.length);
    for (const m of [f1, ppl, custom]) {
      m.update(...batchA);
      m.resetLocal();
      m.update(...batchB);
    }
    const all = confusion([...DOC_PREDS, [0.2, 0.8], [0.1, 0.9]], [0, 1, 1, 1, 0]);
    const local = confusion([[0.2, 0.8], [0.1, 0.9]], [1, 0]);
    expect(f1.get()[1]).toBeCloseTo(f1Of(local), 12);
    expect(f1.getGlobal()[1]).toBeCloseTo(f1Of(all), 12);
    expect((await f1.getGlobalAsync())[1]).toBeCloseTo(f1Of(all), 12);
    // labels equal to 1 are ignored: batch A keeps p=0.3 (label 0), batch B keeps p=0.1 (label 0)
    expect(ppl.get()[1]).toBeCloseTo(10, 5);
    expect(ppl.getGlobal()[1]).toBeCloseTo(Math.exp(-(Math.log(0.3) + Math.log(0.1)) / 2), 6);
    expect(custom.get()[1]).toBe(2);
    expect(custom.getGlobal()[1]).toBe(2.5);

    const c = metric.create(['acc', 'mae']);
    c.update(nd.array([1, 2]), nd.array([1, 0]));
    c.resetLocal();
    c.update(nd.array([1, 2]), nd.array([1, 2]));
    expect(c.get()).toEqual([['accuracy', 'mae'], [1, 0]]);
    expect(c.getGlobal()).toEqual([['accuracy', 'mae'], [0.75, 0.5]]);
    expect(await c.getGlobalAsync()).toEqual(c.getGlobal());
  });
});

describe('engine-side accumulation', () => {
  it('update() frees its temporaries: only the accumulators stay', () => {
    const labels = nd.array(DOC_LABELS);
    const preds = nd.array(DOC_PREDS);
    const metrics: metric.AnyMetric[] = [
      new metric.Accuracy(),
      new metric.F1(),
      new metric.MCC({ average: 'micro' }),
      new metric.Perplexity({ ignoreLabel: 0 }),
      new metric.RMSE(),
      new metric.TopKAccuracy({ topK: 2 }),
      new metric.CrossEntropy(),
      new metric.PearsonCorrelation({ average: 'micro' }),
      new metric.CustomMetric((l, p) => mx.tidy(() => nd.sum(nd.broadcast_sub(p, l)))), // the sum is disposed by the metric
      metric.create(['acc', 'mae']),
    ];
    const column = preds.slice([0, 1], [null, 2]).reshape([-1]); // same shape as labels
    const updateAll = (): void => {
      for (const m of metrics) {
        if (m instanceof metric.PearsonCorrelation || m instanceof metric.CustomMetric) m.update(labels, column);
        else m.update(labels, preds);
      }
    };
    updateAll(); // allocates the accumulators
    mx.nd.waitAllSync();
    const before = mx.memory().numArrays;
    for (let i = 0; i < 5; i++) updateAll();
    mx.nd.waitAllSync();
    expect(mx.memory().numArrays).toBe(before);
    expect(metrics[0]!.get()[1]).toBeCloseTo(2 / 3, 12);
    for (const m of metrics) m.dispose();
  });

  it('update() only queues work: it returns while the engine is still computing the predictions', () => {
    const a = nd.random.uniform(0, 1, [1200, 1200]);
    const labels = nd.array(Array.from({ length: 1200 }, (_, i) => i % 2));
    nd.waitAllSync();
    const metrics = [new metric.Accuracy(), new metric.F1(), new metric.CrossEntropy(), new metric.Perplexity({ ignoreLabel: 0 })];
    // predictions that depend on a slow product: reading them would wait for it
    const preds = nd.softmax(nd.slice(nd.dot(a, a), { begin: [0, 0], end: [null, 2] }));
    const t0 = performance.now();
    for (const m of metrics) m.update(labels, preds);
    const t1 = performance.now();
    nd.waitAllSync();
    const t2 = performance.now();
    expect(t1 - t0).toBeLessThan(t2 - t1);
    // temporaries were disposed while the engine still needed them: the values are still right
    const p = Array.from(preds.dataSync() as Float32Array);
    const lab = Array.from(labels.dataSync() as Float32Array);
    const correct = lab.filter((l, i) => (p[2 * i + 1]! > p[2 * i]! ? 1 : 0) === l).length;
    expect(metrics[0]!.get()[1]).toBeCloseTo(correct / 1200, 12);
    const ce = lab.reduce((acc, l, i) => acc - Math.log(p[2 * i + l]! + 1e-12), 0) / 1200;
    expect(metrics[2]!.get()[1]).toBeCloseTo(ce, 4);
    for (const m of metrics) m.dispose();
  });

  it('is not recorded by autograd and survives an enclosing tidy()', () => {
    const x = nd.array(DOC_PREDS);
    x.attachGrad();
    const m = new metric.CrossEntropy();
    mx.tidy(() => {
      mx.autograd.record(() => m.update(nd.array(DOC_LABELS), x.mul(1)));
    });
    expect(m.get()[1]).toBeCloseTo(0.57159948, 7);
  });
});
