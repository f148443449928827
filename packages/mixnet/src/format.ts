// NDArray printing in MXNet's style: NumPy's array text, then "<NDArray 2x3 @cpu(0)>".
// Large arrays are summarised with "..." (first and last 3 along each axis), as NumPy does.
import { type DTypeArray, type DTypeName, elementAt } from './dtype.js';

const EDGE = 3;
const THRESHOLD = 1000;

function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.`;
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [m, e] = v.toExponential(7).split('e');
    const mant = m!.replace(/0+$/, '').replace(/\.$/, '.');
    const exp = Number(e);
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(Number(v.toPrecision(8)));
}

function formatValue(v: number | bigint | boolean, dtype: DTypeName): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16') return formatFloat(v);
  return String(v);
}

/** The NumPy-style body, e.g. "[[1. 2.]\n [3. 4.]]". */
export function formatValues(data: DTypeArray, dtype: DTypeName, shape: readonly number[]): string {
  const size = shape.reduce((a, d) => a * d, 1);
  if (shape.length === 0) return formatValue(elementAt(data, dtype, 0), dtype);
  const summarise = size > THRESHOLD;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, d) => a * d, 1));
  // First pass: every printed element's text, for one common width.
  const texts = new Map<number, string>();
  const visit = (axis: number, offset: number): void => {
    for (const i of indices(shape[axis]!, summarise)) {
      if (i < 0) continue;
      const off = offset + i * strides[axis]!;
      if (axis === shape.length - 1) texts.set(off, formatValue(elementAt(data, dtype, off), dtype));
      else visit(axis + 1, off);
    }
  };
  visit(0, 0);
  const pad = aligner([...texts.values()]);
  const render = (axis: number, offset: number, indent: string): string => {
    const parts: string[] = [];
    for (const i of indices(shape[axis]!, summarise)) {
      if (i < 0) {
        parts.push('...');
        continue;
      }
      const off = offset + i * strides[axis]!;
      parts.push(axis === shape.length - 1 ? pad(texts.get(off)!) : render(axis + 1, off, `${indent} `));
    }
    if (axis === shape.length - 1) return `[${parts.join(' ')}]`;
    const sep = `${'\n'.repeat(shape.length - 1 - axis)}${indent} `;
    return `[${parts.join(sep)}]`;
  };
  return render(0, 0, '');
}

/** NumPy's alignment: decimal points line up (integer parts padded left, fractions right). */
function aligner(texts: readonly string[]): (t: string) => string {
  const decimal = texts.every((t) => /^-?\d+\.\d*$/.test(t));
  if (!decimal) {
    const width = Math.max(0, ...texts.map((t) => t.length));
    return (t) => t.padStart(width);
  }
  const split = (t: string): [string, string] => {
    const i = t.indexOf('.');
    return [t.slice(0, i), t.slice(i + 1)];
  };
  const intWidth = Math.max(...texts.map((t) => split(t)[0].length));
  const fracWidth = Math.max(...texts.map((t) => split(t)[1].length));
  return (t) => {
    const [i, f] = split(t);
    return `${i.padStart(intWidth)}.${f.padEnd(fracWidth)}`;
  };
}

/** Indices to print along an axis; -1 marks the "..." gap. */
function indices(n: number, summarise: boolean): number[] {
  if (!summarise || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [0, 1, 2, -1, n - 3, n - 2, n - 1];
}

export function formatNDArray(data: DTypeArray, dtype: DTypeName, shape: readonly number[], ctx: string): string {
  const dims = shape.length === 0 ? '' : shape.join('x');
  const type = dtype === 'float32' ? '' : ` ${dtype}`;
  return `${formatValues(data, dtype, shape)}\n<NDArray ${dims}${type} @${ctx}>`;
}
