#!/usr/bin/env node
// Benchmark: covariates stream (issue 13, item 3). `arena rate` of the 5.78M simulated battles, plain and with two
// covariates and a filter, side by side in one run: median wall time and peak RSS of fresh processes, and their
// ratios to the plain run on the same file. Target: within 2× the time and memory of a plain `rate`.
// Usage: npm run build && node bench/covariates.mjs [--battles N] [--repeats R]
// Inputs (bench/.cache/, made once): `arena simulate --seed 1` (model_a, model_b, winner, tstamp; bench/filter.mjs
// makes the same file), and the same lines with two numeric fields added from createRng('covariates'): a top-level
// `is_direct` (0/1, 30% ones) and a nested `conv_metadata.sum_user_tokens` (an integer 1–2000), so that one
// covariate is read in place and one from inside an object.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRng } from '../dist/index.js';
import { FIXTURE_TAG, fmt, markdownTable, median, parseArgs, ROOT, runChild, simulatedFile } from './lib.mjs';

const o = parseArgs(process.argv.slice(2), { battles: 5_780_000, repeats: 2 });
const bin = join(ROOT, 'dist', 'cli', 'main.js');
const cache = join(ROOT, 'bench', '.cache');
mkdirSync(cache, { recursive: true });
const plainFile = simulatedFile(o.battles);
const covFile = join(cache, `sim-${o.battles}-seed1-${FIXTURE_TAG}-covariates.jsonl`);
if (!existsSync(covFile)) {
  process.stderr.write(`adding is_direct and conv_metadata.sum_user_tokens → ${covFile}\n`);
  const rng = createRng('covariates');
  const out = createWriteStream(covFile + '.tmp');
  let buf = '';
  for await (const line of createInterface({ input: createReadStream(plainFile), crlfDelay: Infinity })) {
    if (!line) continue;
    const direct = rng() < 0.3 ? 1 : 0;
    const tokens = 1 + Math.floor(rng() * 2000);
    buf += `${line.slice(0, -1)},"is_direct":${direct},"conv_metadata":{"sum_user_tokens":${tokens}}}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise((r) => out.end(r));
  renameSync(covFile + '.tmp', covFile);
}

const filter = 'tstamp >= date("2026-04-10")';
const covs = ['--covariate', 'is_direct', '--covariate', 'user_tokens=conv_metadata.sum_user_tokens'];
const runs = [
  { name: 'rate (plain)', args: [] },
  { name: `rate --filter '${filter}'`, args: ['--filter', filter] },
  { name: `rate --filter … + 2 covariates`, args: ['--filter', filter, ...covs] },
  { name: `rate --filter … + 2 covariates --reweight pairs`, args: ['--filter', filter, ...covs, '--reweight', 'pairs'] },
  { name: 'rate + 2 covariates (no filter)', args: covs },
];
const samples = new Map(runs.map((r) => [r.name, { ms: [], rss: [], out: null }]));
for (let k = 0; k < o.repeats; k++) {
  for (const r of runs) {
    const res = runChild(bin, ['rate', covFile, '--format', 'json', '--quiet', ...r.args]);
    const s = samples.get(r.name);
    s.ms.push(res.wallMs);
    s.rss.push(res.peakRss);
    process.stderr.write(`${r.name}: ${fmt.ms(res.wallMs)}, ${fmt.mib(res.peakRss)}\n`);
  }
}
// battles kept and coefficients, from one more run each (not timed)
for (const r of runs) {
  const out = JSON.parse(execFileSync(process.execPath, [bin, 'rate', covFile, '--format', 'json', '--quiet', ...r.args], { maxBuffer: 1 << 26 }));
  samples.get(r.name).out = out;
}
const mib = (f) => (statSync(f).size / 2 ** 20).toFixed(0);
console.log(`covariates bench: ${o.battles.toLocaleString('en-US')} simulated battles (seed 1) with 2 numeric fields (${mib(covFile)} MiB), ${o.repeats} fresh processes each, sandwich intervals, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
const base = samples.get('rate (plain)');
const rows = runs.map((r) => {
  const s = samples.get(r.name);
  const coef = s.out.style ? s.out.style.coefficients.map((c) => `${c.feature} ${c.coefficient.toFixed(4)} [${c.lower.toFixed(4)}, ${c.upper.toFixed(4)}]`).join('; ') : '';
  return [r.name, s.out.battles.toLocaleString('en-US'), fmt.ms(median(s.ms)), fmt.mib(median(s.rss)), fmt.x(median(s.ms) / median(base.ms)), fmt.x(median(s.rss) / median(base.rss)), coef];
});
console.log(markdownTable(['run', 'battles', 'median time', 'median peak RSS', 'time ratio', 'memory ratio', 'coefficients (95% sandwich)'], rows));
