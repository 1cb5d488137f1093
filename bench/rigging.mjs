#!/usr/bin/env node
// Vote rigging (issue 14 item 2; Min et al. 2025): how many battles of the arena's traffic an attacker must vote in to
// lift a mid-table model by one position, target-only (only the model's own battles, each won by it) against
// omnipresent (every battle: the model's own won, the others decided against the 3 models just above it by their
// first-order effects), side by side. Board: 40 models 4 points apart (1000 … 1156), 200,000 baseline battles drawn
// uniformly, the target m20 (position 21 in truth); 20 replications per budget, seed 3. Prints the mean position gain
// and the share of replications with a gain of at least one position.
//   npm run build && node bench/rigging.mjs [--reps R]
import { parseArgs } from 'node:util';
import { parseScenario } from '../dist/sim/scenario.js';
import { runWhatIf, simulatedBaseline } from '../dist/sim/whatif.js';

const { values: o } = parseArgs({ options: { reps: { type: 'string', default: '20' } } });
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
