import fc from 'fast-check';
import type { Outcome } from '../src/data/schema.js';
import { type BattleTable, tableFromBattles } from '../src/data/table.js';

/** A plain battle for property tests. */
export interface PlainBattle {
  modelA: string;
  modelB: string;
  outcome: Outcome;
  count?: number;
}

/** Model names, including awkward ones that must be treated as data (`__proto__`, `constructor`). */
export const modelName = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a b', 'x,y', 'é', 'model "q"'),
  fc.string({ minLength: 1, maxLength: 8 }),
);

/** An outcome label. */
export const outcome = fc.constantFrom<Outcome>('a', 'b', 'tie', 'bothbad');

/** Battles among `m` models named m0…m{m−1} (or given names). */
export function battlesAmong(names: string[], opts: { minLength?: number; maxLength?: number; withCount?: boolean } = {}): fc.Arbitrary<PlainBattle[]> {
  const n = names.length;
  const battle = fc
    .record({ x: fc.nat({ max: n - 1 }), d: fc.integer({ min: 1, max: n - 1 }), outcome, count: opts.withCount ? fc.integer({ min: 1, max: 5 }) : fc.constant(1) })
    .map(({ x, d, outcome, count }) => ({ modelA: names[x]!, modelB: names[(x + d) % n]!, outcome, count }));
  return fc.array(battle, { minLength: opts.minLength ?? 1, maxLength: opts.maxLength ?? 60 });
}

/** Battles whose BT maximum-likelihood estimate exists: a round robin of ties connects every model both ways. */
export function connectedBattles(m: number, opts: { maxLength?: number } = {}): fc.Arbitrary<PlainBattle[]> {
  const names = Array.from({ length: m }, (_, i) => `m${i}`);
  const ring: PlainBattle[] = names.map((name, i) => ({ modelA: name, modelB: names[(i + 1) % m]!, outcome: 'tie' }));
  return battlesAmong(names, { maxLength: opts.maxLength ?? 60, minLength: 0 }).map((bs) => [...ring, ...bs]);
}

/** Builds a table from plain battles. */
export function toTable(bs: PlainBattle[]): BattleTable {
  return tableFromBattles(bs);
}

/**
 * Battles on which every fit (BT, tie models, style control) exists: {@link connectedBattles} (a ring of ties plus
 * random battles) with one win each way added per ring edge.
 */
export function wellPosed(m: number, maxLength = 60) {
  return connectedBattles(m, { maxLength }).map((bs) => {
    const names = Array.from({ length: m }, (_, i) => `m${i}`);
    const ring: PlainBattle[] = names.flatMap((n, i) => [
      { modelA: n, modelB: names[(i + 1) % m]!, outcome: 'a' as const },
      { modelA: n, modelB: names[(i + 1) % m]!, outcome: 'b' as const },
    ]);
    return [...ring, ...bs];
  });
}
