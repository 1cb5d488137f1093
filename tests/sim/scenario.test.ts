import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkScenarioModels, DEFAULT_VOTES_PER_HOUR, heldBackRatings, parseScenario } from '../../src/sim/scenario.js';

const err = (json: unknown): string => {
  try {
    parseScenario(json, 's.json');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
};

describe('parseScenario', () => {
  it('fills in the defaults and keeps the steps', () => {
    const s = parseScenario({ steps: [{ type: 'bestOfN', model: 'm', variants: 50, votesPerVariant: 3000 }] });
    expect(s).toMatchObject({
      baseline: {},
      replications: 20,
      seed: 42,
      ci: 0.95,
      intervals: 'sandwich',
      policy: { type: 'uniform' },
      votesPerHour: DEFAULT_VOTES_PER_HOUR,
      tieRate: 0.34,
      tieModel: 'constant',
      steps: [{ type: 'bestOfN', model: 'm', variants: 50, votesPerVariant: 3000 }],
    });
  });
  it('accepts the contract example and policies by name or object', () => {
    const s = parseScenario({
      baseline: { ratings: 'fixtures/lmarena-text-2026-04.json', battles: 200000, policy: 'lmarena' },
      replications: 50,
      seed: 1,
      policy: { type: 'popularity', exponent: 0.5 },
      steps: [{ type: 'biasedVoters', model: 'muse-spark', votes: 100 }],
    });
    expect(s.baseline.policy).toEqual({ type: 'lmarena' });
    expect(s.policy).toEqual({ type: 'popularity', exponent: 0.5 });
    expect(s.steps[0]).toMatchObject({ direction: 'for', votes: 100 });
  });
  it('unknown step types, unknown fields and bad policies name their JSON path', () => {
    expect(err({ steps: [{ type: 'addVotes', model: 'a', votes: 1 }, { type: 'teleport', model: 'a' }] })).toBe(
      's.json: steps.1.type: unknown step type "teleport" (expected one of addVotes, newModel, removeModel, biasedVoters, bestOfN, rig, contaminate)',
    );
    expect(err({ steps: [{ model: 'a' }] })).toMatch(/^s.json: steps.0.type: missing/);
    expect(err({ steps: [{ type: 'bestOfN', model: 'a', variants: 5, votesPerVariant: 10, votesPerVarient: 3 }] })).toBe('s.json: steps.0.votesPerVarient: unknown field "votesPerVarient"');
    expect(err({ steps: [], replicatons: 5 })).toBe('s.json: replicatons: unknown field "replicatons"');
    expect(err({ steps: [], policy: { type: 'random' } })).toMatch(/^s.json: policy/);
    expect(err({ steps: [], policy: 'random' })).toMatch(/^s.json: policy/);
    expect(err([])).toMatch(/^s.json: \(root\)/);
    expect(err({})).toBe('s.json: steps: missing');
  });
  it('negative counts and probabilities outside [0, 1] name their JSON path', () => {
    expect(err({ steps: [{ type: 'addVotes', model: 'a', votes: -5 }] })).toBe('s.json: steps.0.votes: must be an integer ≥ 0 (counts cannot be negative)');
    expect(err({ steps: [{ type: 'addVotes', model: 'a', votes: 2.5 }] })).toBe('s.json: steps.0.votes: must be an integer ≥ 0');
    expect(err({ steps: [{ type: 'addVotes', model: 'a', votes: 5, winRate: 1.5 }] })).toBe('s.json: steps.0.winRate: must be a probability in [0, 1]');
    expect(err({ steps: [{ type: 'addVotes', model: 'a', votes: 5, winRate: -0.1 }] })).toBe('s.json: steps.0.winRate: must be a probability in [0, 1]');
    expect(err({ steps: [{ type: 'biasedVoters', model: 'a', fraction: 2 }] })).toBe('s.json: steps.0.fraction: must be a probability in [0, 1]');
    expect(err({ steps: [], tieRate: 1.01 })).toBe('s.json: tieRate: must be a probability in [0, 1]');
    expect(err({ steps: [], baseline: { battles: -1 } })).toBe('s.json: baseline.battles: must be an integer ≥ 0 (counts cannot be negative)');
    expect(err({ steps: [{ type: 'bestOfN', model: 'a', variants: 0, votesPerVariant: 10 }] })).toBe('s.json: steps.0.variants: must be an integer ≥ 1');
    expect(err({ steps: [{ type: 'newModel', model: 'n', rating: 1000, hours: -2 }] })).toBe('s.json: steps.0.hours: must be a number ≥ 0');
    expect(err({ steps: [], replications: 0 })).toBe('s.json: replications: must be an integer ≥ 1');
    expect(err({ steps: [], ci: 1 })).toBe('s.json: ci: must be a level in (0, 1)');
    expect(err({ steps: [], intervals: 'jackknife' })).toBe('s.json: intervals: must be one of "sandwich", "none"');
  });
  it('field combinations', () => {
    expect(err({ steps: [{ type: 'addVotes', model: 'a', votes: 5, winRate: 0.5, rating: 1200 }] })).toBe('s.json: steps.0.rating: give winRate or rating, not both');
    expect(err({ steps: [{ type: 'addVotes', model: 'a', opponent: 'a', votes: 5 }] })).toBe('s.json: steps.0.opponent: must differ from model');
    expect(err({ steps: [{ type: 'newModel', model: 'n', rating: 1000 }] })).toBe('s.json: steps.0.votes: give exactly one of votes or hours');
    expect(err({ steps: [{ type: 'newModel', model: 'n', rating: 1000, votes: 5, hours: 1 }] })).toBe('s.json: steps.0.votes: give exactly one of votes or hours');
    expect(err({ steps: [{ type: 'biasedVoters', model: 'a' }] })).toBe('s.json: steps.0.votes: give exactly one of votes or fraction');
  });
});

describe('checkScenarioModels', () => {
  const base = ['a', 'b', 'c', '__proto__'];
  const check = (steps: unknown[]) => checkScenarioModels(parseScenario({ steps }), base, 's.json');
  it('follows models added and removed by earlier steps', () => {
    expect(
      check([
        { type: 'newModel', model: 'n', rating: 1000, votes: 5 },
        { type: 'addVotes', model: 'n', opponent: '__proto__', votes: 3 },
        { type: 'removeModel', model: 'a' },
      ]).sort(),
    ).toEqual(['__proto__', 'b', 'c', 'n']);
  });
  it('unknown models, taken names, removed models and empty boards name the step', () => {
    expect(() => check([{ type: 'addVotes', model: 'a', opponent: 'zz', votes: 1 }])).toThrow(
      's.json: steps.0.opponent: unknown model "zz" (not in the baseline, nor added by an earlier newModel step)',
    );
    expect(() => check([{ type: 'bestOfN', model: 'constructor', variants: 2, votesPerVariant: 2 }])).toThrow('s.json: steps.0.model: unknown model "constructor"');
    expect(() => check([{ type: 'newModel', model: 'b', rating: 1, votes: 1 }])).toThrow('s.json: steps.0.model: model "b" is already on the board');
    expect(() => check([{ type: 'removeModel', model: 'a' }, { type: 'biasedVoters', model: 'a', votes: 1 }])).toThrow('s.json: steps.1.model: model "a" was removed by an earlier step');
    expect(() => check([{ type: 'removeModel', model: 'a' }, { type: 'newModel', model: 'a', rating: 1, votes: 1 }])).toThrow(/steps.1.model: model "a" was removed by an earlier step and cannot come back/);
    expect(() => check(['a', 'b', 'c'].map((model) => ({ type: 'removeModel', model })))).toThrow('s.json: steps.2.model: removing this model leaves fewer than two models');
    expect(() => check([{ type: 'newModel', model: 'n', votes: 1 }])).toThrow('s.json: steps.0.rating: missing (needed unless the model is held back from the baseline by baseline.without)');
  });
  it('held-back models (baseline.without) enter without a rating; unknown held-back names name their index', () => {
    const s = parseScenario({ baseline: { without: ['c'] }, steps: [{ type: 'newModel', model: 'c', hours: 1 }] });
    const held = heldBackRatings(s, base, [4, 3, 2, 1], 's.json');
    expect([...held]).toEqual([['c', 2]]);
    expect(checkScenarioModels(s, ['a', 'b', '__proto__'], 's.json', held).sort()).toEqual(['__proto__', 'a', 'b', 'c']);
    expect(() => heldBackRatings(parseScenario({ baseline: { without: ['a', 'zz'] }, steps: [] }), base, [4, 3, 2, 1], 's.json')).toThrow(
      's.json: baseline.without.1: unknown model "zz" (not in the ratings file)',
    );
    expect(() => heldBackRatings(parseScenario({ baseline: { without: ['a', 'b', 'c'] }, steps: [] }), base, [4, 3, 2, 1], 's.json')).toThrow(
      's.json: baseline.without: holding these models back leaves fewer than two models',
    );
  });
});
