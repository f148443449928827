// mx.metric: evaluation metrics (Apache MXNet 1.x names and semantics) and create() by name.
import { fail } from '../errors.js';
import { type AnyMetric, EvalMetric } from './base.js';
import { Accuracy, F1, MCC, TopKAccuracy } from './classification.js';
import { CompositeEvalMetric } from './composite.js';
import { PearsonCorrelation } from './correlation.js';
import { CustomMetric, type FEval } from './custom.js';
import { CrossEntropy, Loss, NegativeLogLikelihood, Perplexity } from './probability.js';
import { MAE, MSE, RMSE } from './regression.js';

export { type AnyMetric, type Arrays, EvalMetric } from './base.js';
export { Accuracy, F1, MCC, TopKAccuracy } from './classification.js';
export { CompositeEvalMetric } from './composite.js';
export { PearsonCorrelation } from './correlation.js';
export { CustomMetric, type CustomMetricOptions, type CustomValue, type FEval, np } from './custom.js';
export { CrossEntropy, Loss, NegativeLogLikelihood, Perplexity } from './probability.js';
export { MAE, MSE, RMSE } from './regression.js';

/** Options create() passes to the metric's constructor (each metric reads the ones it knows). */
export interface CreateOptions {
  name?: string;
  axis?: number;
  topK?: number;
  eps?: number;
  average?: 'macro' | 'micro';
  ignoreLabel?: number | null;
  /** For a function metric (CustomMetric). */
  allowExtraOutputs?: boolean;
}

type Factory = (o: CreateOptions) => AnyMetric;

// Registered names, lower case, as MXNet's registry has them (class names and aliases).
const REGISTRY: Readonly<Record<string, Factory>> = {
  accuracy: (o) => new Accuracy(o),
  acc: (o) => new Accuracy(o),
  topkaccuracy: (o) => new TopKAccuracy(o),
  top_k_accuracy: (o) => new TopKAccuracy(o),
  top_k_acc: (o) => new TopKAccuracy(o),
  f1: (o) => new F1(o),
  mcc: (o) => new MCC(o),
  crossentropy: (o) => new CrossEntropy(o),
  'cross-entropy': (o) => new CrossEntropy(o),
  ce: (o) => new CrossEntropy(o),
  negativeloglikelihood: (o) => new NegativeLogLikelihood(o),
  nll_loss: (o) => new NegativeLogLikelihood(o),
  'nll-loss': (o) => new NegativeLogLikelihood(o),
  perplexity: (o) => new Perplexity(o),
  mae: (o) => new MAE(o),
  mse: (o) => new MSE(o),
  rmse: (o) => new RMSE(o),
  loss: (o) => new Loss(o),
  pearsoncorrelation: (o) => new PearsonCorrelation(o),
  pearsonr: (o) => new PearsonCorrelation(o),
  composite: (o) => new CompositeEvalMetric([], o),
  compositeevalmetric: (o) => new CompositeEvalMetric([], o),
};

/** The names create() accepts. */
export function names(): string[] {
  return Object.keys(REGISTRY);
}

type MetricSpec = string | AnyMetric | FEval;

/**
 * A metric by name ('acc', 'top_k_accuracy', 'ce', 'f1', 'mse', ...; case-insensitive), an
 * existing metric (returned as is), a function (a CustomMetric), or a list of those (a
 * CompositeEvalMetric). Options go to the metric's constructor: create('top_k_accuracy', { topK: 5 }).
 */
export function create(metric: MetricSpec, options?: CreateOptions): AnyMetric;
export function create(metric: readonly MetricSpec[], options?: CreateOptions): CompositeEvalMetric;
export function create(metric: MetricSpec | readonly MetricSpec[], options: CreateOptions = {}): AnyMetric {
  if (metric instanceof EvalMetric) return metric;
  if (typeof metric === 'function') return new CustomMetric(metric, options);
  if (Array.isArray(metric)) {
    return new CompositeEvalMetric((metric as readonly MetricSpec[]).map((m) => create(m, options)));
  }
  if (typeof metric !== 'string') fail('TypeError', `metric.create: expected a name, a metric or a list of them, got ${typeof metric}`);
  const factory = REGISTRY[metric.toLowerCase()];
  if (factory === undefined) {
    fail('ValueError', `metric.create: unknown metric '${metric}'; known: ${names().join(', ')}`);
  }
  return factory(options);
}
