#!/usr/bin/env node
// False "separated" calls when a board is watched at every checkpoint: fixed-level 95% gap intervals against the
// anytime-valid confidence sequences that `arena stability` uses (src/stats/anytime.ts), on simulated boards with
// known truth. A pair of models with equal true ratings is "falsely separated" in a replay when, at some checkpoint
// where the two are neighbours in rating, the rule says their gap excludes 0. Fixed seeds; prints the rates and
// their Monte-Carlo standard errors.
//   npm run build && node bench/anytime.mjs [--replays R] [--quick]
import { parseArgs } from 'node:util';
import { createRng, DEFAULT_MODEL, simulateTable, stabilityReplay } from '../dist/advanced.js';

const { values: o } = parseArgs({ options: { replays: { type: 'string' }, quick: { type: 'boolean', default: false } } });

/**
 * Boards: true ratings with tied pairs (the pairs named in `ties`), battles, checkpoint spacing.
 * 1. four models, one tie (b = c), 12,000 battles, a checkpoint every 200 (60 looks);
 * 2. twenty models 12 points apart with three ties, 60,000 battles, every 600 (100 looks).
 */
const twenty = Array.from({ length: 20 }, (_, i) => 1200 - 12 * i);
twenty[5] = twenty[4];
twenty[11] = twenty[10];
twenty[16] = twenty[15];
const boards = [
  { name: '4 models, 1 tie, 60 looks', ratings: [1100, 1050, 1050, 1000], ties: [[1, 2]], battles: 12_000, every: 200 },
  { name: '20 models, 3 ties, 100 looks', ratings: twenty, ties: [[4, 5], [10, 11], [15, 16]], battles: 60_000, every: 600 },
];
const replays = Number(o.replays ?? (o.quick ? 40 : 400));
const z = 1.959963984540054;

console.log(`anytime.mjs: ${replays} replays per board, seed "anytime-<board>-<replay>", 95% level; anytime sequences tuned at se = 5, 10 (default), 20 points`);
console.log('board | looks | tied pairs × replays | fixed 95% | anytime tune 5 | anytime tune 10 | anytime tune 20 | time');
for (const [bi, b] of boards.entries()) {
  const names = b.ratings.map((_, i) => `m${String(i).padStart(2, '0')}`);
  const ratings = Float64Array.from(b.ratings);
  const mean = b.ratings.reduce((x, y) => x + y, 0) / b.ratings.length;
  const tunes = [5, 10, 20];
  const hits = { fixed: 0, 5: 0, 10: 0, 20: 0 };
  const t0 = performance.now();
  for (let r = 0; r < replays; r++) {
    const table = simulateTable({ models: names, ratings }, b.battles, { start: 0, interval: 60 }, createRng(`anytime-${bi}-${r}`));
    const ever = new Map();
    for (const tune of tunes) {
      const rep = stabilityReplay(table, { rate: { ...DEFAULT_MODEL, initial: mean }, checkpoints: { every: b.every }, level: 0.95, intervals: 'sandwich', seed: 1, anytimeTune: tune });
      for (const [i, j] of b.ties) {
        const pair = new Set([names[i], names[j]]);
        let anyFixed = false;
        let anyTime = false;
        for (const c of rep.checkpoints) {
          const q = c.models.findIndex((x) => pair.has(x.model));
          const hi = c.models[q];
          const lo = c.models[q + 1];
          if (!hi || !lo || !pair.has(lo.model)) continue;
          if (hi.separatedBelow) anyTime = true;
          if (hi.gapSdBelow !== null && hi.rating - lo.rating > z * hi.gapSdBelow) anyFixed = true;
        }
        if (anyTime) hits[tune]++;
        if (tune === 10 && anyFixed) ever.set(`${i}`, true);
      }
    }
    hits.fixed += ever.size;
  }
  const n = replays * b.ties.length;
  const rate = (k) => {
    const p = k / n;
    return `${(100 * p).toFixed(1)}% ± ${(100 * Math.sqrt((p * (1 - p)) / n)).toFixed(1)}`;
  };
  const looks = Math.ceil(b.battles / b.every);
  console.log(`${b.name} | ${looks} | ${n} | ${rate(hits.fixed)} | ${rate(hits[5])} | ${rate(hits[10])} | ${rate(hits[20])} | ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
