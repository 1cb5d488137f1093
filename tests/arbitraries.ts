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
export function battlesAmong(names: string[], opts: { minLength?: number; maxLength?: number; withCount?: boolean; maxCount?: number } = {}): fc.Arbitrary<PlainBattle[]> {
  const n = names.length;
  const battle = fc
    .record({ x: fc.nat({ max: n - 1 }), d: fc.integer({ min: 1, max: n - 1 }), outcome, count: opts.withCount ? fc.integer({ min: 1, max: opts.maxCount ?? 5 }) : fc.constant(1) })
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

/*
 * Degenerate data: battles on which the BT maximum-likelihood estimate need not (or does not) exist. Up to 9
 * models, counts up to 20, no ring of ties. For the degenerate-data policy (automatic prior, warnings, errors).
 */

/** Names of `m` models; the first is `__proto__`, so warnings and errors must treat names as data. */
export const namesOf = (m: number) => Array.from({ length: m }, (_, i) => (i === 0 ? '__proto__' : `m${i}`));

/** Any battles among 2–9 models with counts 1–20 (the MLE may or may not exist). */
export const anyBattles: fc.Arbitrary<PlainBattle[]> = fc.integer({ min: 2, max: 9 }).chain((m) => battlesAmong(namesOf(m), { withCount: true, maxCount: 20, maxLength: 30 }));

/**
 * Battles in which some models (`champions`, 1 to m − 1 of them, so often more than five) never lost: every battle
 * a champion plays it wins against a non-champion (no ties either — a tie is half a loss; two champions never
 * meet), and each plays at least once. 2–9 models, counts 1–20. The MLE does not exist.
 */
export const undefeatedBattles: fc.Arbitrary<{ battles: PlainBattle[]; champions: string[] }> = fc.integer({ min: 2, max: 9 }).chain((m) =>
  fc
    .tuple(
      battlesAmong(namesOf(m), { withCount: true, maxCount: 20, maxLength: 30 }),
      fc.shuffledSubarray(namesOf(m), { minLength: 1, maxLength: m - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 20 })), { minLength: m, maxLength: m }),
    )
    .map(([bs, champions, opponents]) => {
      const crowned = new Set(champions);
      const others = namesOf(m).filter((x) => !crowned.has(x));
      const battles: PlainBattle[] = bs
        .filter((x) => !(crowned.has(x.modelA) && crowned.has(x.modelB)))
        .map((x) => (crowned.has(x.modelA) ? { ...x, outcome: 'a' } : crowned.has(x.modelB) ? { ...x, outcome: 'b' } : x));
      champions.forEach((c, q) => battles.push({ modelA: others[opponents[q]![0] % others.length]!, modelB: c, outcome: 'b', count: opponents[q]![1] }));
      return { battles, champions };
    }),
);

/**
 * Battles split into two parts that never meet: models 0…k−1 and k…m−1 (each part ≥ 2 models, 4–9 in all,
 * counts 1–20), each part with a ring of one win each way plus random battles, so every model plays and the
 * only defect is the split.
 */
export const splitBattles: fc.Arbitrary<{ battles: PlainBattle[]; parts: string[][] }> = fc
  .integer({ min: 4, max: 9 })
  .chain((m) => fc.tuple(fc.constant(m), fc.integer({ min: 2, max: m - 2 })))
  .chain(([m, k]) => {
    const names = namesOf(m);
    const parts = [names.slice(0, k), names.slice(k)];
    const ring = (p: string[]): PlainBattle[] =>
      p.flatMap((n, i) => [
        { modelA: n, modelB: p[(i + 1) % p.length]!, outcome: 'a' as const },
        { modelA: n, modelB: p[(i + 1) % p.length]!, outcome: 'b' as const },
      ]);
    return fc
      .tuple(battlesAmong(parts[0]!, { withCount: true, maxCount: 20, minLength: 0, maxLength: 15 }), battlesAmong(parts[1]!, { withCount: true, maxCount: 20, minLength: 0, maxLength: 15 }))
      .map(([x, y]) => ({ battles: [...ring(parts[0]!), ...x, ...ring(parts[1]!), ...y], parts }));
  });
