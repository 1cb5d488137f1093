#!/usr/bin/env node
// Simultaneous rank intervals (issue 14 item 4): on simulated boards with known truth, how often each kind of rank
// interval orders some pair of models against the truth (a model placed surely above one it is not above):
//   simultaneous  arena rate --simultaneous-ranks (max-statistic over all pairwise gaps, sandwich law)
//   per-pair      the same construction with the single-pair critical value 1.96
//   per-model     the rank ranges of `arena rate` (rankLower–rankUpper: a model surely above another when their
//                 per-model 95% intervals do not overlap),
//                 and the per-model 95% rating intervals all at once (every true rating inside its interval)
// Boards: 15 models in three tiers of five equal true ratings 40 points apart (30 pairs of equal models), 20,000
// battles each (uniform pairs, tie rate 0.3), seeds 1000…; fixed seeds, so the figures are reproducible.
// With --bootstrap R every board's intervals and gap law come from R bootstrap rounds (one worker thread) instead of
// the sandwich (`arena rate --simultaneous-ranks --bootstrap R`).
//   npm run build && node bench/simultaneous.mjs [--boards N] [--bootstrap R]
import { parseArgs } from 'node:util';
import { modelFor } from '../dist/models/index.js';
import { DEFAULT_MODEL } from '../dist/models/types.js';
import { createRng } from '../dist/rng.js';
import { simulateTable } from '../dist/sim/generate.js';
import { simultaneousRanks } from '../dist/stats/simultaneous.js';
import { addIntervals, DEFAULT_INTERVALS } from '../dist/stats/uncertainty.js';

const { values: o } = parseArgs({ options: { boards: { type: 'string', default: '400' }, bootstrap: { type: 'string', default: '0' } } });
const rounds = Number(o.bootstrap);
const boards = Number(o.boards);
const m = 15;
const names = Array.from({ length: m }, (_, v) => `m${String(v).padStart(2, '0')}`);
const truth = Float64Array.from(names, (_, v) => 1000 + 40 * Math.floor(v / 5));
const f = 400 / Math.log(10);
const model = modelFor(DEFAULT_MODEL);
// per kind of rank interval: boards where (A) no pair is ordered against the truth (a model placed surely above one
// it is not truly above), and (B) every model's interval meets its true rank range (1 + truly above … m − truly below)
const kinds = ['simultaneous', 'perPair', 'perModel'];
const clean = Object.fromEntries(kinds.map((k) => [k, 0]));
const meets = Object.fromEntries(kinds.map((k) => [k, 0]));
let allRatings = 0;
let critical = 0;
const t0 = performance.now();
for (let b = 0; b < boards; b++) {
  const t = simulateTable({ models: names, ratings: truth }, 20_000, { tieRate: 0.3 }, createRng(1000 + b));
  const rated = await addIntervals(model.fit(t, DEFAULT_MODEL), model, { ...DEFAULT_INTERVALS, threads: 1, ...(rounds > 0 ? { ciMethod: 'bootstrap', rounds, seed: b } : {}) });
  const s = simultaneousRanks(rated, 0.95, b);
  critical += s.critical / boards;
  // sd of each gap: from the sandwich covariance, or the rounds' standard deviation
  const sdOf = (i, j) => {
    if (rounds === 0) return Math.sqrt(cov[i * m + i] + cov[j * m + j] - 2 * cov[i * m + j]) * f;
    const x = rated.dist.ratings;
    let s1 = 0;
    let s2 = 0;
    for (let q = 0; q < rounds; q++) {
      const g = x[q * m + i] - x[q * m + j];
      s1 += g;
      s2 += g * g;
    }
    return Math.sqrt((s2 - (s1 * s1) / rounds) / (rounds - 1));
  };
  const cov = rated.cov?.cov;
  const r = rated.point.ratings;
  const lo = rated.intervals.lower;
  const hi = rated.intervals.upper;
  // "j surely above i" under each kind
  const surely = {
    simultaneous: (i, j) => r[j] - r[i] - s.critical * sdOf(i, j) > 0,
    perPair: (i, j) => r[j] - r[i] - 1.959964 * sdOf(i, j) > 0,
    perModel: (i, j) => lo[j] > hi[i],
  };
  for (const k of kinds) {
    let wrong = false;
    let miss = false;
    for (let i = 0; i < m; i++) {
      let above = 0;
      let below = 0;
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        if (surely[k](i, j)) {
          above++;
          if (!(truth[j] > truth[i])) wrong = true;
        }
        if (surely[k](j, i)) below++;
      }
      const trueBest = 1 + truth.filter((x) => x > truth[i]).length;
      const trueWorst = m - truth.filter((x) => x < truth[i]).length;
      if (m - below < trueBest || 1 + above > trueWorst) miss = true;
    }
    if (!wrong) clean[k]++;
    if (!miss) meets[k]++;
  }
  // per-model 95% rating intervals, all at once: every true rating (on the fit's scale: shifted to the fitted mean,
  // the centring both share) inside its interval
  const shift = r.reduce((a, x) => a + x, 0) / m - truth.reduce((a, x) => a + x, 0) / m;
  if (names.every((_, v) => lo[v] <= truth[v] + shift && truth[v] + shift <= hi[v])) allRatings++;
}
const pct = (k) => `${((100 * k) / boards).toFixed(1)}%`;
console.log(`simultaneous.mjs: ${boards} boards of ${m} models (three tiers of five equal ratings), 20,000 battles each, ${rounds > 0 ? `bootstrap (${rounds} rounds)` : 'sandwich'}, Node ${process.version}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log('| rank intervals | no pair ordered against the truth | every interval meets the true rank range |');
console.log('| --- | ---: | ---: |');
console.log(`| simultaneous (max-statistic, mean critical value ${critical.toFixed(2)}) | ${pct(clean.simultaneous)} | ${pct(meets.simultaneous)} |`);
console.log(`| per-pair (critical value 1.96) | ${pct(clean.perPair)} | ${pct(meets.perPair)} |`);
console.log(`| per-model rank ranges (non-overlapping 95% intervals) | ${pct(clean.perModel)} | ${pct(meets.perModel)} |`);
console.log(`| per-model 95% rating intervals, every true rating inside its interval | ${pct(allRatings)} | |`);
