// npm run prebuild -w @mixnet/release [-- --package DIR --native DIR --out DIR --keep-prebuilds]
// Defaults: packages/mixnet, its build/native/Release, build/release (all from the repo root).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { prebuild } from './prebuild.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { values } = parseArgs({
  options: {
    package: { type: 'string', default: path.join(root, 'packages', 'mixnet') },
    native: { type: 'string' },
    out: { type: 'string', default: path.join(root, 'build', 'release') },
    'keep-prebuilds': { type: 'boolean', default: false },
  },
});

try {
  const r = prebuild({
    packageDir: values.package,
    ...(values.native !== undefined ? { nativeDir: values.native } : {}),
    outDir: values.out,
    keepPrebuilds: values['keep-prebuilds'],
  });
  const m = r.manifest;
  console.log(`${r.tarball}\n  prebuilds/${m.platform}-${m.arch}: ${m.files.join(', ')}, manifest.json` +
    ` (registry ${m.registryHash.slice(0, 12)}…, ABI ${m.abiVersion}, Node-API ${m.napiVersion})`);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
