// mx.gluon.loss: loss blocks (Apache MXNet 1.x names, defaults and semantics).
export { Loss, type LossInputs, type LossOptions } from './base.js';
export {
  HingeLoss,
  KLDivLoss,
  LogisticLoss,
  SigmoidBinaryCrossEntropyLoss,
  SigmoidBinaryCrossEntropyLoss as SigmoidBCELoss,
  type SigmoidBCEOptions,
  SoftmaxCrossEntropyLoss,
  SoftmaxCrossEntropyLoss as SoftmaxCELoss,
  type SoftmaxCrossEntropyOptions,
  SquaredHingeLoss,
} from './classification.js';
export { CosineEmbeddingLoss, SDMLLoss, TripletLoss } from './embedding.js';
export { HuberLoss, L1Loss, L2Loss, PoissonNLLLoss } from './regression.js';
