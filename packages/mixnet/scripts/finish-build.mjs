// After tsc: marks dist/cjs as CommonJS and gives it a CommonJS locate.js (the ESM one uses
// import.meta, which CommonJS cannot parse).
import { writeFileSync } from 'node:fs';

writeFileSync('dist/cjs/package.json', '{"type":"commonjs"}\n');
writeFileSync(
  'dist/cjs/locate.js',
  `"use strict";
// CommonJS form of src/locate.ts (written by scripts/finish-build.mjs).
Object.defineProperty(exports, "__esModule", { value: true });
exports.moduleDir = __dirname;
exports.nativeRequire = require;
`,
);
