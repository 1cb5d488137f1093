#!/usr/bin/env node
// Voter audit (issue 14 item 3; Chiang et al. 2024 §5.1): true- and false-positive rates of the per-voter tests with
// Benjamini–Hochberg, on simulated voters with a planted anomalous group. Board: 40 models 10 points apart (1000 …
// 1390), 100,000 battles with uniform pairs, ties at rate 0.2 (fitted as half wins), 1,000 voters with Zipf(1)
// activity (the most active casts about 13% of the votes, the median about 27 votes); 5% of the voters anomalous:
// coin flips, adversarial (the lower true rating always wins), promoters of the median model (m19) or of a low one
// (m05, promoter-low); also a null board
// (no anomalous voter). 10 seeds each, α = 0.1 and 0.05. TPR = anomalous voters flagged / anomalous voters (all, and
// among those tested, ≥ 20 votes); FPR = honest voters flagged / honest voters tested; FDP = false flags / flags;
// last column: the share of honest tested voters whose p-value is below 0.05 (5% if the p-values were exact; less:
// conservative).
//   npm run build && node bench/voters.mjs [--seeds N]
import { parseArgs } from 'node:util';
import { simulateVoterTable } from '../dist/sim/voters.js';
import { modelFor } from '../dist/models/index.js';
import { DEFAULT_MODEL } from '../dist/models/types.js';
import { voterAudit } from '../dist/stats/voters.js';

const { values: o } = parseArgs({ options: { seeds: { type: 'string', default: '10' }, battles: { type: 'string', default: '100000' }, voters: { type: 'string', default: '1000' } } });
const m = 40;
const models = Array.from({ length: m }, (_, v) => `m${String(v).padStart(2, '0')}`);
const truth = { models, ratings: Float64Array.from(models, (_, v) => 1000 + 10 * v), weights: null, isNew: new Uint8Array(m), real: null, votes: 0 };
const opts = { ...DEFAULT_MODEL };
const model = modelFor(opts);
const seeds = Number(o.seeds);
const t0 = performance.now();
console.log(`voters.mjs: 40 models 10 points apart, ${Number(o.battles).toLocaleString('en-US')} battles, ${o.voters} voters (Zipf 1 activity), 5% anomalous, ${seeds} seeds, Bradley–Terry ties half, Node ${process.version}`);
console.log('| anomaly | α | anomalous voters | tested | TPR (all) | TPR (tested) | TPR (≥ 100 votes) | FPR (honest tested) | runs with a false flag | mean FDP | honest p < 0.05 |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const anomaly of ['none', 'random', 'adversarial', 'promoter', 'promoter-low']) {
  for (const alpha of [0.1, 0.05]) {
    let bad = 0, badTested = 0, tp = 0, bigBad = 0, bigTp = 0, honestTested = 0, fp = 0, runsFp = 0, fdp = 0, honestSmall = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const kind = anomaly === 'none' ? 'random' : anomaly === 'promoter-low' ? 'promoter' : anomaly;
      const spec = { voters: Number(o.voters), anomalousShare: anomaly === 'none' ? 0 : 0.05, anomaly: kind, activityExponent: 1, ...(anomaly === 'promoter-low' ? { promote: 'm05' } : {}) };
      const { table, voters } = simulateVoterTable(truth, Number(o.battles), { tieRate: 0.2 }, spec, seed);
      const fit = model.fit(table, opts);
      const audit = voterAudit(fit, model, { alpha, refit: false });
      const tested = new Set(audit.tests.map((t) => t.voter));
      const pOf = new Map(audit.tests.map((t) => [t.voter, t.p]));
      const votesOf = new Map(audit.tests.map((t) => [t.voter, t.votes]));
      const flagged = new Set(audit.flagged);
      let runFp = 0;
      voters.names.forEach((name, i) => {
        if (voters.anomalous[i]) {
          bad++;
          if (tested.has(name)) badTested++;
          if (flagged.has(name)) tp++;
          if ((votesOf.get(name) ?? 0) >= 100) {
            bigBad++;
            if (flagged.has(name)) bigTp++;
          }
        } else {
          if (tested.has(name)) honestTested++;
          if ((pOf.get(name) ?? 1) < 0.05) honestSmall++;
          if (flagged.has(name)) runFp++;
        }
      });
      fp += runFp;
      if (runFp > 0) runsFp++;
      fdp += flagged.size ? runFp / flagged.size : 0;
    }
    const pc = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
    console.log(`| ${anomaly} | ${alpha} | ${bad} | ${badTested} | ${pc(tp / bad)} | ${pc(tp / badTested)} | ${pc(bigTp / bigBad)} (${bigBad}) | ${(100 * fp / honestTested).toFixed(2)}% (${fp} of ${honestTested}) | ${runsFp} of ${seeds} | ${pc(fdp / seeds)} | ${pc(honestSmall / honestTested)} |`);
  }
}
console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
