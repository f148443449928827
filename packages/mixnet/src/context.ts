// Device contexts, as MXNet writes them: cpu(0), gpu(1).
import { fail } from './errors.js';

const DEV_TYPES = { cpu: 1, gpu: 2, cpu_pinned: 3 } as const;
export type DeviceType = keyof typeof DEV_TYPES;

export class Context {
  constructor(
    readonly deviceType: DeviceType,
    readonly deviceId = 0,
  ) {}
  get devTypeCode(): number {
    return DEV_TYPES[this.deviceType];
  }
  toString(): string {
    return `${this.deviceType}(${this.deviceId})`;
  }
  equals(other: Context): boolean {
    return this.deviceType === other.deviceType && this.deviceId === other.deviceId;
  }
  static fromCodes(type: number, id: number): Context {
    const name = (Object.keys(DEV_TYPES) as DeviceType[]).find((k) => DEV_TYPES[k] === type);
    return new Context(name ?? 'cpu', id);
  }
}

/** A context given as a Context or its string ("cpu", "cpu(0)", "gpu(1)"). */
export type ContextLike = Context | string;

export function cpu(id = 0): Context {
  return new Context('cpu', id);
}
export function gpu(id = 0): Context {
  return new Context('gpu', id);
}

let defaultCtx = cpu();
/** The context arrays are created on when none is given. */
export function currentContext(): Context {
  return defaultCtx;
}
export function setDefaultContext(ctx: ContextLike): void {
  defaultCtx = toContext(ctx);
}

export function toContext(ctx: ContextLike | undefined): Context {
  if (ctx === undefined) return defaultCtx;
  if (ctx instanceof Context) return ctx;
  const m = /^\s*(cpu_pinned|cpu|gpu)\s*(?:\(\s*(\d+)\s*\))?\s*$/.exec(ctx);
  if (!m) fail('ValueError', `bad context '${ctx}' (expected cpu(0), gpu(1), ...)`);
  return new Context(m[1] as DeviceType, m[2] === undefined ? 0 : Number(m[2]));
}
