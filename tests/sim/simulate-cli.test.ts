import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import { startArg } from '../../src/cli/commands/simulate.js';
import { bin, cli, tempDir, tempFile } from '../helpers.js';

const ratings = () =>
  tempFile('r.json', JSON.stringify({ models: [['a', 1200, 1], ['b', 1150, 4], ['c', 1100, 2], ['d', 1000, 1]].map(([model, rating, weight]) => ({ model, rating, weight })) }));

describe('arena simulate: policies, ties, timestamps', () => {
  for (const policy of ['uniform', 'popularity', 'lmarena', 'active']) {
    it(`--policy ${policy} writes readable JSONL battles, reproducible from the seed`, async () => {
      const dir = tempDir();
      const out = join(dir, 'b.jsonl');
      const args = ['simulate', '--battles', '1200', '--policy', policy, '--seed', '9'];
      const r = await cli([...args, '--out', out]);
      expect(r.code).toBe(0);
      const t = await readBattles([out]);
      expect(t.battles).toBe(1200);
      // 1,200 battles over 339 models: weighted policies may miss a few rarely drawn models
      expect(t.models.length).toBeGreaterThan(policy === 'uniform' || policy === 'active' ? 330 : 250);
      expect((await cli(args)).stdout).toBe(readFileSync(out, 'utf8'));
    });
  }
  it('popularity uses the weights of the ratings file', async () => {
    const r = await cli(['simulate', '--ratings', ratings(), '--battles', '20000', '--policy', 'popularity']);
    const t = await readBattles([tempFile('b.jsonl', r.stdout)]);
    // weights 1, 4, 2, 1: model b plays in Σ_j w_b·w_j / Σ_{i<j} w_i·w_j = 4·4/(4+2+1+8+4+2) = 16/21 of the battles
    const b = t.models.indexOf('b');
    let n = 0;
    for (let i = 0; i < t.rows; i++) if (t.a[i] === b || t.b[i] === b) n++;
    expect(Math.abs(n / 20000 - 16 / 21)).toBeLessThan(4 * Math.sqrt((16 / 21) * (5 / 21) / 20000));
  });
  it('default policy: popularity when every model has a weight (the embedded board, a weighted file), else uniform; style options keep uniform', async () => {
    const base = ['simulate', '--battles', '500', '--seed', '3'];
    const embedded = (await cli(base)).stdout;
    expect(embedded).toBe((await cli([...base, '--policy', 'popularity'])).stdout);
    expect(embedded).not.toBe((await cli([...base, '--policy', 'uniform'])).stdout);
    const f = ratings();
    expect((await cli([...base, '--ratings', f])).stdout).toBe((await cli([...base, '--ratings', f, '--policy', 'popularity'])).stdout);
    const plain = tempFile('u.json', JSON.stringify({ models: [{ model: 'a', rating: 1200 }, { model: 'b', rating: 1100 }, { model: 'c', rating: 1000 }] }));
    const u = (await cli([...base, '--ratings', plain])).stdout;
    expect(u).toBe((await cli([...base, '--ratings', plain, '--policy', 'uniform'])).stdout);
    expect(u).not.toBe((await cli([...base, '--ratings', plain, '--policy', 'popularity'])).stdout);
    // style simulation draws uniform pairs only: with weights its default stays uniform, no usage error
    const st = await cli([...base, '--ratings', f, '--style-effect', '0.5,0,0,0']);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toBe((await cli([...base, '--ratings', f, '--style-effect', '0.5,0,0,0', '--policy', 'uniform'])).stdout);
  });
  it('--start, --interval and --arrivals shape the timestamps', async () => {
    const fixed = (await cli(['simulate', '--ratings', ratings(), '--battles', '3', '--start', '2026-05-01T12:00:00Z', '--interval', '30'])).stdout.trim().split('\n');
    expect(fixed.map((l) => JSON.parse(l).tstamp)).toEqual([0, 30, 60].map((d) => Date.UTC(2026, 4, 1, 12) / 1000 + d));
    const poisson = (await cli(['simulate', '--ratings', ratings(), '--battles', '50', '--start', '1000', '--arrivals', 'poisson'])).stdout.trim().split('\n');
    const ts = poisson.map((l) => JSON.parse(l).tstamp as number);
    expect(ts[0]).toBe(1000);
    expect(ts.every((x, i) => i === 0 || x >= ts[i - 1]!)).toBe(true);
    expect(new Set(ts.slice(1).map((x, i) => x - ts[i]!)).size).toBeGreaterThan(40);
  });
  it('--tie-model davidson gives fewer ties to uneven pairs', async () => {
    const run = async (model: string) => {
      const out = (await cli(['simulate', '--ratings', ratings(), '--battles', '20000', '--tie-model', model, '--seed', '1'])).stdout;
      return out.split('\n').filter((l) => l.includes('"tie')).length;
    };
    expect(await run('davidson')).toBeLessThan(await run('constant'));
  });
  it('bad options: unknown --new-model is an input error (exit 1), bad values are usage errors (exit 2)', async () => {
    const r = await cli(['simulate', '--policy', 'lmarena', '--new-model', 'nobody', '--battles', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('arena: --new-model: unknown model "nobody" (not in the ratings file)\n');
    expect((await cli(['simulate', '--policy', 'random'])).code).toBe(2);
    expect((await cli(['simulate', '--start', 'yesterday'])).code).toBe(2);
    expect((await cli(['simulate', '--refit-growth', '1'])).code).toBe(2);
    expect((await cli(['simulate', '--tie-model', 'rao'])).code).toBe(2);
  });
  it('--new-model boosts a model under the LMArena policy', async () => {
    const count = async (extra: string[]) => {
      const out = (await cli(['simulate', '--ratings', ratings(), '--battles', '3000', '--policy', 'lmarena', '--top-n', '0', ...extra])).stdout;
      return out.split('\n').filter((l) => l.includes('"d"')).length;
    };
    // weights 1,1,1,1 → d in half the battles; boosted ×5 → 2·5·3/(3 + 5·3) ≈ … share (5·3)/(3+15) = 5/6
    expect(await count(['--new-model', 'd'])).toBeGreaterThan(2300);
    expect(await count([])).toBeLessThan(1700);
  });
  it('startArg parses seconds, dates and date-times', () => {
    expect(startArg('1700000000')).toBe(1700000000);
    expect(startArg('2026-04-01')).toBe(Date.UTC(2026, 3, 1) / 1000);
    expect(startArg('2026-04-01T06:00:00+02:00')).toBe(Date.UTC(2026, 3, 1, 4) / 1000);
    expect(() => startArg('soon')).toThrow(/ISO 8601/);
  });
});

describe('simulate --out: failures leave nothing behind', () => {
  it('a missing folder is one clean line, exit 1, no stack trace', () => {
    const r = bin(['simulate', '--battles', '1000', '--out', '/nonexistent-folder/x.jsonl']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('arena: /nonexistent-folder/x.jsonl: cannot write (ENOENT)\n');
  });
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s mid-run removes the temporary file and leaves the target untouched', async (signal, status) => {
    const { spawn } = await import('node:child_process');
    const { existsSync, readdirSync, writeFileSync } = await import('node:fs');
    const dir = tempDir();
    const target = `${dir}/big.jsonl`;
    writeFileSync(target, 'OLD\n');
    const child = spawn(process.execPath, ['dist/cli/main.js', 'simulate', '--battles', '50000000', '--out', target, '--quiet']);
    // wait until the temporary file exists, then interrupt
    for (let t = 0; t < 400 && readdirSync(dir).length < 2; t++) await new Promise((r) => setTimeout(r, 50)); // up to 20 s on a loaded machine
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(true);
    child.kill(signal);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(status);
    expect(readdirSync(dir)).toEqual(['big.jsonl']);
    expect(existsSync(target)).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('OLD\n');
  }, 30_000);
});
