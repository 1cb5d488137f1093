/**
 * Simulated voters: each battle is cast by one of N voters (activity by a Zipf law over a random order of the
 * voters), and a planted share of them is anomalous: `random` (coin flips), `adversarial` (the lower true rating
 * always wins) or `promoter` (one model always wins its battles). The study of the voter audit (`src/stats/
 * voters.ts`, docs/studies.md "Voter audit") measures its true- and false-positive rates on these.
 */
import type { TrueRatings } from '../data/ratings.js';
import { type BattleTable, BattleTableBuilder } from '../data/table.js';
import { deriveRng, type Rng } from '../rng.js';
import type { SimBattle, SimulateOptions } from './generate.js';
import { uniformBattleSampler } from './generate.js';
import { shuffleInPlace } from './stability.js';

/** What an anomalous voter does (see the module comment). */
export type VoterAnomaly = 'random' | 'adversarial' | 'promoter';

/** The voter kinds {@link VoterAnomaly} names, in order. */
export const VOTER_ANOMALIES: readonly VoterAnomaly[] = ['random', 'adversarial', 'promoter'];

/** Options of {@link voterSampler}. */
export interface VoterSimSpec {
  /** Number of voters (≥ 1). */
  readonly voters: number;
  /** Share of voters that are anomalous, in [0, 1] (rounded to a whole number of voters). */
  readonly anomalousShare: number;
  /** What the anomalous voters do. */
  readonly anomaly: VoterAnomaly;
  /** `promoter`: the model they promote (default: the model with the median true rating). */
  readonly promote?: string | undefined;
  /** Zipf exponent s of the voters' activity: the voter at activity rank k casts a share ∝ k^−s [0: equal]. */
  readonly activityExponent?: number | undefined;
}

/** The voters of a simulation: names and which are anomalous. */
export interface SimVoters {
  /** Voter names (`voter-0001`, …), index = voter id of {@link voterSampler}. */
  readonly names: readonly string[];
  /** 1 for an anomalous voter. */
  readonly anomalous: Uint8Array;
  /** The promoted model's id under `promoter`, else −1. */
  readonly promoted: number;
}

/**
 * A voter for each battle: `draw(battle)` returns the voter id and, for an anomalous voter, rewrites the battle's
 * outcome. It uses its own random stream (two uniforms per battle, always), so the honest outcomes are those of
 * the battle sampler without voters. The anomalous set is a uniform random subset of round(share·N) voters; the
 * activity ranks are a uniform random order. O(log N) per battle, O(N) setup.
 * @param seed the simulation's seed (the stream is `deriveRng(seed, 'voters')`)
 * @throws Error for N < 1, a share outside [0, 1], or an unknown promoted model
 */
export function voterSampler(truth: TrueRatings, spec: VoterSimSpec, seed: string | number): { voters: SimVoters; draw: (battle: SimBattle) => number } {
  const n = spec.voters;
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`voters: expected a whole number ≥ 1, got ${n}`);
  if (!(spec.anomalousShare >= 0 && spec.anomalousShare <= 1)) throw new Error(`anomalous share: expected a number in [0, 1], got ${spec.anomalousShare}`);
  const rng: Rng = deriveRng(seed, 'voters');
  const perm = shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), rng);
  // voter perm[k] has activity rank k + 1; the anomalous are a second shuffle's first round(share·N)
  const s = spec.activityExponent ?? 0;
  const cum = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cum[k] = total += (k + 1) ** -s;
  const order = shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), rng);
  const anomalous = new Uint8Array(n);
  const bad = Math.round(spec.anomalousShare * n);
  for (let i = 0; i < bad; i++) anomalous[order[i]!] = 1;
  let promoted = -1;
  if (spec.anomaly === 'promoter') {
    if (spec.promote !== undefined) {
      promoted = truth.models.indexOf(spec.promote);
      if (promoted < 0) throw new Error(`promote: model ${JSON.stringify(spec.promote)} is not in the ratings`);
    } else {
      const byRating = truth.models.map((_, i) => i).sort((x, y) => truth.ratings[x]! - truth.ratings[y]! || x - y);
      promoted = byRating[Math.floor((byRating.length - 1) / 2)]!;
    }
  }
  const width = String(n).length;
  const names = Array.from({ length: n }, (_, i) => `voter-${String(i + 1).padStart(width, '0')}`);
  const draw = (x: SimBattle): number => {
    const u = rng() * total;
    const coin = rng();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    const voter = perm[lo]!;
    if (anomalous[voter]) {
      if (spec.anomaly === 'random') x.outcome = coin < 0.5 ? 0 : 1;
      else if (spec.anomaly === 'adversarial') {
        const ra = truth.ratings[x.a]!;
        const rb = truth.ratings[x.b]!;
        x.outcome = ra < rb ? 0 : rb < ra ? 1 : coin < 0.5 ? 0 : 1;
      } else if (x.a === promoted) x.outcome = 0;
      else if (x.b === promoted) x.outcome = 1;
    }
    return voter;
  };
  return { voters: { names, anomalous, promoted }, draw };
}

/**
 * Simulates `battles` battles from true ratings with uniform pairs (as `simulateTable`) and a voter for each
 * ({@link voterSampler}), into a table whose voter column is read from the field `judge`. Deterministic for a
 * seed. O(battles · log N).
 * @returns the table and the voters (names, anomalous flags)
 */
export function simulateVoterTable(truth: TrueRatings, battles: number, options: Partial<SimulateOptions>, spec: VoterSimSpec, seed: string | number): { table: BattleTable; voters: SimVoters } {
  const builder = new BattleTableBuilder({ tstamp: false });
  const ids = truth.models.map((name) => builder.intern(name));
  const scratch = builder.useVoters('judge');
  const { voters, draw } = voterSampler(truth, spec, seed);
  const voterIds = voters.names.map((name) => builder.internVoter(name));
  const next = uniformBattleSampler(truth, options, deriveRng(seed, 'battles'));
  const x: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
  for (let i = 0; i < battles; i++) {
    next(i, x);
    scratch[0] = voterIds[draw(x)]!;
    builder.pushIds(ids[x.a]!, ids[x.b]!, x.outcome, 1);
  }
  return { table: builder.finish(), voters };
}
