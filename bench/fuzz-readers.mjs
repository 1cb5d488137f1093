#!/usr/bin/env node
// Fuzz of the readers through the CLI (issue 17): mutants of valid JSONL, CSV and Parquet files from a fixed seed,
// each read by `node dist/cli/main.js rate FILE --format json` in a fresh process with the default Parquet deadline
// (5 s). Every case must end with exit 0 or 1, stderr of one line besides warnings, no stack trace, within --timeout.
// The same mutation operators as tests/fuzz.ts (the CI test runs fewer cases, mostly in-process).
// Usage: npm run build && node bench/fuzz-readers.mjs [--cases 500] [--seed 20261130] [--jobs 2] [--timeout 30000]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { deriveRng } from '../dist/advanced.js';
import { median, now, parseArgs, ROOT } from './lib.mjs';

const o = parseArgs(process.argv.slice(2), { cases: 500, seed: 20261130, jobs: 2, timeout: 30000 });

// ---- the mutation operators (as tests/fuzz.ts)
const TOKENS = ['"', ',', '\n', '\r\n', '{', '}', '[', ']', ':', '\\', '\\u0000', 'null', '1e309', '-1', '\xff', '\xc3', '\xef\xbb\xbf', 'PAR1', '\x00'].map((s) => Buffer.from(s, 'latin1'));
const int = (rng, n) => Math.floor(rng() * n);
function mutate(base, rng) {
  let b = Buffer.from(base);
  const ops = 1 + int(rng, 3);
  for (let k = 0; k < ops && b.length > 0; k++) {
    const n = b.length;
    switch (int(rng, 7)) {
      case 0: { const p = int(rng, n); b[p] = b[p] ^ (1 << int(rng, 8)); break; }
      case 1: b[int(rng, n)] = int(rng, 256); break;
      case 2: { const cut = int(rng, n); b = rng() < 0.5 ? b.subarray(0, cut) : Buffer.concat([b.subarray(0, cut), b.subarray(Math.max(cut, n - 8))]); break; }
      case 3: { const from = int(rng, n); const len = 1 + int(rng, 64); const to = int(rng, n); b = Buffer.concat([b.subarray(0, to), b.subarray(from, from + len), b.subarray(to)]); break; }
      case 4: { const from = int(rng, n); b = Buffer.concat([b.subarray(0, from), b.subarray(from + 1 + int(rng, 32))]); break; }
      case 5: { const t = TOKENS[int(rng, TOKENS.length)]; const at = int(rng, n + 1); b = Buffer.concat([b.subarray(0, at), t, b.subarray(at)]); break; }
      default: { const t = TOKENS[int(rng, TOKENS.length)]; const at = int(rng, n); b = Buffer.concat([b.subarray(0, at), t, b.subarray(at + t.length)]); }
    }
  }
  return b;
}

// ---- the valid files (as the CI test): LMArena math rows, plus timestamps, style counts, odd names
const real = readFileSync(join(ROOT, 'fixtures', 'data', 'chatbot-arena-20240814-math', 'battles.jsonl'), 'utf8').split('\n').slice(0, 12).map((l) => JSON.parse(l));
const style = { sum_assistant_a_tokens: 120, header_count_a: { h1: 1, h2: 0 }, list_count_a: { ordered: 2, unordered: 1 }, bold_count_a: { '**': 3, __: 0 }, sum_assistant_b_tokens: 80, header_count_b: 0, list_count_b: 1, bold_count_b: 0 };
const rows = [
  ...real,
  { model_a: 'café', model_b: 'a "quoted" b', winner: 'tie', tstamp: 1712000000.5, language: 'English' },
  { model_a: 'x\\y', model_b: '模型', winner: 'model_b', count: 2, tstamp: 1712000001, language: 'French', conv_metadata: style },
  { model_a: '__proto__', model_b: 'constructor', winner: 'tie (bothbad)', tstamp: 1712000002, language: 'English' },
];
const csvCell = (v) => { const s = v === undefined ? '' : String(v); return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; };
const cols = ['model_a', 'model_b', 'winner', 'count', 'tstamp'];
const bases = {
  jsonl: Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n'),
  csv: Buffer.from([cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c] ?? (c === 'count' ? 1 : c === 'tstamp' ? 1712000000 : undefined))).join(','))].join('\n') + '\n'),
  parquet: Buffer.from(parquetWriteBuffer({ columnData: [
    { name: 'model_a', data: rows.map((r) => r.model_a), type: 'STRING' },
    { name: 'model_b', data: rows.map((r) => r.model_b), type: 'STRING' },
    { name: 'winner', data: rows.map((r) => r.winner), type: 'STRING' },
    { name: 'count', data: Int32Array.from(rows, (r) => r.count ?? 1), type: 'INT32' },
    { name: 'tstamp', data: Float64Array.from(rows, (r) => r.tstamp ?? 1712000000), type: 'DOUBLE' },
  ] })),
};

const dir = mkdtempSync(join(tmpdir(), 'arena-fuzz-'));
const jobs = [];
for (const format of Object.keys(bases)) {
  const rng = deriveRng(o.seed, 'bench', format);
  for (let i = 0; i < o.cases; i++) {
    const file = join(dir, `${format}-${i}.${format}`);
    writeFileSync(file, mutate(bases[format], rng));
    jobs.push({ format, file });
  }
}
const run = ({ file }) => new Promise((resolve) => {
  const t0 = now();
  const c = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'rate', file, '--format', 'json']);
  let err = '';
  c.stdout.resume();
  c.stderr.on('data', (d) => (err += d));
  const timer = setTimeout(() => c.kill('SIGKILL'), o.timeout);
  c.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, err, ms: now() - t0 }); });
});
const stats = new Map(Object.keys(bases).map((f) => [f, { cases: 0, exit0: 0, exit1: 0, bad: [], ms: [] }]));
let next = 0;
await Promise.all(Array.from({ length: o.jobs }, async () => {
  while (next < jobs.length) {
    const job = jobs[next++];
    const r = await run(job);
    const s = stats.get(job.format);
    s.cases++;
    s.ms.push(r.ms);
    const lines = r.err.split('\n').filter((l) => l !== '' && !l.startsWith('warning: '));
    let problem = null;
    if (r.signal) problem = `no end within ${o.timeout} ms`;
    else if (r.code !== 0 && r.code !== 1) problem = `exit ${r.code}`;
    else if (/\n\s+at /.test(r.err)) problem = 'stack trace';
    else if (r.code === 1 && (lines.length !== 1 || /internal error/.test(lines[0]))) problem = `stderr: ${lines.length} lines: ${lines[0]}`;
    if (problem) s.bad.push(`${job.file}: ${problem}`);
    else if (r.code === 0) s.exit0++;
    else s.exit1++;
  }
}));
console.log(`Reader fuzz through the CLI: ${o.cases} mutants per format, seed ${o.seed}, ${o.jobs} at a time, each in a fresh process (limit ${o.timeout} ms)`);
console.log('| format | cases | exit 0 | exit 1, one line | failures | median ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [f, s] of stats) console.log(`| ${f} | ${s.cases} | ${s.exit0} | ${s.exit1} | ${s.bad.length} | ${median(s.ms).toFixed(0)} | ${Math.max(...s.ms).toFixed(0)} |`);
const bad = [...stats.values()].flatMap((s) => s.bad);
for (const b of bad.slice(0, 20)) console.log(`FAIL ${b}`);
if (!bad.length) rmSync(dir, { recursive: true, force: true });
process.exitCode = bad.length ? 1 : 0;
