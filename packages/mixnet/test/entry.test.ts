// The built package loads as ESM (`import * as mx from 'mixnet'`) and CJS (`require('mixnet')`),
// resolving through package.json's exports map, and types resolve for both.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(pkg, '../..');

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: repo, encoding: 'utf8' });
}

describe('entry points (dist/, built by `npm run build`)', () => {
  it('is built', () => {
    expect(existsSync(path.join(pkg, 'dist/esm/index.js'))).toBe(true);
    expect(existsSync(path.join(pkg, 'dist/cjs/index.js'))).toBe(true);
    expect(existsSync(path.join(pkg, 'dist/esm/index.d.ts'))).toBe(true);
  });

  it('ESM: import * as mx from "mixnet"', () => {
    const out = node([
      '--input-type=module',
      '-e',
      "import * as mx from 'mixnet'; const a = mx.nd.array([1, 2]); console.log(JSON.stringify(await a.add(a).toArray()), typeof mx.nd.broadcast_add);",
    ]);
    expect(out.trim()).toBe('[2,4] function');
  });

  it('CJS: require("mixnet")', () => {
    const out = node([
      '-e',
      "const mx = require('mixnet'); const a = mx.nd.array([[1, 2]]); console.log(JSON.stringify(a.mul(3).toArraySync()), a.shape.join('x'), new mx.MXNetError('m', 1).kind);",
    ]);
    expect(out.trim()).toBe('[[3,6]] 1x2 ValueError');
  });

  it('both formats share one native addon and report the same registry hash', () => {
    const esm = node(['--input-type=module', '-e', "import * as mx from 'mixnet'; console.log(mx.REGISTRY_HASH)"]);
    const cjs = node(['-e', "console.log(require('mixnet').REGISTRY_HASH)"]);
    expect(esm).toBe(cjs);
  });

  it('a missing addon gives an error that says how to build', () => {
    let msg = '';
    try {
      execFileSync(process.execPath, ['-e', "require('mixnet')"], {
        cwd: repo,
        encoding: 'utf8',
        env: { ...process.env, MIXNET_NATIVE: '/nonexistent/mixnet.node' },
        stdio: 'pipe',
      });
    } catch (e) {
      msg = String((e as { stderr?: string }).stderr);
    }
    expect(msg).toContain('no native addon');
    expect(msg).toContain('npx nx run mixnet:build');
  });
});
