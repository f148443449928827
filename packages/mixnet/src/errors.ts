// MXNetError: every engine failure (and every bad argument the TS layer catches itself) is one.
// `kind` names the C ABI's error kind (MX_ERR_*), `op` the operator when known; the message is the
// C ABI's message, unchanged.

/** The C ABI's error kinds (MXGetLastErrorKind), by code. */
export const ERROR_KINDS = [
  'InternalError',
  'ValueError',
  'TypeError',
  'IndexError',
  'NotFoundError',
  'NotImplementedError',
  'IOError',
  'InvalidHandleError',
] as const;
export type MXNetErrorKind = (typeof ERROR_KINDS)[number];

export class MXNetError extends Error {
  /** The error's kind (MX_ERR_* of c_api.h, as a name). */
  readonly kind: MXNetErrorKind;
  /** The C ABI's numeric kind code. */
  readonly code: number;
  /** The operator that failed, when known. */
  readonly op: string | undefined;

  constructor(message: string, kind: number | MXNetErrorKind = 0, op?: string) {
    super(message);
    this.name = 'MXNetError';
    const code = typeof kind === 'number' ? kind : ERROR_KINDS.indexOf(kind);
    this.code = code >= 0 && code < ERROR_KINDS.length ? code : 0;
    this.kind = ERROR_KINDS[this.code]!;
    this.op = op;
  }
}

/** Throws an MXNetError of the given kind (for checks the TS layer makes before the engine). */
export function fail(kind: MXNetErrorKind, message: string, op?: string): never {
  throw new MXNetError(message, kind, op);
}
