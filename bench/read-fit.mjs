#!/usr/bin/env node
// Benchmark: read + aggregate + fit 1M simulated battles (issue 2's first benchmark).
// Usage: npm run build && node bench/read-fit.mjs [--battles N] [--reps R]
// Fixed seed (42), the embedded April 2026 fixture (339 models); battles cached in bench/.cache/.
// Prints the median (and min/max) of R repetitions per stage, in milliseconds.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aggregatePairs, btCells, DEFAULT_MODEL, fitBradleyTerry, fitModel, readBattles, replayElo } from '../dist/advanced.js';
import { FIXTURE_TAG } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const battles = arg('--battles', 1_000_000);
const reps = arg('--reps', 5);
const cache = join(here, '.cache');
mkdirSync(cache, { recursive: true });
const file = join(cache, `sim-${battles}-seed42-${FIXTURE_TAG}.jsonl`);
if (!existsSync(file)) {
  process.stderr.write(`generating ${battles} battles → ${file}\n`);
  execFileSync(process.execPath, [join(here, '..', 'dist', 'cli', 'main.js'), 'simulate', '--battles', String(battles), '--seed', '42', '--out', file]);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = async (fn) => {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
};
const stages = { 'read bytes only (fs.readFileSync)': [], 'read + parse + validate (readBattles)': [], 'aggregate to pair cells': [], 'BT fit (Newton, 1e-6 points)': [], 'online Elo replay': [], 'whole rate (read → leaderboard)': [] };
let info = '';
for (let r = 0; r < reps; r++) {
  stages['read bytes only (fs.readFileSync)'].push((await time(() => readFileSync(file).length))[0]);
  const [tRead, table] = await time(() => readBattles([file]));
  stages['read + parse + validate (readBattles)'].push(tRead);
  const [tAgg, pc] = await time(() => aggregatePairs(table));
  stages['aggregate to pair cells'].push(tAgg);
  const cells = btCells(pc, 'half');
  const [tFit, fit] = await time(() => fitBradleyTerry(cells));
  stages['BT fit (Newton, 1e-6 points)'].push(tFit);
  stages['online Elo replay'].push((await time(() => replayElo(table)))[0]);
  stages['whole rate (read → leaderboard)'].push((await time(async () => fitModel(await readBattles([file]), DEFAULT_MODEL)))[0]);
  info = `${table.battles.toLocaleString('en-US')} battles, ${table.models.length} models, ${pc.pairs} pairs, ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB JSONL; fit: ${fit.iterations} iterations, converged ${fit.converged}`;
}
console.log(`read-fit bench: ${info}; ${reps} repetitions, Node ${process.version}`);
console.log('stage'.padEnd(42) + 'median ms'.padStart(12) + 'min'.padStart(10) + 'max'.padStart(10));
for (const [name, xs] of Object.entries(stages)) {
  console.log(name.padEnd(42) + median(xs).toFixed(1).padStart(12) + Math.min(...xs).toFixed(1).padStart(10) + Math.max(...xs).toFixed(1).padStart(10));
}
const elo = median(stages['online Elo replay']);
console.log(`online Elo: ${((elo * 1e6) / battles).toFixed(1)} ns per battle`);
