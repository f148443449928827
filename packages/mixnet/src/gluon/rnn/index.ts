// mx.gluon.rnn: fused recurrent layers and step-by-step recurrent cells (MXNet 1.x gluon.rnn).
export { GRU, LSTM, type LSTMOptions, RNN, RNNLayerBase, type RNNLayerOptions, type RNNOptions } from './rnn_layer.js';
export {
  type BeginStateOptions,
  type CellActivation,
  type CellResult,
  type GateCellOptions,
  GRUCell,
  HybridRecurrentCell,
  LSTMCell,
  type LSTMCellOptions,
  RecurrentCell,
  RNNCell,
  type RNNCellOptions,
  type StateFunc,
  type StateInfo,
  type UnrollOptions,
  type UnrollOutputs,
} from './rnn_cell.js';
export {
  BidirectionalCell,
  DropoutCell,
  type DropoutCellOptions,
  HybridSequentialRNNCell,
  ModifierCell,
  ResidualCell,
  SequentialRNNCell,
  ZoneoutCell,
  type ZoneoutCellOptions,
} from './cell_wrappers.js';
export { type Sequence, type SequenceLayout } from './sequence.js';
