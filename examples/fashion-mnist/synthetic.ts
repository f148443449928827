// Generated stand-in for Fashion-MNIST (--synthetic): 28x28 uint8 images whose class decides a
// fixed random template, plus noise, so a network can learn them. Same layout as the real
// dataset: images (N, 28, 28, 1) uint8, labels int32.
import * as mx from 'mixnet';

/** A small deterministic generator (mulberry32), independent of the engine's. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function split(n: number, templates: Float32Array[], rand: () => number): mx.gluon.data.ArrayDataset {
  const pixels = new Uint8Array(n * 784);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rand() * 10);
    labels[i] = c;
    const t = templates[c]!;
    for (let p = 0; p < 784; p++) pixels[i * 784 + p] = Math.min(255, Math.max(0, Math.round(t[p]! * 180 + rand() * 75)));
  }
  const images = mx.nd.array(pixels, { dtype: 'uint8', shape: [n, 28, 28, 1] });
  return new mx.gluon.data.ArrayDataset(images, mx.nd.array(labels, { dtype: 'int32' }));
}

export function syntheticSplit(seed: number): { train: mx.gluon.data.ArrayDataset; test: mx.gluon.data.ArrayDataset } {
  const rand = mulberry32(seed);
  const templates = Array.from({ length: 10 }, () => Float32Array.from({ length: 784 }, () => (rand() < 0.3 ? 1 : 0)));
  return { train: split(6000, templates, rand), test: split(1000, templates, rand) };
}
