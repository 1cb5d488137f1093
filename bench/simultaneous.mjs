#!/usr/bin/env node
// Simultaneous rank intervals (issue 14 item 4): on simulated boards with known truth, how often each kind of rank
// interval orders some pair of models against the truth (a model placed surely above one it is not above):
//   simultaneous  arena rate --simultaneous-ranks (max-statistic over all pairwise gaps, sandwich law)
//   per-pair      the same construction with the single-pair critical value 1.96
//   per-model     the rank ranges of `arena rate` (rankLower–rankUpper: overlap of the per-model 95% intervals),
//                 and the per-model 95% rating intervals all at once (every true rating inside its interval)
// Boards: 15 models in three tiers of five equal true ratings 40 points apart (30 pairs of equal models), 20,000
// battles each (uniform pairs, tie rate 0.3), seeds 1000…; fixed seeds, so the figures are reproducible.
//   npm run build && node bench/simultaneous.mjs [--boards N]
import { parseArgs } from 'node:util';
import { modelFor } from '../dist/models/index.js';
import { DEFAULT_MODEL } from '../dist/models/types.js';
import { createRng } from '../dist/rng.js';
import { simulateTable } from '../dist/sim/generate.js';
import { simultaneousRanks } from '../dist/stats/simultaneous.js';
import { addIntervals, DEFAULT_INTERVALS } from '../dist/stats/uncertainty.js';
import { leaderboardOf } from '../dist/leaderboard/leaderboard.js';

const { values: o } = parseArgs({ options: { boards: { type: 'string', default: '400' } } });
const boards = Number(o.boards);
const m = 15;
const names = Array.from({ length: m }, (_, v) => `m${String(v).padStart(2, '0')}`);
const truth = Float64Array.from(names, (_, v) => 1000 + 40 * Math.floor(v / 5));
const f = 400 / Math.log(10);
const model = modelFor(DEFAULT_MODEL);
let sim = 0;
let pair = 0;
let perModel = 0;
let allRatings = 0;
let critical = 0;
const t0 = performance.now();
for (let b = 0; b < boards; b++) {
  const t = simulateTable({ models: names, ratings: truth }, 20_000, { tieRate: 0.3 }, createRng(1000 + b));
  const rated = await addIntervals(model.fit(t, DEFAULT_MODEL), model, { ...DEFAULT_INTERVALS, threads: 1 });
  const s = simultaneousRanks(rated, 0.95, b);
  critical += s.critical / boards;
  const cov = rated.cov.cov;
  const r = rated.point.ratings;
  const wrong = (c) => {
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
      if (i === j) continue;
      const sd = Math.sqrt(cov[i * m + i] + cov[j * m + j] - 2 * cov[i * m + j]) * f;
      if (r[j] - r[i] - c * sd > 0 && !(truth[j] > truth[i])) return true;
    }
    return false;
  };
  if (!wrong(s.critical)) sim++;
  if (!wrong(1.959964)) pair++;
  // per-model rank ranges: the true rank range of a model (1 + truly above … m − truly below) must meet its range
  const lb = leaderboardOf(rated, {});
  let ok = true;
  for (const row of lb.models) {
    const v = names.indexOf(row.model);
    const above = truth.filter((x) => x > truth[v]).length;
    const below = truth.filter((x) => x < truth[v]).length;
    if (row.rankUpper < 1 + above || row.rankLower > m - below) ok = false;
  }
  if (ok) perModel++;
  // per-model 95% rating intervals, all at once: every true rating (on the fit's scale: shifted to the fitted mean,
  // the centring both share) inside its interval
  const shift = r.reduce((a, x) => a + x, 0) / m - truth.reduce((a, x) => a + x, 0) / m;
  if (names.every((_, v) => rated.intervals.lower[v] <= truth[v] + shift && truth[v] + shift <= rated.intervals.upper[v])) allRatings++;
}
const pct = (k) => `${((100 * k) / boards).toFixed(1)}%`;
console.log(`simultaneous.mjs: ${boards} boards of ${m} models (three tiers of five equal ratings), 20,000 battles each, Node ${process.version}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log('| rank intervals | boards with no pair ordered against the truth |');
console.log('| --- | ---: |');
console.log(`| simultaneous (max-statistic, mean critical value ${critical.toFixed(2)}) | ${pct(sim)} |`);
console.log(`| per-pair (critical value 1.96) | ${pct(pair)} |`);
console.log(`| per-model rank ranges (overlap of 95% intervals) | ${pct(perModel)} |`);
console.log(`| (per-model 95% rating intervals: boards with every true rating inside its interval) | ${pct(allRatings)} |`);
