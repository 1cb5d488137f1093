import seedrandom from 'seedrandom';

/** A source of uniform random numbers in [0, 1), like `Math.random`. */
export type Rng = () => number;

/**
 * Creates a seeded random source (seedrandom's Alea generator, a local instance: never global).
 * The same seed always gives the same sequence.
 *
 * @param seed any string or number
 * @example const rng = createRng(42); rng(); // 0.…
 */
export function createRng(seed: string | number): Rng {
  const gen = seedrandom.alea(String(seed));
  return () => gen();
}

/**
 * Derives an independent random source from a seed and a label, e.g. `deriveRng(42, 'bootstrap', 17)` for the
 * 17th bootstrap round. Because each unit of work has its own derived stream, results do not depend on the
 * order in which units are run, nor on how they are split between worker threads.
 */
export function deriveRng(seed: string | number, ...labels: (string | number)[]): Rng {
  return createRng([String(seed), ...labels.map(String)].join('\u0000'));
}

/**
 * Draws a standard normal variate by the Box–Muller transform.
 * @param rng uniform source
 */
export function normal(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
