import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import { type BattleTable, tableFromBattles } from '../../src/data/table.js';
import { modelFor } from '../../src/models/index.js';
import { DEFAULT_MODEL, type ModelFit, type ModelOptions } from '../../src/models/types.js';
import { contrastVariance } from '../../src/stats/uncertainty.js';
import { refFit, refRows, type RefModel, sandwich, synthetic } from './weighted-reference.js';

/**
 * Weighted likelihood fits (per-row `weight`, `--reweight pairs`) against the plain row-based solver of
 * ./weighted-reference.ts: ratings to 0.01 points, η to 1e-4, sandwich standard deviations to 0.1%, on the real
 * 2024-08-14 count rows (1.67M battles, LMArena's floor 50) and on synthetic data with per-row weights.
 */

const F = 400 / Math.LN10;
const REAL = 'fixtures/data/chatbot-arena-20240814/battles.jsonl';

function optionsFor(model: RefModel, floor: number | null): ModelOptions {
  return { ...DEFAULT_MODEL, ties: model === 'bt' ? 'half' : model, reweight: floor === null ? null : { floor } };
}

function fitLib(t: BattleTable, model: RefModel, floor: number | null): { fit: ModelFit; opts: ModelOptions } {
  const opts = optionsFor(model, floor);
  return { fit: modelFor(opts).fit(t, opts), opts };
}

/** Library vs reference: ratings (gaps to model 0) to 0.01 points, η to 1e-4, sandwich sds of θ_v − θ_0 and η to 0.1%. */
function agree(t: BattleTable, model: RefModel, floor: number | null) {
  const { fit, opts } = fitLib(t, model, floor);
  expect(fit.fit.converged).toBe(true);
  expect(fit.fit.prior).toBe(0);
  const rows = refRows(t, floor);
  const ref = refFit(model, t.models.length, rows);
  const m = t.models.length;
  let worst = 0;
  for (let v = 1; v < m; v++) worst = Math.max(worst, Math.abs(fit.ratings[v]! - fit.ratings[0]! - F * ref.theta[v]!));
  expect(worst).toBeLessThan(0.01);
  if (model !== 'bt') {
    expect(fit.kind).toBe('tie');
    if (fit.kind === 'tie') expect(Math.abs(fit.eta - ref.eta)).toBeLessThan(1e-4);
  }
  const cov = modelFor(opts).sandwich!(fit);
  const right = sandwich(ref.H, ref.B);
  const wrong = sandwich(ref.H, ref.Bwrong);
  let worstRel = 0;
  let wrongRel = 0;
  for (let v = 1; v < m; v++) {
    const lib = Math.sqrt(contrastVariance(cov, v, 0));
    worstRel = Math.max(worstRel, Math.abs(lib / Math.sqrt(right[v - 1]![v - 1]!) - 1));
    wrongRel = Math.max(wrongRel, Math.abs(lib / Math.sqrt(wrong[v - 1]![v - 1]!) - 1));
  }
  expect(worstRel).toBeLessThan(1e-3);
  if (model !== 'bt') {
    const q = cov.extra.get('eta')!;
    const lib = Math.sqrt(cov.cov[q * cov.n + q]!);
    expect(Math.abs(lib / Math.sqrt(right[ref.n - 1]![ref.n - 1]!) - 1)).toBeLessThan(1e-3);
  }
  return { fit, ref, worst, worstRel, wrongRel };
}

describe('weighted fits agree with a plain row-based solver of the weighted objective', () => {
  for (const model of ['bt', 'davidson', 'rao-kupper'] as const) {
    it(`${model}: real 2024-08-14 rows, --reweight pairs (floor 50)`, async () => {
      const t = await readBattles([REAL]);
      const { wrongRel, fit } = agree(t, model, 50);
      // a meat with w instead of w² (the weights normalised to mean 1) gives visibly different intervals
      expect(wrongRel).toBeGreaterThan(0.05);
      // and reweighting moves the ratings: it is not a no-op on this data
      const plain = fitLib(t, model, null).fit;
      let moved = 0;
      for (let v = 0; v < t.models.length; v++) moved = Math.max(moved, Math.abs(plain.ratings[v]! - fit.ratings[v]!));
      expect(moved).toBeGreaterThan(5);
    }, 60_000);

    it(`${model}: synthetic rows with per-row weights, with and without --reweight pairs`, () => {
      const t = synthetic(7, true);
      expect(t.weight).toBeTruthy();
      expect(agree(t, model, 50).wrongRel).toBeGreaterThan(0.01);
      expect(agree(t, model, null).wrongRel).toBeGreaterThan(0.01);
      agree(t, model, 20);
    });
  }
});

describe('weights: known values', () => {
  it('two models: the weighted BT gap is scale·log10(Σw·wins / Σw·losses), ties half', () => {
    const t = tableFromBattles([
      { modelA: 'a', modelB: 'b', outcome: 'a', count: 3, weight: 2 },
      { modelA: 'a', modelB: 'b', outcome: 'b', count: 2, weight: 0.5 },
      { modelA: 'b', modelB: 'a', outcome: 'tie', count: 2, weight: 1 },
    ]);
    const { fit } = fitLib(t, 'bt', null);
    // score of a: 3·2 + ½·2·1 = 7; of b: 2·0.5 + ½·2 = 2
    expect(fit.ratings[0]! - fit.ratings[1]!).toBeCloseTo(400 * Math.log10(7 / 2), 8);
    // battles and totals stay counts
    expect(fit.battles).toBe(7);
    expect(fit.totals.wins[0]).toBe(3);
  });

  it('pair weights with floor 1 equal per-row weights 1/n_AB (and move the ratings of inconsistent pairs)', () => {
    const t = tableFromBattles([
      { modelA: 'a', modelB: 'b', outcome: 'a', count: 300 },
      { modelA: 'a', modelB: 'b', outcome: 'b', count: 100 },
      { modelA: 'b', modelB: 'c', outcome: 'a', count: 3 },
      { modelA: 'b', modelB: 'c', outcome: 'b', count: 1 },
      { modelA: 'c', modelB: 'a', outcome: 'b', count: 4 },
      { modelA: 'c', modelB: 'a', outcome: 'a', count: 1 },
    ]);
    const a = fitLib(t, 'bt', 1).fit;
    const weightsOnly = tableFromBattles([
      { modelA: 'a', modelB: 'b', outcome: 'a', count: 300, weight: 1 / 400 },
      { modelA: 'a', modelB: 'b', outcome: 'b', count: 100, weight: 1 / 400 },
      { modelA: 'b', modelB: 'c', outcome: 'a', count: 3, weight: 1 / 4 },
      { modelA: 'b', modelB: 'c', outcome: 'b', count: 1, weight: 1 / 4 },
      { modelA: 'c', modelB: 'a', outcome: 'b', count: 4, weight: 1 / 5 },
      { modelA: 'c', modelB: 'a', outcome: 'a', count: 1, weight: 1 / 5 },
    ]);
    const b = fitLib(weightsOnly, 'bt', null).fit;
    for (let v = 0; v < 3; v++) expect(a.ratings[v]).toBeCloseTo(b.ratings[v]!, 8);
    // the pairs disagree (3:1 · 3:1 ≠ 4:1), so the 400-battle pair no longer dominates
    const plain = fitLib(t, 'bt', null).fit;
    expect(Math.abs(plain.ratings[0]! - a.ratings[0]!)).toBeGreaterThan(1);
  });
});
