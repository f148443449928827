// mx.gluon: blocks, parameters, layers, losses, data, Trainer (MXNet 1.x's gluon package).
import * as data from './data/index.js';
import * as loss from './loss/index.js';
import * as nn from './nn/index.js';
import * as rnn from './rnn/index.js';
import * as utils from './utils.js';

export { data, loss, nn, rnn, utils };
export { Block, HybridBlock, Sequential, HybridSequential, type BlockOptions, type OpNamespace } from './block.js';
export { Parameter, Constant, DeferredInitializationError, type ParameterOptions, type InitializeOptions } from './parameter.js';
export { ParameterDict, type LoadOptions } from './parameter_dict.js';
export { Trainer, type TrainerOptions, type StepOptions } from './trainer.js';
export { saveCheckpoint, loadCheckpoint, type CheckpointParts, type CheckpointInfo, type Resumable } from './checkpoint.js';
