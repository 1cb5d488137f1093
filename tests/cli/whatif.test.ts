import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cli, jsonl, tempDir, tempFile } from '../helpers.js';

/** A small true-ratings file and a scenario beside it. */
function setup(scenario: object) {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'r.json'),
    JSON.stringify({ models: [['top', 1300], ['__proto__', 1250], ['mid', 1200], ['low', 1100], ['last', 1000]].map(([model, rating]) => ({ model, rating })) }),
  );
  const file = join(dir, 's.json');
  writeFileSync(file, JSON.stringify(scenario));
  return { dir, file };
}

describe('arena whatif (contract)', () => {
  it('--format json prints params, models (with baseline, scenario, delta, pRankChange), steps and warnings', async () => {
    const { file } = setup({
      baseline: { ratings: 'r.json', battles: 20000 },
      replications: 3,
      seed: 1,
      steps: [{ type: 'bestOfN', model: '__proto__', variants: 5, votesPerVariant: 500 }],
    });
    const r = await cli(['whatif', '--scenario', file, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['params', 'models', 'steps', 'warnings']);
    expect(j.params).toMatchObject({ replications: 3, seed: 1, ci: 0.95, intervals: 'sandwich', baseline: { source: 'simulated', ratings: 'r.json', battles: 20000 } });
    expect(j.params.steps).toEqual([{ type: 'bestOfN', model: '__proto__', variants: 5, votesPerVariant: 500 }]);
    expect(j.models).toHaveLength(5);
    const m = j.models.find((x: { model: string }) => x.model === '__proto__');
    expect(Object.keys(m.baseline)).toEqual(['rating', 'lower', 'upper', 'rank', 'position', 'battles']);
    expect(Object.keys(m.scenario)).toEqual(['rating', 'lower', 'upper', 'rank', 'position', 'battles']);
    expect(Object.keys(m.delta)).toEqual(['mean', 'lower', 'upper']);
    expect(m.delta.lower).toBeLessThanOrEqual(m.delta.mean);
    expect(m.delta.mean).toBeLessThanOrEqual(m.delta.upper);
    expect(m.pRankChange).toBeGreaterThanOrEqual(0);
    expect(m.truth).toBe(1250);
    expect(m.scenario.battles).toBe(500);
    const ratings = j.models.map((x: { scenario: { rating: number } }) => x.scenario.rating);
    expect(ratings).toEqual([...ratings].sort((a, b) => b - a));
    expect(j.steps[0]).toMatchObject({ step: 0, type: 'bestOfN', model: '__proto__', votesAdded: 2500 });
    expect(j.warnings).toEqual([]);
  });

  it('the same scenario and seed give the same bytes; --seed and --replications override the file', async () => {
    const { file } = setup({ baseline: { ratings: 'r.json', battles: 5000 }, replications: 2, steps: [{ type: 'addVotes', model: 'mid', votes: 100 }] });
    const a = await cli(['whatif', '--scenario', file, '--format', 'json']);
    const b = await cli(['whatif', '--scenario', file, '--format', 'json']);
    expect(a.stdout).toBe(b.stdout);
    const c = JSON.parse((await cli(['whatif', '--scenario', file, '--format', 'json', '--seed', '7', '--replications', '4'])).stdout);
    expect(c.params).toMatchObject({ seed: 7, replications: 4 });
  });

  it('the table shows the named models and the steps', async () => {
    const { file } = setup({
      baseline: { ratings: 'r.json', battles: 20000 },
      replications: 2,
      steps: [
        { type: 'newModel', model: 'fresh', rating: 1280, votes: 2000 },
        { type: 'removeModel', model: 'last' },
      ],
    });
    const r = await cli(['whatif', '--scenario', file, '--top', '2']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^arena whatif .*s\.json: baseline 20,000 battles simulated from r\.json; 2 replications, seed 42/);
    expect(r.stdout).toContain('step 0 newModel "fresh": received 2,000 votes');
    expect(r.stdout).toMatch(/\* fresh\s+1280\.0\s+\(new\)/);
    expect(r.stdout).toMatch(/\* last\s+1000\.0\s+\d+\.\d\s+\d+\s+\(removed\)/);
    expect(r.stdout).toMatch(/fresh: position by rating over the runs: #\d/);
  });

  it('real battles as the baseline: the truth is their fit; a scenario baseline is then ignored with a warning', async () => {
    const rows = [];
    for (let i = 0; i < 30; i++) {
      rows.push({ model_a: 'a', model_b: 'b', winner: i % 3 ? 'model_a' : 'model_b' });
      rows.push({ model_a: 'b', model_b: 'c', winner: i % 4 ? 'model_a' : 'tie' });
      rows.push({ model_a: 'c', model_b: 'a', winner: i % 5 ? 'model_b' : 'model_a' });
    }
    const battles = tempFile('b.jsonl', jsonl(rows));
    const { file } = setup({ baseline: { battles: 10 }, replications: 2, steps: [{ type: 'addVotes', model: 'c', opponent: 'a', votes: 50, winRate: 0.5 }] });
    const r = await cli(['whatif', '--scenario', file, battles, '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.params.baseline).toMatchObject({ source: 'battles', files: [battles], battles: 90 });
    expect(j.models.every((x: { truth: unknown }) => x.truth === null)).toBe(true);
    expect(j.warnings).toEqual(['The scenario baseline (ratings, battles, policy, without) is ignored: the baseline is the battle files given.']);
    expect(r.stderr).toBe('warning: The scenario baseline (ratings, battles, policy, without) is ignored: the baseline is the battle files given.\n');
  });

  it('a ratings path relative to the working folder (the contract example: fixtures/…), intervals none', async () => {
    expect(existsSync(join(process.cwd(), 'fixtures/lmarena-text-2026-04.json'))).toBe(true);
    const { file } = setup({ baseline: { ratings: 'fixtures/lmarena-text-2026-04.json', battles: 3000 }, replications: 1, intervals: 'none', steps: [{ type: 'addVotes', model: 'muse-spark', votes: 10 }] });
    const r = await cli(['whatif', '--scenario', file, '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.models).toHaveLength(339);
    expect(j.models[0].scenario.lower).toBeNull();
  });
});

describe('arena whatif: bad scenarios are rejected before anything is simulated', () => {
  // a baseline of a billion battles (the most a scenario may ask) would take many minutes to simulate: these runs return at once
  const huge = { ratings: 'r.json', battles: 1_000_000_000 };
  const cases: [string, object, string][] = [
    ['unknown step', { baseline: huge, steps: [{ type: 'addVotes', model: 'mid', votes: 1 }, { type: 'swapModels', model: 'mid' }] }, 'steps.1.type: unknown step type "swapModels"'],
    ['unknown model', { baseline: huge, steps: [{ type: 'addVotes', model: 'mid', opponent: 'muse-spark', votes: 1 }] }, 'steps.0.opponent: unknown model "muse-spark"'],
    ['negative count', { baseline: huge, steps: [{ type: 'bestOfN', model: 'mid', variants: 3, votesPerVariant: -10 }] }, 'steps.0.votesPerVariant: must be an integer ≥ 1'],
    ['probability above 1', { baseline: huge, steps: [{ type: 'biasedVoters', model: 'mid', fraction: 1.5 }] }, 'steps.0.fraction: must be a probability in [0, 1]'],
    ['probability below 0', { baseline: huge, steps: [{ type: 'addVotes', model: 'mid', votes: 3, winRate: -0.5 }] }, 'steps.0.winRate: must be a probability in [0, 1]'],
    ['unknown field', { baseline: { ...huge, seed: 3 }, steps: [] }, 'baseline.seed: unknown field "seed"'],
  ];
  for (const [name, scenario, message] of cases) {
    it(`${name}: exit 1, one line with the JSON path, no output`, async () => {
      const { file } = setup(scenario);
      const out = join(dirname(file), 'out.json');
      const r = await cli(['whatif', '--scenario', file, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`arena: ${file}: ${message}${r.stderr.slice(`arena: ${file}: ${message}`.length)}`);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    });
  }
  it('unreadable scenario, invalid JSON, missing ratings file', async () => {
    expect((await cli(['whatif', '--scenario', '/nonexistent/s.json'])).stderr).toBe('arena: /nonexistent/s.json: cannot read (ENOENT)\n');
    const bad = tempFile('s.json', '{"steps": [');
    expect((await cli(['whatif', '--scenario', bad])).stderr).toMatch(/^arena: .*s\.json: \(json\): not valid JSON/);
    const { file } = setup({ baseline: { ratings: 'nope.json' }, steps: [] });
    const r = await cli(['whatif', '--scenario', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`arena: ${file}: baseline.ratings: file "nope.json" not found (looked in the working folder and beside the scenario)\n`);
  });
  it('--scenario is required (usage error, exit 2)', async () => {
    const r = await cli(['whatif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '--scenario <file>'/);
  });
  it('the built bin: exit codes, no stack trace, output written atomically', () => {
    const { file, dir } = setup({ baseline: { ratings: 'r.json', battles: 2000 }, replications: 1, steps: [{ type: 'removeModel', model: 'mid' }] });
    const out = join(dir, 'res.json');
    const ok = bin(['whatif', '--scenario', file, '--format', 'json', '--out', out]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).models).toHaveLength(5);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const { file: badFile } = setup({ steps: [{ type: 'removeModel', model: 'nobody' }] });
    const bad = bin(['whatif', '--scenario', badFile]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
