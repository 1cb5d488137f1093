import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cli, jsonl, FIXTURES, tempDir, tempFile } from '../helpers.js';

const small = jsonl([
  { model_a: 'alpha', model_b: 'beta', winner: 'model_a', count: 6 },
  { model_a: 'alpha', model_b: 'beta', winner: 'model_b', count: 2 },
  { model_a: 'beta', model_b: '__proto__', winner: 'tie', count: 3 },
  { model_a: '__proto__', model_b: 'alpha', winner: 'model_b', count: 1 },
  { model_a: '__proto__', model_b: 'beta', winner: 'model_a', count: 1 },
]);

describe('arena rate (contract)', () => {
  it('--format json prints the contract object', async () => {
    const f = tempFile('s.jsonl', small);
    const r = await cli(['rate', f, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['method', 'params', 'battles', 'models', 'fit', 'warnings']);
    expect(j.method).toBe('bt');
    expect(j.params).toMatchObject({ scale: 400, base: 10, initial: 1000, ties: 'half', anchor: null, bootstrap: 0, ci: 0.95, seed: 42 });
    expect(j.battles).toBe(13);
    expect(j.models.map((m: { model: string }) => m.model)).toEqual(['alpha', '__proto__', 'beta']);
    expect(j.models[0]).toMatchObject({ model: 'alpha', rank: 1, battles: 9, wins: 7, losses: 2, ties: 0 });
    expect(j.models[1]).toMatchObject({ model: '__proto__', battles: 5, wins: 1, losses: 1, ties: 3 });
    expect(j.models[2]).toMatchObject({ model: 'beta', battles: 12, wins: 2, losses: 7, ties: 3 });
    const ratings = j.models.map((m: { rating: number }) => m.rating);
    expect(ratings[0]).toBeGreaterThan(ratings[1]);
    expect(ratings.reduce((a: number, b: number) => a + b, 0) / 3).toBeCloseTo(1000, 9);
    expect(j.fit.converged).toBe(true);
    expect(j.fit.logLikelihood).toBeLessThan(0);
    expect(j.warnings).toEqual([]);
  });
  it('--method elo with options echoes them', async () => {
    const r = await cli(['rate', tempFile('s.jsonl', small), '--method', 'elo', '--k', '32', '--format', 'json', '--initial', '1500']);
    const j = JSON.parse(r.stdout);
    expect(j.method).toBe('elo');
    expect(j.params).toMatchObject({ k: 32, initial: 1500 });
    expect(j.models.reduce((a: number, m: { rating: number }) => a + m.rating, 0)).toBeCloseTo(4500, 9);
  });
  it('--anchor shifts to the anchor model', async () => {
    const r = await cli(['rate', tempFile('s.jsonl', small), '--anchor', 'beta=1114', '--format', 'json']);
    const j = JSON.parse(r.stdout);
    expect(j.models.find((m: { model: string }) => m.model === 'beta').rating).toBeCloseTo(1114, 9);
    expect(j.params.anchor).toEqual({ model: 'beta', rating: 1114 });
  });
  it('csv, markdown and table formats', async () => {
    const f = tempFile('s.jsonl', small);
    const csv = (await cli(['rate', f, '--format', 'csv', '--ci-method', 'none'])).stdout.trim().split('\n');
    expect(csv[0]).toBe('rank,model,rating,battles,wins,losses,ties');
    expect(csv).toHaveLength(4);
    expect(csv[1]).toMatch(/^1,alpha,1\d{3}\.\d+,9,7,2,0$/);
    const md = (await cli(['rate', f, '--format', 'markdown', '--ci-method', 'none'])).stdout.trim().split('\n');
    // without intervals the first column is the position by rating, and says so
    expect(md[0]).toBe('| Position | Model | Rating | Battles | Wins | Losses | Ties |');
    expect(md[2]).toMatch(/^\| 1 \| alpha \| 1\d{3}\.\d \| 9 \| 7 \| 2 \| 0 \|$/);
    const table = (await cli(['rate', f, '--ci-method', 'none'])).stdout.split('\n');
    expect(table[0]).toMatch(/^Pos\.\s+Model\s+Rating\s+Battles\s+Wins\s+Losses\s+Ties$/);
    // with intervals it is LMArena's rank
    expect((await cli(['rate', f])).stdout.split('\n')[0]).toMatch(/^Rank\s+Model\s+Rating\s+95% CI/);
    expect(table[2]).toMatch(/^\s+2\s+__proto__\s+\d+\.\d\s+5\s+1\s+1\s+3$/);
  });
  it('--out writes atomically and prints nothing on stdout', async () => {
    const dir = tempDir();
    const out = join(dir, 'lb.json');
    const r = await cli(['rate', tempFile('s.jsonl', small), '--format', 'json', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).models).toHaveLength(3);
    expect(readdirSync(dir)).toEqual(['lb.json']);
  });
  it('bad input: exit 1, one line on stderr, no partial --out file', async () => {
    const dir = tempDir();
    const out = join(dir, 'lb.json');
    const bad = tempFile('bad.jsonl', small + '{"model_a":"x","model_b":"y","winner":"draw"}\n');
    const r = await cli(['rate', bad, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`arena: ${bad}:6: winner: unknown label "draw" (expected one of "model_a", "model_b", "tie", "tie (bothbad)", "both_bad")\n`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out))).toEqual([]);
  });
  it('an unknown anchor model is a usage error naming the option and the closest names (as --a of compare)', async () => {
    const r = await cli(['rate', tempFile('s.jsonl', small), '--anchor', 'gamma=1000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('arena: error: --anchor: model "gamma" is not in the battles (3 models)\n');
    const near = await cli(['rate', tempFile('s.jsonl', small), '--anchor', 'alph=1000']);
    expect(near.stderr).toBe('arena: error: --anchor: model "alph" is not in the battles (3 models); did you mean "alpha"?\n');
    for (const cmd of [['compare', '--a', 'alpha', '--b', 'beta'], ['matrix'], ['stability', '--sort', 'input']]) {
      const c = await cli([cmd[0]!, tempFile('s.jsonl', small), ...cmd.slice(1), '--anchor', 'gamma=1000']);
      expect(c.code, cmd[0]).toBe(2);
    }
  });
  it('degenerate data: warnings on stderr, data on stdout', async () => {
    const r = await cli(['rate', tempFile('d.jsonl', jsonl([{ model_a: 'a', model_b: 'b', winner: 'model_a' }]))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Rank/);
    expect(r.stderr).toMatch(/^warning: "a" never lost/);
  });
  it('--sort tstamp replays Elo in time order', async () => {
    const rows = [
      { model_a: 'x', model_b: 'y', winner: 'model_a', tstamp: 2 },
      { model_a: 'x', model_b: 'y', winner: 'model_b', tstamp: 1 },
    ];
    const f = tempFile('t.jsonl', jsonl(rows));
    const f2 = tempFile('t2.jsonl', jsonl([rows[1], rows[0]]));
    const sorted = JSON.parse((await cli(['rate', f, '--method', 'elo', '--sort', 'tstamp', '--format', 'json'])).stdout);
    const manual = JSON.parse((await cli(['rate', f2, '--method', 'elo', '--format', 'json'])).stdout);
    const unsorted = JSON.parse((await cli(['rate', f, '--method', 'elo', '--format', 'json'])).stdout);
    expect(sorted.models).toEqual(manual.models);
    expect(sorted.models).not.toEqual(unsorted.models);
    const missing = await cli(['rate', tempFile('u.jsonl', small), '--method', 'elo', '--sort', 'tstamp']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/tstamp: sort by tstamp requires a tstamp on every row/);
  });
});

describe('arena rate: usage errors exit 2', () => {
  const f = () => tempFile('s.jsonl', small);
  for (const args of [
    ['--k', 'abc'],
    ['--k', '-1'],
    ['--method', 'glicko'],
    ['--format', 'xml'],
    ['--ties', 'maybe'],
    ['--ci', '1.5'],
    ['--bootstrap', '-1'],
    ['--base', '1'],
    ['--anchor', 'nomodel'],
    ['--no-such-option'],
  ]) {
    it(args.join(' '), async () => {
      const r = await cli(['rate', f(), ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')[0]).toMatch(/error/);
    });
  }
  it('no battle files', async () => {
    expect((await cli(['rate'])).code).toBe(2);
  });
  it('unknown command', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
  });
});

describe('arena rate on real data', () => {
  it('reproduces the golden LLMFAO ratings (independent implementation) to 0.01', async () => {
    const golden = JSON.parse(readFileSync(join(FIXTURES, 'golden', 'llmfao.bt.json'), 'utf8'));
    const r = await cli(['rate', join(FIXTURES, golden.input), ...golden.args, '--format', 'json']);
    const got = new Map(JSON.parse(r.stdout).models.map((m: { model: string; rating: number }) => [m.model, m.rating]));
    expect(got.size).toBe(Object.keys(golden.models).length);
    for (const [model, want] of Object.entries(golden.models as Record<string, { rating: number }>)) {
      expect(Math.abs((got.get(model) as number) - want.rating)).toBeLessThan(golden.tolerance);
    }
  });
  it('reproduces the anchored Chatbot Arena 2024-08-14 board (chatgpt-4o-latest ≈ 1315)', async () => {
    const golden = JSON.parse(readFileSync(join(FIXTURES, 'golden', 'chatbot-arena-20240814.bt-anchor.json'), 'utf8'));
    const r = await cli(['rate', join(FIXTURES, golden.input), ...golden.args, '--format', 'json']);
    const j = JSON.parse(r.stdout);
    expect(j.battles).toBe(1670250);
    expect(j.models).toHaveLength(129);
    for (const m of j.models) expect(Math.abs(m.rating - golden.models[m.model].rating)).toBeLessThan(golden.tolerance);
    expect(j.models[0].model).toBe('chatgpt-4o-latest');
    expect(Math.round(j.models[0].rating)).toBe(1315);
  });
});

describe('the installed bin', () => {
  it('--help lists every rate option with its default', () => {
    const r = bin(['rate', '--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--method', '--k', '--scale', '--base', '--initial', '--anchor', '--ties', '--bootstrap', '--ci', '--seed', '--format', '--out']) expect(r.stdout).toContain(opt);
    expect(r.stdout).toContain('(default: 4)');
  });
  it('bad input gives exit 1 and exactly one stderr line, no stack trace', () => {
    const f = tempFile('g.jsonl', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x0a]));
    const r = bin(['rate', f]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/g\.jsonl:1: \(json\): not valid JSON/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
  it('reads stdin with -', () => {
    const r = bin(['rate', '-', '--format', 'csv'], small);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(/^1,alpha,/);
  });
  it('usage error exits 2', () => {
    const r = bin(['rate', '--k']);
    expect(r.code).toBe(2);
  });
});

describe('arena simulate and demo', () => {
  it('simulate is reproducible from --seed and rate reads it back', async () => {
    const a = await cli(['simulate', '--battles', '2000', '--seed', '7']);
    const b = await cli(['simulate', '--battles', '2000', '--seed', '7']);
    const c = await cli(['simulate', '--battles', '2000', '--seed', '8']);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toBe(c.stdout);
    expect(a.stdout.trim().split('\n')).toHaveLength(2000);
    const f = tempFile('sim.jsonl', a.stdout);
    const r = await cli(['rate', f, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).battles).toBe(2000);
  });
  it('simulate --out with custom ratings; bad ratings file is rejected with its JSON path', async () => {
    const ratings = tempFile('r.json', JSON.stringify({ models: [{ model: 'p', rating: 1200 }, { model: 'q', rating: 1000 }] }));
    const out = join(tempDir(), 'b.jsonl');
    expect((await cli(['simulate', '--ratings', ratings, '--battles', '5000', '--out', out, '--tie-rate', '0'])).code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const pWins = lines.filter((l) => (l.model_a === 'p') === (l.winner === 'model_a')).length / lines.length;
    expect(pWins).toBeGreaterThan(0.74); // BT: 1/(1+10^(-0.5)) = 0.7597
    expect(pWins).toBeLessThan(0.78);
    const bad = tempFile('bad.json', JSON.stringify({ models: [{ model: 'p', rating: 'high' }, { model: 'q', rating: 1 }] }));
    const r = await cli(['simulate', '--ratings', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.json: models\.0\.rating: /);
  });
  it('demo rebuilds the embedded board close to the truth', async () => {
    const r = await cli(['demo', '--battles', '300000', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.models).toHaveLength(339);
    const err = j.models.map((m: { rating: number; trueRating: number }) => Math.abs(m.rating - m.trueRating));
    expect(Math.max(...err)).toBeLessThan(40);
    expect(err.reduce((a: number, b: number) => a + b, 0) / err.length).toBeLessThan(10);
    const top = j.models.slice(0, 8).map((m: { model: string }) => m.model);
    expect(top).toContain('claude-opus-4.6-thinking');
  });
});
