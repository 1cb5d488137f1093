#!/usr/bin/env node
// Replays and what-ifs as a ratio to one `arena rate` of the same board (issue 12's speed targets), side by side in
// one run, each command a fresh process with --threads 1, medians of --repeats runs:
//   rate            arena rate sim.jsonl (5.78M simulated battles, seed 1)
//   stability 100   arena stability sim.jsonl --checkpoints 100 --sort input
//   debut-72h R=50  arena whatif --scenario fixtures/scenarios/muse-spark-debut-72h.json (its own simulated baseline)
//   best-of-50 R=50 arena whatif --scenario fixtures/scenarios/muse-spark-best-of-50.json
//   audit           arena audit sim.jsonl (drop, flip and add against 3 challengers and the top-5 adjacent pairs; issue 14: ≤ 10×, bench/audit.mjs adds --target)
//   elo bootstrap   arena rate fixtures/data/chatbot-arena-20240814/battles.jsonl --method elo --bootstrap 1000 (2 threads)
// Targets: stability ≤ 3×, debut ≤ 3×, best-of-50 ≤ 5× one rate; Elo bootstrap ≤ 60 s.
//   npm run build && node bench/replays.mjs [--battles N] [--repeats R] [--quick]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REAL_BATTLES, simulatedFile } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const bin = join(root, 'dist', 'cli', 'main.js');
const { values: o } = parseArgs({ options: { battles: { type: 'string' }, repeats: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const battles = Number(o.battles ?? (o.quick ? 500_000 : 5_780_000));
const repeats = Number(o.repeats ?? (o.quick ? 1 : 3));
const file = simulatedFile(battles);
const real = REAL_BATTLES;
const scen = (name) => join(root, 'fixtures', 'scenarios', name);

/** Median wall seconds of `repeats` fresh runs of `arena args…` (stdout discarded). */
function time(args) {
  const xs = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`arena ${args.join(' ')} exited ${p.status}: ${p.stderr}`);
    xs.push((performance.now() - t0) / 1000);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

const reps = o.quick ? ['--replications', '5'] : [];
const rows = [
  ['rate', ['rate', file, '--threads', '1', '--quiet'], null],
  ['stability, 100 checkpoints', ['stability', file, '--checkpoints', '100', '--sort', 'input', '--threads', '1', '--quiet'], 3],
  ['whatif debut-72h, R = 50', ['whatif', '--scenario', scen('muse-spark-debut-72h.json'), '--threads', '1', '--quiet', ...reps], 3],
  ['whatif best-of-50, R = 50', ['whatif', '--scenario', scen('muse-spark-best-of-50.json'), '--threads', '1', '--quiet', ...reps], 5],
  ['audit (drop, flip, add; 3 challengers; issue 14)', ['audit', file, '--threads', '1', '--quiet'], 10],
];
console.log(`replays.mjs: ${battles.toLocaleString('en-US')} simulated battles (seed 1), medians of ${repeats} fresh processes, Node ${process.version}`);
console.log('| command | seconds | ratio to one rate | target |');
console.log('| --- | ---: | ---: | ---: |');
let base = 0;
for (const [name, args, target] of rows) {
  const s = time(args);
  if (!target) base = s;
  console.log(`| ${name} | ${s.toFixed(1)} | ${target ? `${(s / base).toFixed(1)}×` : '1×'} | ${target ? `≤ ${target}×` : ''} |`);
}
const eloRounds = o.quick ? '100' : '1000';
const e = time(['rate', real, '--method', 'elo', '--bootstrap', eloRounds, '--quiet']);
console.log(`| Elo bootstrap, ${eloRounds} rounds, 1.67M real battles, 2 threads | ${e.toFixed(1)} | | ≤ 60 s |`);
