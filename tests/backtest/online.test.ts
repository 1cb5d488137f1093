import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bradleyTerry } from '../../src/models/bradley-terry.js';
import { createSystem, type OnlineOptions, type Outcome3, parseSystemSpec, type SystemSpec } from '../../src/models/online.js';
import { DEFAULT_MODEL } from '../../src/models/types.js';
import { replayElo } from '../../src/rating/elo.js';
import { glicko2Update, glicko2WinProbability } from '../../src/rating/glicko2.js';
import { anyBattles, battlesAmong, namesOf, toTable } from '../arbitraries.js';
import type { BattleTable } from '../../src/data/table.js';

const base = (m: number, over: Partial<OnlineOptions> = {}): OnlineOptions => ({ scale: 400, base: 10, initial: 1000, ties: 'half', models: m, refitEvery: 3, glicko: { rd: 350, volatility: 0.06, tau: 0.5 }, ...over });
const ALL: SystemSpec[] = ['elo@4', 'elo@32', 'glicko2@1', 'glicko2@3', 'weng-lin', 'bt', 'bt@5', 'davidson', 'davidson@4'].map((s) => parseSystemSpec(s, 4));
const o3 = (code: number): Outcome3 => (code === 0 ? 0 : code === 1 ? 1 : 2);

/** Replays a table through a system, calling `see` with each prediction before the update. */
function replay(t: BattleTable, spec: SystemSpec, o: OnlineOptions, see?: (p: Float64Array, a: number, b: number) => void) {
  const sys = createSystem(spec, o);
  const p = new Float64Array(3);
  for (let r = 0; r < t.rows; r++) {
    for (let c = t.count[r]!; c > 0; c--) {
      sys.predict(t.a[r]!, t.b[r]!, p);
      see?.(p, t.a[r]!, t.b[r]!);
      sys.update(t.a[r]!, t.b[r]!, o3(t.outcome[r]!));
    }
  }
  return sys;
}

describe('online systems: predictions are probability distributions', () => {
  it('every system, ties half or ignored: each probability in [0, 1], summing to 1, and seat-symmetric', () => {
    fc.assert(
      fc.property(anyBattles, fc.constantFrom<'half' | 'ignore'>('half', 'ignore'), (bs, ties) => {
        const t = toTable(bs);
        for (const spec of ALL) {
          const sys = createSystem(spec, base(t.models.length, { ties }));
          const p = new Float64Array(3);
          const q = new Float64Array(3);
          for (let r = 0; r < t.rows; r++) {
            for (let c = t.count[r]!; c > 0; c--) {
              const a = t.a[r]!;
              const b = t.b[r]!;
              sys.predict(a, b, p);
              sys.predict(b, a, q);
              for (let k = 0; k < 3; k++) expect(p[k]! >= 0 && p[k]! <= 1).toBe(true);
              expect(Math.abs(p[0]! + p[1]! + p[2]! - 1)).toBeLessThan(1e-12);
              expect(p[0]).toBeCloseTo(q[1]!, 12);
              expect(p[2]).toBeCloseTo(q[2]!, 12);
              sys.update(a, b, o3(t.outcome[r]!));
            }
          }
        }
      }),
      { numRuns: 25 },
    );
  });
  it('before any battle: equal chances, tie probability ⅓ (the empirical prior, and Davidson at ν = 1)', () => {
    for (const spec of ALL) {
      const p = new Float64Array(3);
      createSystem(spec, base(3)).predict(0, 1, p);
      expect(p[0]).toBeCloseTo(1 / 3, 12);
      expect(p[1]).toBeCloseTo(1 / 3, 12);
      expect(p[2]).toBeCloseTo(1 / 3, 12);
    }
  });
});

