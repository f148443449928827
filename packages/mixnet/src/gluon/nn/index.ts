// mx.gluon.nn: the layer library, plus the container blocks users build networks from.
export { Block, HybridBlock, Sequential, HybridSequential, type BlockOptions, type OpNamespace } from '../block.js';
export { Dense, Dropout, Embedding, Flatten, Lambda, HybridLambda } from './basic_layers.js';
export type { DenseOptions, DropoutOptions, EmbeddingOptions } from './basic_layers.js';
export { BatchNorm, LayerNorm, InstanceNorm, GroupNorm } from './norm_layers.js';
export type { BatchNormOptions, LayerNormOptions, InstanceNormOptions, GroupNormOptions } from './norm_layers.js';
export { Activation, LeakyReLU, PReLU, ELU, SELU, GELU, Swish, type ActivationType, type PReLUOptions } from './activations.js';
export {
  Conv1D,
  Conv2D,
  Conv3D,
  Conv1DTranspose,
  Conv2DTranspose,
  Conv3DTranspose,
  ReflectionPad2D,
  type ConvLayout,
  type ConvOptions,
  type ConvTransposeOptions,
} from './conv_layers.js';
export {
  MaxPool1D,
  MaxPool2D,
  MaxPool3D,
  AvgPool1D,
  AvgPool2D,
  AvgPool3D,
  GlobalMaxPool1D,
  GlobalMaxPool2D,
  GlobalMaxPool3D,
  GlobalAvgPool1D,
  GlobalAvgPool2D,
  GlobalAvgPool3D,
  type PoolOptions,
  type AvgPoolOptions,
  type GlobalPoolOptions,
} from './pooling_layers.js';
