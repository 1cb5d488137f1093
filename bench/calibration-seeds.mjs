#!/usr/bin/env node
// Monte-Carlo stability of bootstrap bounds: the same data, the same number of rounds, two seeds.
// Default: LMArena's 1.67M real battles (../shared/data/chatbot-arena-20240814), 1,000 rounds, seeds 1 and 2,
// plus the bootstrap/sandwich half-width ratio and the time per round.
//   npm run build && node bench/calibration-seeds.mjs [--file F] [--rounds 1000] [--seeds 1,2] [--threads 2]
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RATE, fitRatings, normalIntervals, readBattles, sandwichCovariance } from '../dist/index.js';
import { bootstrapRatings } from '../dist/stats/bootstrap.js';
import { percentileIntervals } from '../dist/stats/interval.js';
import { bootstrapJobOf } from '../dist/stats/uncertainty.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: a } = parseArgs({
  options: {
    file: { type: 'string', default: join(here, '..', '..', 'shared', 'data', 'chatbot-arena-20240814', 'battles.jsonl') },
    rounds: { type: 'string', default: '1000' },
    seeds: { type: 'string', default: '1,2' },
    threads: { type: 'string', default: '2' },
  },
});
const t = await readBattles([a.file], {});
const point = fitRatings(t, DEFAULT_RATE);
const job = bootstrapJobOf(t, point, DEFAULT_RATE);
const bounds = [];
for (const seed of a.seeds.split(',')) {
  const t0 = performance.now();
  const dist = await bootstrapRatings(job, { rounds: Number(a.rounds), seed, threads: Number(a.threads) });
  const secs = (performance.now() - t0) / 1000;
  bounds.push(percentileIntervals(dist, point.ratings, 0.95));
  console.log(`seed ${seed}: ${a.rounds} rounds in ${secs.toFixed(1)} s (${((secs * 1000) / Number(a.rounds)).toFixed(2)} ms a round with ${a.threads} threads; ${dist.fallbacks} full-Newton fallbacks, ${dist.degenerate} degenerate rounds)`);
}
const [x, y] = bounds;
let worst = 0;
let worstModel = '';
let sum = 0;
let within = 0;
let withinNarrow = 0;
let narrow = 0;
for (let v = 0; v < point.models.length; v++) {
  const d = Math.max(Math.abs(x.lower[v] - y.lower[v]), Math.abs(x.upper[v] - y.upper[v]));
  sum += d;
  if (d <= 0.5) within++;
  if ((x.upper[v] - x.lower[v]) / 2 <= 5) {
    narrow++;
    if (d <= 0.5) withinNarrow++;
  }
  if (d > worst) {
    worst = d;
    worstModel = point.models[v];
  }
}
console.log(`${point.models.length} models, ${t.battles.toLocaleString('en-US')} battles: largest bound difference between seeds ${worst.toFixed(3)} points (${worstModel}), mean ${(sum / point.models.length).toFixed(3)}; ${within}/${point.models.length} models within 0.5 points (${withinNarrow}/${narrow} of those with a half-width ≤ 5 points)`);
const sw = normalIntervals(point.ratings, sandwichCovariance(point.pairs, 'half', point.theta, point.prior), 0.95, DEFAULT_RATE);
const ratios = point.models.map((_, v) => (x.upper[v] - x.lower[v]) / (sw.upper[v] - sw.lower[v]));
ratios.sort((p, q) => p - q);
console.log(`bootstrap / sandwich half-width: median ${ratios[Math.floor(ratios.length / 2)].toFixed(3)}, range ${ratios[0].toFixed(3)} – ${ratios[ratios.length - 1].toFixed(3)}`);
