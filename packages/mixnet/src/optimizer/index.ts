// mx.optimizer: optimizers over the registry's fused update ops, the create() registry and
// MXNet's getUpdater.
export {
  Optimizer,
  type OptimizerOptions,
  type OptimizerState,
  type OptimizerStates,
  type OptimizerMeta,
  type ParamMults,
  create,
  register,
  registered,
  getUpdater,
} from './optimizer.js';
export { SGD, NAG, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSProp, type RMSPropOptions } from './rmsprop.js';
export { AdaGrad } from './adagrad.js';
export { Signum, SignSGD, type SignumOptions } from './signum.js';
