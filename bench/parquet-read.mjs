#!/usr/bin/env node
// Benchmark: reading a 1M-battle Parquet file with hyparquet on the main thread (readParquetInto, the library's
// in-thread reader) against the CLI's reader (readBattles → readParquetFileInto: hyparquet on a worker thread under
// a deadline, names sent once per row range), side by side in one run, alternating, as a ratio.
// Usage: npm run build && node bench/parquet-read.mjs [--battles 1000000] [--repeats 7]
// The battles: `arena simulate --battles N --seed 1` (cached in bench/.cache/), written as Parquet with
// hyparquet-writer (model_a, model_b, winner, tstamp; --row-group rows per row group, 1M by default).
// Usage: node bench/parquet-read.mjs --row-group 100000   (LMArena's files have many row groups)
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import { BattleTableBuilder, readBattles, readParquetInto } from '../dist/advanced.js';
import { median, now, parseArgs, simulatedFile } from './lib.mjs';

const o = parseArgs(process.argv.slice(2), { battles: 1_000_000, repeats: 7, rowGroup: 1_000_000, child: '' });
const jsonl = simulatedFile(o.battles);
const path = jsonl.replace(/\.jsonl$/, `-rg${o.rowGroup}.parquet`);
if (!existsSync(path)) {
  const t = await readBattles([jsonl]);
  const labels = ['model_a', 'model_b', 'tie', 'tie (bothbad)'];
  parquetWriteFile({
    filename: `${path}.tmp`,
    rowGroupSize: o.rowGroup,
    columnData: [
      { name: 'model_a', data: Array.from(t.a, (x) => t.models[x]), type: 'STRING' },
      { name: 'model_b', data: Array.from(t.b, (x) => t.models[x]), type: 'STRING' },
      { name: 'winner', data: Array.from(t.outcome, (x) => labels[x]), type: 'STRING' },
      { name: 'tstamp', data: Float64Array.from(t.tstamp), type: 'DOUBLE' },
    ],
  });
  renameSync(`${path}.tmp`, path);
}

const inThread = async () => {
  const b = new BattleTableBuilder();
  await readParquetInto(b, await asyncBufferFromFile(path), path);
  return b.finish();
};
const worker = () => readBattles([path]);
const designs = { 'in-thread (readParquetInto)': inThread, 'worker + deadline (readBattles)': worker };

if (o.child) {
  // one read in this fresh process (as the CLI reads once: a cold JIT, like a user's run), its time and a digest
  const t0 = now();
  const t = await designs[o.child]();
  const ms = now() - t0;
  let h = 0;
  for (let i = 0; i < t.rows; i++) h = (Math.imul(h, 31) + t.a[i] * 7919 + t.b[i] * 104729 + t.outcome[i] + Math.round(t.tstamp[i])) | 0;
  process.stdout.write(JSON.stringify({ ms, rows: t.rows, models: t.models.length, digest: `${t.models.join('|')}#${h}` }));
} else {
  const samples = new Map(Object.keys(designs).map((k) => [k, []]));
  const digests = new Set();
  let info;
  for (let r = 0; r < o.repeats; r++) {
    for (const name of Object.keys(designs)) {
      const out = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--battles', String(o.battles), '--row-group', String(o.rowGroup), '--child', name], { encoding: 'utf8', maxBuffer: 1 << 26 }));
      samples.get(name).push(out.ms);
      digests.add(out.digest);
      info = out;
    }
  }
  const base = median(samples.get('in-thread (readParquetInto)'));
  console.log(`Parquet read, ${info.rows.toLocaleString('en')} battles, ${info.models} models, row groups of ${o.rowGroup.toLocaleString('en')} rows; each read in a fresh process (as the CLI reads), medians of ${o.repeats}; same table from both: ${digests.size === 1}`);
  console.log('| design | median ms | ratio to in-thread |\n| --- | ---: | ---: |');
  for (const [name, xs] of samples) console.log(`| ${name} | ${median(xs).toFixed(0)} | ${(median(xs) / base).toFixed(2)} |`);
}
