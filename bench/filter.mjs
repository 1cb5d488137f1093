#!/usr/bin/env node
// Benchmark: filters stream (issue 13, item 4). `arena rate` of the 5.78M simulated battles, plain and with
// --filter, side by side: median wall time and peak RSS of fresh processes, and their ratios to the plain run on
// the same file. Target: a filter within 2× the time and memory of a plain `rate`.
// Usage: npm run build && node bench/filter.mjs [--battles N] [--repeats R]
// Inputs (bench/.cache/, made once): `arena simulate --seed 1` (fields model_a, model_b, winner, tstamp), and the
// same lines with two more fields, `language` and `anony`, drawn from createRng(1) (70% English, 85% anonymous),
// so that the filter reads fields the readers otherwise skip.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRng } from '../dist/index.js';
import { FIXTURE_TAG, fmt, markdownTable, median, parseArgs, ROOT, runChild, simulatedFile } from './lib.mjs';

const o = parseArgs(process.argv.slice(2), { battles: 5_780_000, repeats: 3 });
const bin = join(ROOT, 'dist', 'cli', 'main.js');
const cache = join(ROOT, 'bench', '.cache');
mkdirSync(cache, { recursive: true });
const plainFile = simulatedFile(o.battles);
const fieldsFile = join(cache, `sim-${o.battles}-seed1-${FIXTURE_TAG}-fields.jsonl`);
if (!existsSync(fieldsFile)) {
  process.stderr.write(`adding language and anony → ${fieldsFile}\n`);
  const rng = createRng(1);
  const LANGS = ['English', 'English', 'English', 'English', 'English', 'English', 'English', 'Chinese', 'Russian', 'unknown'];
  const out = createWriteStream(fieldsFile + '.tmp');
  let buf = '';
  for await (const line of createInterface({ input: createReadStream(plainFile), crlfDelay: Infinity })) {
    if (!line) continue;
    const lang = LANGS[Math.floor(rng() * LANGS.length)];
    buf += `${line.slice(0, -1)},"language":"${lang}","anony":${rng() < 0.85}}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise((r) => out.end(r));
  renameSync(fieldsFile + '.tmp', fieldsFile);
}

const window = 'tstamp >= date("2026-05-01")';
const runs = [
  { name: 'rate (plain)', file: plainFile, filter: null, base: 'rate (plain)' },
  { name: `--filter '${window}'`, file: plainFile, filter: window, base: 'rate (plain)' },
  { name: "--filter 'tstamp > 0' (keeps all)", file: plainFile, filter: 'tstamp > 0', base: 'rate (plain)' },
  { name: 'rate (plain), +language +anony', file: fieldsFile, filter: null, base: 'rate (plain), +language +anony' },
  { name: `--filter 'anony and language == "English"'`, file: fieldsFile, filter: 'anony and language == "English"', base: 'rate (plain), +language +anony' },
  { name: `--filter 'language != "x" and (anony or not anony)' (keeps all)`, file: fieldsFile, filter: 'language != "x" and (anony or not anony)', base: 'rate (plain), +language +anony' },
];
const samples = new Map(runs.map((r) => [r.name, { ms: [], rss: [], battles: 0 }]));
for (let k = 0; k < o.repeats; k++) {
  for (const r of runs) {
    const args = ['rate', r.file, '--format', 'json', '--quiet', ...(r.filter ? ['--filter', r.filter] : [])];
    const res = runChild(bin, args);
    const s = samples.get(r.name);
    s.ms.push(res.wallMs);
    s.rss.push(res.peakRss);
    process.stderr.write(`${r.name}: ${fmt.ms(res.wallMs)}, ${fmt.mib(res.peakRss)}\n`);
  }
}
// battles kept, from one in-process JSON run each (not timed)
for (const r of runs) {
  const out = execFileSync(process.execPath, [bin, 'rate', r.file, '--format', 'json', '--quiet', '--ci-method', 'none', ...(r.filter ? ['--filter', r.filter] : [])], { maxBuffer: 1 << 26 });
  samples.get(r.name).battles = JSON.parse(out).battles;
}
const mib = (f) => (statSync(f).size / 2 ** 20).toFixed(0);
console.log(`filter bench: ${o.battles.toLocaleString('en-US')} simulated battles (seed 1; ${mib(plainFile)} MiB, with fields ${mib(fieldsFile)} MiB), ${o.repeats} fresh processes each, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
const rows = runs.map((r) => {
  const s = samples.get(r.name);
  const b = samples.get(r.base);
  const t = median(s.ms);
  const m = median(s.rss);
  return [r.name, s.battles.toLocaleString('en-US'), fmt.ms(t), fmt.mib(m), fmt.x(t / median(b.ms)), fmt.x(m / median(b.rss))];
});
console.log(markdownTable(['run', 'battles kept', 'median time', 'median peak RSS', 'time ratio', 'memory ratio'], rows));
