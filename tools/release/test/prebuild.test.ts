// Packs a copy of the built mixnet package with its prebuilds, installs the tarball into an empty
// project without running scripts, and checks that both entry points load the addon and
// libmixnet from prebuilds/<platform>-<arch>/ of the installed package and run an op.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type PrebuildResult, prebuild } from '../src/prebuild.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const mixnetDir = path.join(repo, 'packages', 'mixnet');
const nativeDir = path.join(mixnetDir, 'build', 'native', 'Release');
const platform = `${process.platform}-${process.arch}`;

// What the child processes print: the op's values and the files the process mapped.
const report = `
const fs = require('node:fs');
function finish(mx) {
  const y = mx.nd.broadcast_add(mx.nd.array([1, 2, 3]), mx.nd.array([10, 20, 30]));
  const maps = fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')
    .map((l) => l.slice(l.indexOf('/'))).filter((p) => /mixnet\\.node|libmixnet\\.so/.test(p));
  process.stdout.write(JSON.stringify({ values: Array.from(y.dataSync()), maps: [...new Set(maps)] }));
}
`;

interface ChildReport {
  values: number[];
  maps: string[];
}

describe.skipIf(process.platform !== 'linux')('release: prebuilt package', () => {
  let tmp = '';
  let result: PrebuildResult;
  let project = '';

  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'mixnet-release-'));
    // A copy of what the package publishes (the real package directory is left untouched).
    const pkg = path.join(tmp, 'mixnet');
    for (const entry of ['package.json', 'README.md', 'CMakeLists.txt', 'dist', 'native']) {
      if (existsSync(path.join(mixnetDir, entry))) cpSync(path.join(mixnetDir, entry), path.join(pkg, entry), { recursive: true });
    }
    result = prebuild({ packageDir: pkg, nativeDir, outDir: path.join(tmp, 'out') });

    project = path.join(tmp, 'project');
    cpSync(path.join(repo, 'tools', 'release', 'test', 'fixtures', 'project.json'), path.join(project, 'package.json'));
    execFileSync('npm', ['install', result.tarball, '--ignore-scripts', '--offline', '--no-audit', '--no-fund', '--no-package-lock'], {
      cwd: project,
      stdio: 'pipe',
    });
  });

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('packs the addon, libmixnet and a manifest under prebuilds/<platform>-<arch>/', () => {
    const m = result.manifest;
    expect(m.platform + '-' + m.arch).toBe(platform);
    expect(m.registryHash).toMatch(/^[0-9a-f]{64}$/);
    expect(m.abiVersion).toBeGreaterThan(0);
    expect(m.napiVersion).toBeGreaterThanOrEqual(8);
    expect(m.files[0]).toBe('mixnet.node');
    expect(m.files[1]).toMatch(/^libmixnet\.so\.\d+$/);
    for (const f of [...m.files, 'manifest.json']) expect(result.packedFiles).toContain(`prebuilds/${platform}/${f}`);
    // The hash is the library's, i.e. what the package's generated ops must match at load.
    const installed = path.join(project, 'node_modules', 'mixnet', 'prebuilds', platform, 'manifest.json');
    expect(JSON.parse(readFileSync(installed, 'utf8'))).toEqual(m);
    // The staging directory is removed again: it would shadow later local builds.
    expect(existsSync(result.prebuildDir)).toBe(false);
  });

  it('installs without build output: no build/ directory in the installed package', () => {
    expect(existsSync(path.join(project, 'node_modules', 'mixnet', 'build'))).toBe(false);
    expect(existsSync(path.join(project, 'node_modules', 'mixnet', 'prebuilds', platform, 'mixnet.node'))).toBe(true);
  });

  const run = (file: string, code: string): ChildReport => {
    writeFileSync(path.join(project, file), code);
    const env = { ...process.env };
    delete env['MIXNET_NATIVE'];
    delete env['LD_LIBRARY_PATH'];
    return JSON.parse(execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8', env })) as ChildReport;
  };
  const expectFromPrebuilds = (r: ChildReport): void => {
    expect(r.values).toEqual([11, 22, 33]);
    const dir = path.join(realProject(), 'node_modules', 'mixnet', 'prebuilds', platform);
    expect(r.maps.some((p) => p.endsWith('mixnet.node'))).toBe(true);
    expect(r.maps.some((p) => /libmixnet\.so/.test(p))).toBe(true);
    for (const p of r.maps) expect(path.dirname(p)).toBe(dir);
  };
  const realProject = (): string => execFileSync('realpath', [project], { encoding: 'utf8' }).trim();

  it("require('mixnet') loads from prebuilds and runs an op", () => {
    expectFromPrebuilds(run('check.cjs', `${report}\nfinish(require('mixnet'));\n`));
  });

  it("import('mixnet') loads from prebuilds and runs an op", () => {
    expectFromPrebuilds(run('check.mjs', `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${report}\nfinish(await import('mixnet'));\n`));
  });
});
