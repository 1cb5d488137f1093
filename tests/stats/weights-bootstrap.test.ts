import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import type { BattleTable } from '../../src/data/table.js';
import { modelFor } from '../../src/models/index.js';
import { DEFAULT_MODEL, type ModelOptions } from '../../src/models/types.js';
import { bootstrapRatingsSync } from '../../src/stats/bootstrap.js';
import { type BootstrapJob, prepareRounds, roundRng } from '../../src/stats/bootstrap-rounds.js';
import { linearBootstrapModel, modelLaws } from '../../src/stats/control-variate.js';
import { countMultinomialInto, prepareCountMultinomial } from '../../src/stats/count-multinomial.js';
import { addIntervals, bootstrapJobOf } from '../../src/stats/uncertainty.js';
import { refFit, type RefModel, type RefRow, synthetic } from '../rating/weighted-reference.js';

/**
 * What the bootstrap of a weighted fit resamples: the (pair, outcome) cells' battle counts, multinomially, each
 * battle keeping the weight its cell has in the full data (pair weights 1/max(n_AB, floor) from the full data, not
 * from the resample). Checked round by round against the plain row solver, and the control variates' law against
 * the rounds.
 */

const F = 400 / Math.LN10;
const FLOOR = 50;

function optionsFor(model: RefModel): ModelOptions {
  return { ...DEFAULT_MODEL, ties: model === 'bt' ? 'half' : model, reweight: { floor: FLOOR } };
}

/** Battles per unordered pair (the full data's n_AB), keyed "i,j" with i < j. */
function pairBattles(t: BattleTable): Map<string, number> {
  const out = new Map<string, number>();
  for (let r = 0; r < t.rows; r++) {
    const key = `${Math.min(t.a[r]!, t.b[r]!)},${Math.max(t.a[r]!, t.b[r]!)}`;
    out.set(key, (out.get(key) ?? 0) + t.count[r]!);
  }
  return out;
}

/**
 * Rows of one round: per pair k and outcome cell, the drawn count with weight 1/max(n, floor), n the full-data
 * pair count (`fixed`) or the resample's (the wrong way).
 */
function roundRows(job: BootstrapJob, drawn: Float64Array, full: Map<string, number>, fixed: boolean): RefRow[] {
  if (job.kind !== 'bt' && job.kind !== 'tie') throw new Error('cell jobs only');
  const per = job.kind === 'bt' ? 3 : 4;
  const ii = job.kind === 'bt' ? job.i : job.cells.i;
  const jj = job.kind === 'bt' ? job.j : job.cells.j;
  const rows: RefRow[] = [];
  for (let k = 0; k < ii.length; k++) {
    let n = 0;
    for (let o = 0; o < per; o++) n += drawn[per * k + o]!;
    const nAB = fixed ? full.get(`${ii[k]},${jj[k]}`)! : n;
    const w = 1 / Math.max(nAB, FLOOR);
    // bt cells: wins of i, ties, wins of j; tie cells: wins of i, wins of j, ties, both-bad ties
    const outcomes = job.kind === 'bt' ? [0, 2, 1] : [0, 1, 2, 2];
    for (let o = 0; o < per; o++) if (drawn[per * k + o]! > 0) rows.push({ a: ii[k]!, b: jj[k]!, o: outcomes[o]!, c: drawn[per * k + o]!, w });
  }
  return rows;
}

describe('bootstrap of a reweighted fit', () => {
  for (const model of ['bt', 'davidson'] as const) {
    it(`${model}: each round is the weighted fit of the resampled counts with the full data's pair weights`, () => {
      const t = synthetic(11, false);
      const opts = optionsFor(model);
      const fit = modelFor(opts).fit(t, opts);
      const job = bootstrapJobOf(fit);
      const counts = job.kind === 'bt' || job.kind === 'tie' ? job.counts : new Float64Array(0);
      const battles = job.kind === 'bt' || job.kind === 'tie' ? job.battles : 0;
      const runner = prepareRounds(job, 5);
      const full = pairBattles(t);
      const out = new Float64Array(t.models.length);
      let wrongGap = 0;
      for (const r of [0, 1, 2]) {
        runner.run(r, out, { fallbacks: 0, degenerate: 0, unconverged: 0 });
        const drawn = new Float64Array(counts.length);
        countMultinomialInto(roundRng(5, r), prepareCountMultinomial(counts, battles), drawn);
        const right = refFit(model, t.models.length, roundRows(job, drawn, full, true));
        const wrong = refFit(model, t.models.length, roundRows(job, drawn, full, false));
        for (let v = 1; v < t.models.length; v++) {
          expect(Math.abs(out[v]! - out[0]! - F * right.theta[v]!)).toBeLessThan(0.01);
          wrongGap = Math.max(wrongGap, Math.abs(out[v]! - out[0]! - F * wrong.theta[v]!));
        }
      }
      // weights recomputed from each resample would give other rounds
      expect(wrongGap).toBeGreaterThan(0.05);
    });

    it(`${model}: the control variates follow their weighted linearised law (sd within 6% over 3000 rounds)`, () => {
      const t = synthetic(3, true);
      const opts = optionsFor(model);
      const fit = modelFor(opts).fit(t, opts);
      const job = bootstrapJobOf(fit);
      const lin = linearBootstrapModel(job)!;
      const laws = modelLaws(lin);
      const R = 3000;
      const dist = bootstrapRatingsSync(job, { rounds: R, seed: 9 });
      const m = t.models.length;
      for (let v = 0; v < m; v++) {
        let s = 0;
        let s2 = 0;
        for (let r = 0; r < R; r++) {
          const x = dist.control![r * m + v]!;
          s += x;
          s2 += x * x;
        }
        const mean = s / R;
        const sd = Math.sqrt(s2 / R - mean * mean);
        expect(Math.abs(sd / laws[v]!.sd - 1)).toBeLessThan(0.06);
        expect(Math.abs(mean - laws[v]!.mean)).toBeLessThan(4 * (laws[v]!.sd / Math.sqrt(R)));
      }
    });
  }

  it('bt on the real 2024-08-14 rows with --reweight pairs: bootstrap interval widths match the sandwich (median ratio 0.9–1.1)', async () => {
    const t = await readBattles(['fixtures/data/chatbot-arena-20240814/battles.jsonl']);
    const opts = optionsFor('bt');
    const model = modelFor(opts);
    const fit = model.fit(t, opts);
    const sw = await addIntervals(fit, model, { ciMethod: 'sandwich', rounds: 0, level: 0.95, seed: 1, bootstrapQuantiles: 'control' });
    const bs = await addIntervals(fit, model, { ciMethod: 'bootstrap', rounds: 400, level: 0.95, seed: 1, bootstrapQuantiles: 'control', threads: 1 });
    const ratios: number[] = [];
    for (let v = 0; v < t.models.length; v++) {
      const a = bs.intervals!.upper[v]! - bs.intervals!.lower[v]!;
      const b = sw.intervals!.upper[v]! - sw.intervals!.lower[v]!;
      ratios.push(a / b);
    }
    ratios.sort((x, y) => x - y);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    expect(median).toBeGreaterThan(0.9);
    expect(median).toBeLessThan(1.1);
  }, 120_000);
});
