// Sequence plumbing shared by the recurrent cells: a sequence is either one array with a time
// axis (layout NTC or TNC) or a list of per-step (N, ...) arrays. unroll() converts between the
// two the way MXNet 1.x's _format_sequence does, so cells can step through a list and hand back
// whichever form the caller asked for.
import { fail } from '../../errors.js';
import { type NDArray } from '../../ndarray.js';
import * as nd from '../../nd.js';

/** Where the time (T), batch (N) and feature (C) axes sit in a sequence array. */
export type SequenceLayout = 'NTC' | 'TNC';

/** A sequence as one array with a time axis, or as a list of per-step arrays. */
export type Sequence = NDArray | readonly NDArray[];

const shapeText = (s: readonly number[]): string => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

export function checkLayout(owner: string, layout: string): SequenceLayout {
  if (layout !== 'NTC' && layout !== 'TNC') fail('ValueError', `${owner}: layout must be 'TNC' or 'NTC', got '${layout}'`);
  return layout;
}

export function isMerged(seq: Sequence): seq is NDArray {
  return !Array.isArray(seq);
}

export interface FormattedSequence {
  inputs: NDArray | NDArray[];
  /** The time axis of `layout`. */
  axis: number;
  /** The batch size (0 when it cannot be known). */
  batchSize: number;
}

/**
 * Converts `inputs` to one array (merge true), a list of steps (merge false) or leaves the form
 * alone (merge undefined). `inLayout` is the layout of an array input when it differs from the
 * layout wanted for the result.
 */
export function formatSequence(
  owner: string,
  length: number | undefined,
  inputs: Sequence,
  layout: SequenceLayout,
  merge: boolean | undefined,
  inLayout?: SequenceLayout,
): FormattedSequence {
  const axis = layout.indexOf('T');
  const batchAxis = layout.indexOf('N');
  let inAxis = inLayout === undefined ? axis : inLayout.indexOf('T');
  let out: NDArray | NDArray[];
  let batchSize: number;
  if (isMerged(inputs)) {
    if (inputs.ndim < 2) fail('ValueError', `${owner}: a sequence array needs a time and a batch axis (layout ${layout}), got shape ${shapeText(inputs.shape)}`);
    batchSize = inputs.shape[batchAxis]!;
    out = inputs;
    if (merge === false) {
      const steps = inputs.shape[inAxis]!;
      if (length !== undefined && length !== steps) {
        fail('ValueError', `${owner}: unroll length ${length} does not match the ${steps} steps on axis ${inAxis} of the input of shape ${shapeText(inputs.shape)} (layout ${inLayout ?? layout})`);
      }
      out = nd.SliceChannel(inputs, { num_outputs: steps, axis: inAxis, squeeze_axis: true });
    }
  } else {
    const first = inputs[0];
    if (first === undefined) fail('ValueError', `${owner}: the input sequence is an empty list`);
    if (length !== undefined && inputs.length !== length) {
      fail('ValueError', `${owner}: unroll length ${length} does not match the ${inputs.length} arrays in the input list`);
    }
    batchSize = first.shape[0] ?? 0;
    out = [...inputs];
    if (merge === true) {
      out = nd.stack(...inputs, { axis });
      inAxis = axis;
    }
  }
  if (!Array.isArray(out) && axis !== inAxis) out = nd.SwapAxis(out as NDArray, { dim1: axis, dim2: inAxis });
  return { inputs: out, axis, batchSize };
}

/** Zeroes the steps at or past each row's valid length (MXNet's _mask_sequence_variable_length). */
export function maskSequence(
  data: Sequence,
  length: number,
  validLength: NDArray,
  timeAxis: number,
  merge: boolean,
): NDArray | NDArray[] {
  const merged = isMerged(data) ? data : nd.stack(...data, { axis: timeAxis });
  const masked = nd.SequenceMask(merged, { sequence_length: validLength, use_sequence_length: true, axis: timeAxis });
  if (merge) return masked;
  return nd.SliceChannel(masked, { num_outputs: length, axis: timeAxis, squeeze_axis: true });
}

/** The steps in reverse order; with valid lengths only each row's valid prefix is reversed. */
export function reverseSteps(steps: readonly NDArray[], validLength?: NDArray): NDArray[] {
  if (validLength === undefined) return [...steps].reverse();
  // SequenceReverse is not in the registry: reverse each row's valid prefix with a gather on
  // the time axis built from the lengths.
  const T = steps.length;
  const lengths = Array.from(validLength.dataSync() as ArrayLike<number>, Number);
  const bad = lengths.find((len) => !(Number.isInteger(len) && len >= 0 && len <= T));
  if (bad !== undefined) fail('ValueError', `BidirectionalCell.unroll: every valid length must be an integer in [0, ${T}], got ${bad}`);
  const stacked = nd.stack(...steps, { axis: 0 }); // (T, N, ...)
  const N = lengths.length;
  const index: number[][] = [];
  for (let t = 0; t < T; t++) {
    const row: number[] = [];
    for (let n = 0; n < N; n++) {
      const len = lengths[n]!;
      row.push(t < len ? len - 1 - t : t);
    }
    index.push(row);
  }
  // gather_nd indices (2, T, N): time index and batch index for every (t, n).
  const batch = Array.from({ length: T }, () => Array.from({ length: N }, (_, n) => n));
  const idx = nd.array([index, batch], { dtype: 'int32' });
  const reversed = nd.gather_nd(stacked, idx);
  return nd.SliceChannel(reversed, { num_outputs: T, axis: 0, squeeze_axis: true });
}
