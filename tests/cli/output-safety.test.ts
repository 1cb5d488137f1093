import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, FIXTURES, tempDir } from '../helpers.js';

const JA = join(FIXTURES, 'data', 'chatbot-arena-20240814-japanese', 'battles.jsonl');
/** One line on stderr, `arena: ` first. */
const oneLine = (s: string) => {
  expect(s.endsWith('\n')).toBe(true);
  expect(s.trimEnd().split('\n')).toHaveLength(1);
  expect(s.startsWith('arena: ')).toBe(true);
};

describe('--out never destroys what is at the path', () => {
  it('a FIFO or a folder at the path is refused before any work, left as it was, and no temporary file remains', () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = bin(['rate', JA, '--out', fifo]);
    expect(r.code).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toContain('is a FIFO, not a regular file: refusing to replace it');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const folder = join(dir, 'sub');
    mkdirSync(folder);
    const f = bin(['simulate', '--battles', '10', '--out', folder]);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain('is a folder, not a regular file');
    expect(readdirSync(dir).sort()).toEqual(['pipe', 'sub']);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('a symlink is followed: the file it points to is replaced, the link stays a link; permission bits are kept', () => {
    const dir = tempDir();
    const real = join(dir, 'board.csv');
    writeFileSync(real, 'OLD\n');
    chmodSync(real, 0o600);
    const link = join(dir, 'link.csv');
    symlinkSync(real, link);
    const r = bin(['rate', JA, '--format', 'csv', '--out', link]);
    expect(r.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8').startsWith('rank,model,rating')).toBe(true);
    expect(statSync(real).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['board.csv', 'link.csv']);
    const dangling = join(dir, 'dangling');
    symlinkSync(join(dir, 'missing', 'x'), dangling);
    const d = bin(['rate', JA, '--out', dangling]);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('is a symlink to a missing file');
  });

  it('an --out that is one of the inputs (directly or through a symlink) is refused and the input is untouched', () => {
    const dir = tempDir();
    const input = join(dir, 'battles.jsonl');
    writeFileSync(input, readFileSync(JA));
    const before = readFileSync(input);
    for (const out of [input, join(dir, 'alias.jsonl')]) {
      if (out !== input) symlinkSync(input, out);
      for (const args of [['rate', input, '--out', out], ['report', input, '--out', out], ['rate', input, `--out=${out}`]]) {
        const r = bin(args);
        expect(r.code).toBe(1);
        oneLine(r.stderr);
        expect(r.stderr).toContain("is one of this command's inputs: refusing to overwrite it");
      }
    }
    expect(readFileSync(input).equals(before)).toBe(true);
    const ratings = join(dir, 'ratings.json');
    writeFileSync(ratings, readFileSync(join(FIXTURES, 'lmarena-text-2026-04.json')));
    const s = bin(['simulate', '--ratings', ratings, '--battles', '10', '--out', ratings]);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain("is one of this command's inputs");
    expect(readFileSync(ratings, 'utf8')).toBe(readFileSync(join(FIXTURES, 'lmarena-text-2026-04.json'), 'utf8'));
  });
});

describe('writing to stdout', () => {
  it('a full device is one line and exit 1, no stack trace; a closed pipe is a quiet end (exit 0, nothing on stderr)', () => {
    const full = spawnSync('bash', ['-c', `node dist/cli/main.js rate ${JSON.stringify(JA)} > /dev/full`], { encoding: 'utf8' });
    expect(full.status).toBe(1);
    expect(full.stderr).toBe('arena: <stdout>: cannot write (ENOSPC)\n');
    for (const cmd of ['simulate --battles 300000', `rate ${JSON.stringify(JA)} --format csv`, `matrix ${JSON.stringify(JA)} --format csv`]) {
      const r = spawnSync('bash', ['-c', `node dist/cli/main.js ${cmd} | head -c 10 > /dev/null; echo "status \${PIPESTATUS[0]}" >&2`], { encoding: 'utf8' });
      expect(r.stderr).toBe('status 0\n');
    }
  });
});

describe('numeric options stay within limits where every result is finite (usage error, exit 2, one line)', () => {
  const J = JA;
  it.each([
    [['rate', J, '--bootstrap', '1e300'], '--bootstrap'],
    [['rate', J, '--method', 'elo', '--k', '1e308'], '--k'],
    [['rate', J, '--scale', '1e-300'], '--scale'],
    [['rate', J, '--initial', '1e308'], '--initial'],
    [['rate', J, '--anchor', 'alpaca-13b=-1e308'], '--anchor'],
    [['simulate', '--battles', '1e300'], '--battles'],
    [['simulate', '--battles', '10', '--interval', '1e308'], '--interval'],
    [['simulate', '--battles', '1000000000', '--interval', '1000'], '--interval'],
  ])('%j', (args, option) => {
    const r = bin(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(option);
    expect(r.stderr).not.toMatch(/internal error|\n {4}at /);
  });

  it('--threads above the core count is capped with a warning; the numbers are those of one thread', () => {
    const one = bin(['rate', JA, '--bootstrap', '20', '--threads', '1', '--format', 'json']);
    const many = bin(['rate', JA, '--bootstrap', '20', '--threads', '256', '--format', 'json']);
    expect(many.code).toBe(0);
    expect(many.stderr).toMatch(/^warning: --threads 256 is more than the \d+ cores? of this machine: using \d+/m);
    expect(many.stdout).toBe(one.stdout);
  });
});

describe('an up-front cost warning for many models (issue 17: dense O(m²) memory, O(m³) time)', () => {
  it('gives hand-computed estimates: 20,000 models ≈ 6·8·20,000² B = 17.9 GiB and 4·20,000³/1.5e9 s = 5.9 h; none up to 2,000 models, for Elo or on the sparse path', async () => {
    const { denseCostWarning } = await import('../../src/cli/option-groups.js');
    const w = denseCostWarning(20_000, false)!;
    expect(w).toContain('about 18 GiB');
    expect(w).toContain('about 5.9 h');
    expect(denseCostWarning(5_000, false)).toContain('about 1.1 GiB) and takes O(m³) time (about 6 min');
    expect(denseCostWarning(2_000, false)).toBeNull();
    expect(denseCostWarning(20_000, true)).toBeNull();
    expect(denseCostWarning(20_000, false, true)).toBeNull();
  });
});