describe('online systems agree with independent implementations', () => {
  it('elo@K ends at the ratings of replayElo (FastChat\'s update), ties half or ignored', () => {
    fc.assert(
      fc.property(battlesAmong(namesOf(5), { withCount: true, maxLength: 40 }), fc.constantFrom(4, 16, 32), fc.constantFrom<'half' | 'ignore'>('half', 'ignore'), (bs, k, ties) => {
        const t = toTable(bs);
        const sys = replay(t, { type: 'elo', param: k }, base(t.models.length, { ties }));
        const ref = replayElo(t, { scale: 400, base: 10, initial: 1000, k, ties });
        for (let v = 0; v < t.models.length; v++) expect(sys.rating(v)).toBeCloseTo(ref[v]!, 9);
      }),
    );
  });
  it('bt refitted on all battles so far predicts as the Bradley–Terry model fitted on them (prior 0.01)', () => {
    fc.assert(
      fc.property(battlesAmong(namesOf(4), { minLength: 6, maxLength: 30 }), (bs) => {
        const t = toTable(bs);
        const n = t.battles;
        const sys = replay(t, { type: 'bt' }, base(t.models.length, { refitEvery: n }));
        const fit = bradleyTerry.fit(t, { ...DEFAULT_MODEL, prior: 0.01, tolerance: 1e-8 });
        for (let v = 0; v < t.models.length; v++) expect(Math.abs(sys.rating(v) - fit.ratings[v]!)).toBeLessThan(0.01);
      }),
    );
  });
  it('glicko2@P matches an eager replay of Glickman\'s algorithm (every idle player\'s φ widened every period)', () => {
    fc.assert(
      fc.property(battlesAmong(namesOf(4), { maxLength: 30 }), fc.constantFrom(1, 2, 5), (bs, P) => {
        const t = toTable(bs);
        const m = t.models.length;
        const F = 400 / Math.LN10;
        // reference: all players exist from the start but φ starts widening only after a player's first game
        const st = Array.from({ length: m }, () => ({ mu: 0, phi: 350 / F, sigma: 0.06 }));
        const played = new Array<boolean>(m).fill(false);
        let games: [number, number, number][] = [];
        const preds: number[] = [];
        const got: number[] = [];
        replay(t, { type: 'glicko2', param: P }, base(m), (p) => got.push(p[0]! / (p[0]! + p[1]!)));
        for (let r = 0; r < t.rows; r++) {
          const a = t.a[r]!;
          const b = t.b[r]!;
          preds.push(glicko2WinProbability(st[a]!.mu, st[a]!.phi, st[b]!.mu, st[b]!.phi));
          const o = t.outcome[r]!;
          games.push([a, b, o === 0 ? 1 : o === 1 ? 0 : 0.5]);
          if (games.length === P) {
            const next = st.map((s, v) => {
              const mine = games.filter((g) => g[0] === v || g[1] === v);
              if (!mine.length) return played[v] ? glicko2Update(s, [], [], [], 0.5) : s;
              const opp = mine.map((g) => (g[0] === v ? g[1] : g[0]));
              return glicko2Update(s, opp.map((w) => st[w]!.mu), opp.map((w) => st[w]!.phi), mine.map((g) => (g[0] === v ? g[2] : 1 - g[2])), 0.5);
            });
            for (const g of games) played[g[0]] = played[g[1]] = true;
            st.splice(0, m, ...next);
            games = [];
          }
        }
        for (let k = 0; k < preds.length; k++) expect(got[k]).toBeCloseTo(preds[k]!, 10);
      }),
    );
  });
});

describe('parseSystemSpec', () => {
  it('defaults and parameters', () => {
    expect(parseSystemSpec('elo', 8)).toEqual({ type: 'elo', param: 8 });
    expect(parseSystemSpec('elo@16', 8)).toEqual({ type: 'elo', param: 16 });
    expect(parseSystemSpec('glicko2', 8)).toEqual({ type: 'glicko2', param: 1 });
    expect(parseSystemSpec('bt@50000', 8)).toEqual({ type: 'bt', param: 50000 });
    expect(parseSystemSpec('davidson', 8)).toEqual({ type: 'davidson' });
  });
  it('bad specs are usage errors naming the spec', () => {
    for (const s of ['trueskill', 'elo@-1', 'bt@0.5', 'weng-lin@3', 'elo@x', '__proto__']) expect(() => parseSystemSpec(s, 4)).toThrow(/--systems/);
  });
});
