// CustomMetric and np() (MXNet 1.x): a metric from a user function of (label, pred).
import { type DTypeArray } from '../dtype.js';
import { fail } from '../errors.js';
import { NDArray } from '../ndarray.js';
import { type Arrays, EvalMetric, pairUp } from './base.js';

/** A batch's value, or [sum, count] to add (MXNet's tuple return). Arrays stay on the engine. */
export type CustomValue = NDArray | number | readonly [NDArray | number, number];
export type FEval = (label: NDArray, pred: NDArray) => CustomValue;

export interface CustomMetricOptions {
  /** Default: 'custom(<function name>)', or 'custom' for an anonymous function. */
  name?: string;
  /** Allow more predictions than labels (extra outputs are ignored). */
  allowExtraOutputs?: boolean;
}

/**
 * feval(label, pred) per pair: a number or a one-element NDArray adds to the sum and counts 1;
 * [sum, count] adds both. Returning NDArrays keeps update() free of engine waits (they are
 * disposed after being added); returning numbers means feval read values itself.
 */
export class CustomMetric extends EvalMetric {
  readonly feval: FEval;
  readonly allowExtraOutputs: boolean;

  constructor(feval: FEval, options: CustomMetricOptions = {}) {
    if (typeof feval !== 'function') fail('TypeError', `CustomMetric: feval must be a function, got ${typeof feval}`);
    super(options.name ?? (feval.name ? `custom(${feval.name})` : 'custom'));
    this.feval = feval;
    this.allowExtraOutputs = options.allowExtraOutputs ?? false;
  }

  update(labels: Arrays, preds: Arrays): void {
    let ls = labels instanceof NDArray ? [labels] : labels;
    let ps = preds instanceof NDArray ? [preds] : preds;
    if (!this.allowExtraOutputs) [ls, ps] = pairUp(this.name, ls, ps);
    ls.forEach((label, i) => {
      const pred = ps[i];
      if (pred === undefined) fail('ValueError', `${this.name}: no prediction for label ${i} (got ${ps.length} predictions)`);
      const r = this.feval(label, pred);
      const [sum, num] = Array.isArray(r) ? (r as readonly [NDArray | number, number]) : [r as NDArray | number, 1];
      if (typeof sum === 'number') this.sumAcc.addNumber(sum);
      else {
        this.sumAcc.add(sum);
        if (sum !== label && sum !== pred) sum.dispose();
      }
      this.numCount += num;
    });
  }
}

/**
 * A CustomMetric from a function of the values (MXNet's mx.metric.np): feval gets the label's
 * and prediction's data and shapes. It reads them with dataSync(), so each update() waits for
 * the engine; prefer CustomMetric with engine ops where speed matters.
 */
export function np(
  feval: (label: DTypeArray, pred: DTypeArray, shapes: { label: readonly number[]; pred: readonly number[] }) => number,
  options: CustomMetricOptions = {},
): CustomMetric {
  const wrapped: FEval = (label, pred) => feval(label.dataSync(), pred.dataSync(), { label: label.shape, pred: pred.shape });
  return new CustomMetric(wrapped, { ...options, name: options.name ?? (feval.name ? `custom(${feval.name})` : 'custom') });
}
