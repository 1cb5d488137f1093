import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSystem, parseSystemSpec } from '../../src/models/online.js';
import { backtest, type BacktestOptions } from '../../src/stats/backtest.js';
import { binaryLogLoss, brier3, decisiveProbability, logLoss3 } from '../../src/stats/scoring.js';
import { anyBattles, toTable } from '../arbitraries.js';

const opts = (over: Partial<BacktestOptions> = {}): BacktestOptions => ({
  systems: ['elo@16', 'glicko2', 'weng-lin', 'bt', 'davidson'].map((s) => parseSystemSpec(s, 4)),
  online: { scale: 400, base: 10, initial: 1000, ties: 'half', refitEvery: 4, glicko: { rd: 350, volatility: 0.06, tau: 0.5 } },
  segments: 3,
  bins: 5,
  bootstrap: { rounds: 50, level: 0.9, seed: 1 },
  ...over,
});

describe('backtest: bookkeeping', () => {
  it('scores equal a direct replay of the system (rows of count c are c battles in a row)', () => {
    fc.assert(
      fc.property(anyBattles, (bs) => {
        const t = toTable(bs);
        const r = backtest(t, opts({ systems: [parseSystemSpec('elo@16', 4)] }));
        const sys = createSystem({ type: 'elo', param: 16 }, { ...opts().online, models: t.models.length });
        const p = new Float64Array(3);
        let ll = 0;
        let br = 0;
        let dll = 0;
        let n = 0;
        let d = 0;
        for (let row = 0; row < t.rows; row++) {
          for (let c = t.count[row]!; c > 0; c--) {
            const o = t.outcome[row]! >= 2 ? 2 : t.outcome[row]!;
            sys.predict(t.a[row]!, t.b[row]!, p);
            ll += logLoss3(p, o);
            br += brier3(p, o);
            if (o < 2) {
              dll += binaryLogLoss(decisiveProbability(p), o === 0 ? 1 : 0);
              d++;
            }
            n++;
            sys.update(t.a[row]!, t.b[row]!, o as 0 | 1 | 2);
          }
        }
        expect(r.battles).toBe(n);
        expect(r.systems[0]!.scores.logLoss).toBeCloseTo(ll / n, 12);
        expect(r.systems[0]!.scores.brier).toBeCloseTo(br / n, 12);
        if (d) expect(r.systems[0]!.scores.decisiveLogLoss).toBeCloseTo(dll / d, 12);
      }),
      { numRuns: 40 },
    );
  });
  it('segments average to the whole, calibration counts every decisive battle from both seats, paired means are differences of means', () => {
    fc.assert(
      fc.property(anyBattles, (bs) => {
        const t = toTable(bs);
        const r = backtest(t, opts());
        const b = r.segmentBounds;
        const decisive = r.battles - r.ties;
        for (const s of r.systems) {
          let w = 0;
          for (let g = 0; g < s.segments.length; g++) w += (b[g + 1]! - b[g]!) * s.segments[g]!.logLoss;
          expect(w / r.battles).toBeCloseTo(s.scores.logLoss, 10);
          expect(s.calibration.reduce((x, c) => x + c.count, 0)).toBe(2 * decisive);
          expect(s.ece >= 0 && s.ece <= 1).toBe(true);
        }
        const ref = r.systems.find((s) => s.name === r.reference)!;
        for (const s of r.systems) expect(s.scores.logLoss).toBeGreaterThanOrEqual(ref.scores.logLoss);
        for (const row of r.paired) {
          const s = r.systems.find((x) => x.name === row.system)!;
          expect(row.logLoss.mean).toBeCloseTo(s.scores.logLoss - ref.scores.logLoss, 10);
          expect(row.brier.mean).toBeCloseTo(s.scores.brier - ref.scores.brier, 10);
          expect(row.logLoss.lower).toBeLessThanOrEqual(row.logLoss.upper);
        }
      }),
      { numRuns: 40 },
    );
  });
  it('a named reference, and an unknown one is an error', () => {
    const t = toTable([
      { modelA: 'x', modelB: 'y', outcome: 'a' },
      { modelA: 'y', modelB: 'x', outcome: 'tie' },
    ]);
    expect(backtest(t, opts({ reference: 'bt' })).reference).toBe('bt');
    expect(() => backtest(t, opts({ reference: 'nope' }))).toThrow(/reference system/);
  });
});
