#!/usr/bin/env node
// Vote rigging (issue 14 item 2; Min et al. 2025): how many battles of the arena's traffic an attacker must vote in to
// lift a mid-table model by one position, target-only (only the model's own battles, each won by it) against
// omnipresent (every battle: the model's own won, the others decided against the 3 models just above it by their
// first-order effects), side by side. Board: 40 models 4 points apart (1000 … 1156), 200,000 baseline battles drawn
// uniformly, the target m20 (position 21 in truth); 20 replications per budget, seed 3. Prints the mean position gain
// and the share of replications with a gain of at least one position.
// Then random-voter contamination (a share of the votes replaced by coin flips) on the embedded 5.78M-vote board.
//   npm run build && node bench/rigging.mjs [--reps R] [--creps R]
import { parseArgs } from 'node:util';
import { parseScenario } from '../dist/sim/scenario.js';
import { runWhatIf, simulatedBaseline } from '../dist/sim/whatif.js';
import { loadSimRatings } from '../dist/sim/fixture.js';

const { values: o } = parseArgs({ options: { reps: { type: 'string', default: '20' }, creps: { type: 'string', default: '5' } } });
const m = 40;
const models = Array.from({ length: m }, (_, v) => `m${String(v).padStart(2, '0')}`);
const truth = { models, ratings: Float64Array.from(models, (_, v) => 1000 + 4 * v), weights: null, isNew: new Uint8Array(m), real: null, votes: 200_000 };
const target = 'm20';
const t0 = performance.now();
console.log(`rigging.mjs: 40 models 4 points apart, 200,000 baseline battles, target ${target}, ${o.reps} replications a budget, Node ${process.version}`);
console.log('| traffic battles voted | target-only: votes cast | mean gain | ≥ 1 position | omnipresent: votes cast | mean gain | ≥ 1 position |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const votes of [50, 100, 200, 400, 800, 1600, 3200]) {
  const cells = [votes.toLocaleString('en-US')];
  for (const mode of ['target', 'omnipresent']) {
    const s = parseScenario({ baseline: { battles: 200_000 }, replications: Number(o.reps), seed: 3, steps: [{ type: 'rig', model: target, votes, mode }] });
    const r = runWhatIf(s, simulatedBaseline(truth, s, 'bench'));
    const K = r.samples.models.length;
    const k = r.samples.models.indexOf(target);
    const base = r.models.find((x) => x.model === target).baseline.position;
    let gain = 0;
    let lifted = 0;
    for (let rep = 0; rep < r.samples.replications; rep++) {
      const g = base - r.samples.position[rep * K + k];
      gain += g / r.samples.replications;
      if (g >= 1) lifted++;
    }
    cells.push(r.steps[0].votesAdded.toFixed(0), gain.toFixed(2), `${((100 * lifted) / r.samples.replications).toFixed(0)}%`);
  }
  console.log(`| ${cells.join(' | ')} |`);
}
console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);

// Random voters (Zhao et al. 2024: 10% careless or adversarial votes move models up to 5 places): the embedded April
// 2026 board, 5.78M battles by popularity, a fraction of the votes replaced by coin flips; per replication the largest
// move of a model's position and how many models move 5 places or more.
const t1 = performance.now();
const board = loadSimRatings();
console.log(`\ncontamination: the embedded board (${board.models.length} models, ${board.votes.toLocaleString('en-US')} battles by popularity), ${o.creps} replications, seed 3`);
console.log('| fraction replaced | largest position change (mean over runs) | models moving ≥ 5 places (mean) | models moving ≥ 1 place (mean) |');
console.log('| ---: | ---: | ---: | ---: |');
for (const fraction of [0.01, 0.05, 0.1, 0.2]) {
  const s = parseScenario({ replications: Number(o.creps), seed: 3, steps: [{ type: 'contaminate', fraction }] });
  const r = runWhatIf(s, simulatedBaseline(board, s, 'bench'));
  const K = r.samples.models.length;
  const basePos = new Map(r.models.map((x) => [x.model, x.baseline.position]));
  let largest = 0;
  let five = 0;
  let one = 0;
  for (let rep = 0; rep < r.samples.replications; rep++) {
    let worst = 0;
    for (let k = 0; k < K; k++) {
      const d = Math.abs(r.samples.position[rep * K + k] - basePos.get(r.samples.models[k]));
      worst = Math.max(worst, d);
      if (d >= 5) five++;
      if (d >= 1) one++;
    }
    largest += worst;
  }
  const R = r.samples.replications;
  console.log(`| ${(100 * fraction).toFixed(0)}% | ${(largest / R).toFixed(1)} | ${(five / R).toFixed(1)} | ${(one / R).toFixed(1)} |`);
}
console.log(`(${((performance.now() - t1) / 1000).toFixed(1)} s)`);
