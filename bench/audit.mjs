#!/usr/bin/env node
// `arena audit` against one `arena rate` of the same board, side by side in one run (issue 14: "audit on 6M battles /
// 339 models finishes within 10× one arena rate"): the embedded April 2026 board simulated (5.78M battles, seed 1,
// cached in bench/.cache by fixture hash), each command a fresh process with --threads 1, medians of --repeats runs.
//   rate    arena rate sim.jsonl
//   audit   arena audit sim.jsonl --target <the model at position 20>: drop, flip and add for "#1 changes" (3
//           challengers) and "an adjacent pair of the top 5 swaps", and the rigging budget (1 and 5 positions,
//           target-only and omnipresent) — every section of the table
// Prints the seconds, the ratio, the load average before and after (other processes share the machine), and the
// audit's figures.
//   npm run build && node bench/audit.mjs [--battles N] [--repeats R]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, ROOT, simulatedFile } from './lib.mjs';

const bin = join(ROOT, 'dist', 'cli', 'main.js');
const { values: o } = parseArgs({ options: { battles: { type: 'string', default: '5780000' }, repeats: { type: 'string', default: '3' } } });
const file = simulatedFile(Number(o.battles));
const repeats = Number(o.repeats);

/** One fresh `arena args…`: wall seconds and stdout. */
function run(args) {
  const t0 = performance.now();
  const p = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28 });
  if (p.status !== 0) throw new Error(`arena ${args.join(' ')} exited ${p.status}: ${p.stderr}`);
  return { s: (performance.now() - t0) / 1000, out: p.stdout };
}

const load0 = loadavg().map((x) => x.toFixed(1)).join(' ');
const rated = JSON.parse(run(['rate', file, '--threads', '1', '--quiet', '--format', 'json', '--ci-method', 'none']).out);
const target = rated.models[19].model;
const rateArgs = ['rate', file, '--threads', '1', '--quiet'];
const auditArgs = ['audit', file, '--threads', '1', '--quiet', '--target', target, '--format', 'json'];
// alternate the two commands so that a change of load hits both alike
const rate = [];
const audit = [];
let report;
for (let r = 0; r < repeats; r++) {
  rate.push(run(rateArgs).s);
  const a = run(auditArgs);
  audit.push(a.s);
  report = JSON.parse(a.out);
}
const load1 = loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`audit.mjs: ${Number(o.battles).toLocaleString('en-US')} simulated battles (seed 1), ${rated.models.length} models, medians of ${repeats} fresh processes, Node ${process.version}; load average ${load0} before, ${load1} after`);
// on a loaded machine the fastest runs are the least disturbed: their ratio beside the medians'
console.log('| command | median seconds (runs) | ratio of medians | ratio of fastest runs | target |');
console.log('| --- | ---: | ---: | ---: | ---: |');
const mr = median(rate);
const ma = median(audit);
console.log(`| rate | ${mr.toFixed(1)} (${rate.map((x) => x.toFixed(1)).join(', ')}) | 1× | 1× | |`);
console.log(`| audit --target ${target} (#1 changes, top-5 adjacent pairs, rigging 1 and 5 positions) | ${ma.toFixed(1)} (${audit.map((x) => x.toFixed(1)).join(', ')}) | ${(ma / mr).toFixed(1)}× | ${(Math.min(...audit) / Math.min(...rate)).toFixed(1)}× | ≤ 10× |`);
const n = (p) => (p ? `${p.votes} (${(100 * p.fraction).toFixed(4)}%, ${p.below} over ${p.above})` : 'none');
const refits = [...report.perturbations, ...(report.adjacent?.perturbations ?? []), ...(report.rigging?.budgets ?? [])].reduce((s, p) => s + p.refits, 0);
console.log(`\nfigures (${refits} exact refits in all):`);
for (const action of ['drop', 'flip', 'add']) {
  const best = (ps) => ps.filter((p) => p.action === action && p.votes !== null).sort((x, y) => x.votes - y.votes)[0];
  console.log(`- ${action}: #1 changes ${n(best(report.perturbations))}; an adjacent top-5 pair swaps ${n(best(report.adjacent.perturbations))}`);
}
for (const b of report.rigging.budgets) console.log(`- rigging ${target} (position ${report.rigging.position}) up ${b.ranks}, ${b.mode}: ${b.votes} votes → position ${b.positionAfter}`);
