#!/usr/bin/env node
// The typical correlation of neighbouring models' estimates behind `compare --board` (TYPICAL_NEIGHBOUR_CORRELATION):
// the published 2025-12-11 full board as the truth, simulated battles under several sampling policies, a
// Bradley–Terry fit and its sandwich covariance; the median correlation of adjacent models (top 20 and all). Then
// the same on the real Chatbot Arena battles (no simulation: the fitted sandwich of the real votes).
//   npm run build && node bench/neighbour-correlation.mjs [--battles N] [--seeds 1,2,3]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL, modelFor, neighbourCorrelations, quantileSorted, readBattles, readPublishedBoard, sandwichIntervals, TYPICAL_NEIGHBOUR_CORRELATION } from '../dist/advanced.js';
import { REAL_BATTLES } from './lib.mjs';

const ROOT = join(import.meta.dirname, '..');
const { values: o } = parseArgs({ options: { battles: { type: 'string', default: '1000000' }, seeds: { type: 'string', default: '1,2,3' } } });
const board = readPublishedBoard(join(ROOT, 'fixtures', 'lmarena-catalog', 'text-2025-12-11.json'), 'full');
const truth = { models: board.models, ratings: board.ratings };
const battles = Number(o.battles);
const f = (x) => x.toFixed(4);
console.log(`TYPICAL_NEIGHBOUR_CORRELATION = ${TYPICAL_NEIGHBOUR_CORRELATION}; truth: ${board.models.length} models of ${board.file}; ${battles.toLocaleString('en-US')} battles`);
console.log('| policy | seed | median, top 20 neighbours | median, all neighbours | time |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const policy of [{ type: 'popularity', exponent: 1 }, { type: 'uniform' }, { type: 'lmarena' }]) {
  for (const seed of policy.type === 'popularity' ? o.seeds.split(',').map(Number) : [1]) {
    const t0 = performance.now();
    const all = neighbourCorrelations(truth, { battles, policy, seed });
    const top = neighbourCorrelations(truth, { battles, policy, seed, top: 20 });
    console.log(`| ${policy.type} | ${seed} | ${f(top.median)} | ${f(all.median)} | ${((performance.now() - t0) / 1000).toFixed(1)} s |`);
  }
}
// real battles: the fitted sandwich of the real votes, neighbours by fitted rating
for (const file of [REAL_BATTLES, REAL_BATTLES.replace('chatbot-arena-20240814', 'chatbot-arena-20240814-math'), REAL_BATTLES.replace('chatbot-arena-20240814', 'chatbot-arena-20240814-japanese')]) {
  const t = await readBattles([file]);
  const model = modelFor(DEFAULT_MODEL);
  const fit = model.fit(t, DEFAULT_MODEL);
  const { cov } = sandwichIntervals(fit, model, 0.95);
  const order = [...fit.models.keys()].sort((x, y) => fit.ratings[y] - fit.ratings[x]);
  const n = cov.n;
  const rs = order.slice(0, -1).map((a, k) => {
    const b = order[k + 1];
    return cov.cov[a * n + b] / Math.sqrt(cov.cov[a * n + a] * cov.cov[b * n + b]);
  });
  const med = (xs) => quantileSorted(Float64Array.from(xs).sort(), 0.5);
  console.log(`real battles ${file.split('/').slice(-2, -1)[0]} (${fit.models.length} models): median top 20 ${f(med(rs.slice(0, 20)))}, all ${f(med(rs))}`);
}
