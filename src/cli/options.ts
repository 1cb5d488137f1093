import { InvalidArgumentError } from 'commander';
import { SCENARIO_LIMITS } from '../sim/scenario.js';

/** Parses a finite number option. */
export function numberArg(what = 'a number', check: (x: number) => boolean = () => true) {
  return (value: string): number => {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x) || !check(x)) throw new InvalidArgumentError(`expected ${what}`);
    return x;
  };
}

/** A finite number. */
export const anyNumber = numberArg();
/** A number > 0. */
export const positiveNumber = numberArg('a number > 0', (x) => x > 0);
/** A number > 1. */
export const greaterThanOne = numberArg('a number > 1', (x) => x > 1);
/** A number ≥ 0. */
export const nonNegativeNumber = numberArg('a number ≥ 0', (x) => x >= 0);
/** An integer ≥ 0. */
export const nonNegativeInt = numberArg('an integer ≥ 0', (x) => Number.isInteger(x) && x >= 0);
/** An integer ≥ 1. */
export const positiveInt = numberArg('an integer ≥ 1', (x) => Number.isInteger(x) && x >= 1);
/** A probability in [0, 1]. */
export const probability = numberArg('a probability in [0, 1]', (x) => x >= 0 && x <= 1);
/** A level strictly between 0 and 1. */
export const level = numberArg('a level strictly between 0 and 1', (x) => x > 0 && x < 1);
/** A random seed: an integer or any word. */
export const seedArg = (value: string): string | number => (/^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value);

/**
 * Limits of numeric options, chosen so every result stays finite and every run can finish: beyond them a value is a
 * usage error (exit 2) naming the range. Documented in docs/reference.md ("Limits").
 */
export const LIMITS = Object.freeze({
  /** Bootstrap rounds (`--bootstrap`). */
  rounds: 1_000_000,
  /** Battles one `simulate`/`demo` run writes (`--battles`): 10 billion (about 1 TB of JSONL). */
  battles: 1e10,
  /** Rating scale (`--scale`): points per factor `base` in odds. */
  scale: [1e-2, 1e6] as const,
  /** Odds base (`--base`). */
  base: 1e6,
  /** |initial rating| and |anchor rating|. */
  rating: 1e9,
  /** Elo K-factor (`--k`). */
  k: 1e4,
  /** Seconds between simulated battles (`--interval`): about 31.7 years. */
  interval: 1e9,
  /** Ridge priors λ (`--prior`, `--style-prior`): beyond, interval bounds stop being finite. */
  prior: 1e6,
  /** Floor of the pair count (`--reweight-floor`). */
  reweightFloor: 1e9,
  /** Simulations of the separation forecast (`--forecast-replications`): 1,000,000 take about 30 s. */
  forecastReplications: 1_000_000,
  /** Votes of one forecast point (`--forecast-votes`). */
  forecastVotes: 1e12,
  /** Random orderings replayed for Elo's order sensitivity (`--orderings`): memory grows as orderings × models. */
  orderings: 10_000,
  /** What-if replications (`--replications`, a scenario's `replications`). */
  replications: SCENARIO_LIMITS.replications,
  /** Arena-wide votes an hour (`--votes-per-hour`, a scenario's `votesPerHour`). */
  votesPerHour: SCENARIO_LIMITS.votesPerHour,
  /** Sampling-policy weights and exponents (`--boost`, `--top-weight`, `--popularity-exponent`), as in scenarios. */
  weight: SCENARIO_LIMITS.weight,
});

/** An integer in [lo, hi]. */
export const intIn = (lo: number, hi: number) => numberArg(`an integer from ${lo.toLocaleString('en-US')} to ${hi.toLocaleString('en-US')}`, (x) => Number.isInteger(x) && x >= lo && x <= hi);
/** A number in [lo, hi] (or (lo, hi] with `open`). */
export const numberIn = (lo: number, hi: number, open = false) => numberArg(`a number ${open ? '>' : '≥'} ${lo} and ≤ ${hi}`, (x) => (open ? x > lo : x >= lo) && x <= hi);
