// mx.gluon: blocks, parameters, layers, losses, data, Trainer (MXNet 1.x's gluon package).
export { Block, HybridBlock, Sequential, HybridSequential, type BlockOptions, type OpNamespace } from './block.js';
export { Parameter, Constant, DeferredInitializationError, type ParameterOptions, type InitializeOptions } from './parameter.js';
export { ParameterDict, type LoadOptions } from './parameter_dict.js';
