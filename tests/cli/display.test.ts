import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, tempFile } from '../helpers.js';

const JA = join(FIXTURES, 'data', 'chatbot-arena-20240814-japanese', 'battles.jsonl');
const ALL = join(FIXTURES, 'data', 'chatbot-arena-20240814', 'battles.jsonl');

/** Battles per model counted from the raw file (JSON.parse per line, `count` rows), independently of the readers. */
function battlesPerModel(file: string): Map<string, number> {
  const n = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const b = JSON.parse(line) as { model_a: string; model_b: string; count?: number };
    for (const m of [b.model_a, b.model_b]) n.set(m, (n.get(m) ?? 0) + (b.count ?? 1));
  }
  return n;
}

interface Row { model: string; rating: number; rank: number; rankUpper: number; lower: number; upper: number; battles: number; deprecated?: boolean; delta?: number | null; plus?: number; minus?: number }

describe('display rules on the real Japanese battles (rate, report)', () => {
  it('--min-votes 300 hides exactly the models with fewer than 300 battles in the file and ranks the rest among themselves', async () => {
    const all = JSON.parse((await cli(['rate', JA, '--format', 'json'])).stdout) as { models: Row[] };
    const r = await cli(['rate', JA, '--min-votes', '300', '--format', 'json']);
    expect(r.code).toBe(0);
    const lb = JSON.parse(r.stdout) as { models: Row[]; display: { hidden: { model: string }[] } };
    const counts = battlesPerModel(JA);
    const few = [...counts].filter(([, n]) => n < 300).map(([m]) => m).sort();
    expect(few.length).toBeGreaterThan(10);
    expect(lb.display.hidden.map((h) => h.model).sort()).toEqual(few);
    expect(lb.models.map((m) => m.model).sort()).toEqual([...counts].filter(([, n]) => n >= 300).map(([m]) => m).sort());
    for (const m of lb.models) {
      const same = all.models.find((x) => x.model === m.model)!;
      expect([m.rating, m.lower, m.upper]).toEqual([same.rating, same.lower, same.upper]); // the fit is untouched
      expect(m.rank).toBe(1 + lb.models.filter((u) => u.lower > m.upper).length);
    }
  });

  it('--delta: Δ = rank here − rank on the overall board, by name; --deprecated flags and leaves out of ranks; plusminus', async () => {
    const overall = tempFile('overall.json', (await cli(['rate', ALL, '--format', 'json'])).stdout);
    const ranks = new Map((JSON.parse(readFileSync(overall, 'utf8')) as { models: Row[] }).models.map((m) => [m.model, m.rank]));
    const r = await cli(['rate', JA, '--delta', overall, '--deprecated', 'gpt-4-0314', '--interval-style', 'plusminus', '--format', 'json']);
    expect(r.code).toBe(0);
    const lb = JSON.parse(r.stdout) as { models: Row[] };
    let onBoth = 0;
    for (const m of lb.models) {
      if (ranks.has(m.model)) {
        onBoth++;
        expect(m.delta).toBe(m.rank - ranks.get(m.model)!);
      } else expect(m.delta).toBeNull();
      expect(m.plus).toBeCloseTo(m.upper - m.rating, 9);
    }
    expect(onBoth).toBeGreaterThan(50);
    const dep = lb.models.find((m) => m.model === 'gpt-4-0314')!;
    expect(dep.deprecated).toBe(true);
    const current = lb.models.filter((m) => !m.deprecated);
    for (const m of current) expect(m.rank).toBe(1 + current.filter((u) => u.lower > m.upper).length);
    const table = await cli(['rate', JA, '--delta', overall, '--deprecated', 'gpt-4-0314', '--interval-style', 'plusminus', '--min-votes', '300']);
    expect(table.stdout).toMatch(/Rank +Δ +Model/);
    expect(table.stdout).toMatch(/gpt-4-0314 \(deprecated\)/);
    expect(table.stdout).toMatch(/\+\d+\.\d \/ −\d+\.\d/);
    expect(table.stdout).toMatch(/models with fewer than 300 battles hidden \(kept in the fit\)/);
    const csv = (await cli(['rate', JA, '--delta', overall, '--deprecated', 'gpt-4-0314', '--interval-style', 'plusminus', '--format', 'csv'])).stdout;
    expect(csv.split('\n')[0]).toBe('rank,model,rating,lower,upper,plus,minus,battles,wins,losses,ties,deprecated,delta');
  });

  it('the report shows the same rules (Δ column, deprecated flag, hidden models named)', async () => {
    const overall = tempFile('overall.json', (await cli(['rate', ALL, '--format', 'json'])).stdout);
    const r = await cli(['report', JA, '--delta', overall, '--deprecated', 'gpt-4-0314', '--min-votes', '300']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<th class="num">Δ</th>');
    expect(r.stdout).toMatch(/gpt-4-0314 <span class="summary">\(deprecated\)<\/span>/);
    expect(r.stdout).toMatch(/models with fewer than 300 battles are hidden \(kept in the fit\)/);
    const data = JSON.parse(/<script type="application\/json" id="arena-leaderboard">([\s\S]*?)<\/script>/.exec(r.stdout)![1]!) as { display: { minVotes: number } };
    expect(data.display.minVotes).toBe(300);
  });

  it('bad inputs: one line naming the file and field, exit 1; a rank distribution with hidden models is a usage error', async () => {
    const bad = tempFile('board.json', JSON.stringify({ method: 'bt', params: {}, models: [{ model: 'a', rank: 1, rating: 1 }, { model: 'b', rank: 'two', rating: 2 }] }));
    const r = await cli(['rate', JA, '--delta', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${bad}: models.1.rank:`);
    const twice = tempFile('board.json', JSON.stringify({ method: 'bt', params: {}, models: [{ model: 'a', rank: 1, rating: 1 }, { model: 'a', rank: 2, rating: 2 }] }));
    expect((await cli(['rate', JA, '--delta', twice])).stderr).toContain(`${twice}: models.1.model: model "a" is listed twice`);
    const missing = await cli(['rate', JA, '--deprecated-file', '/nonexistent/deprecated.txt']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('/nonexistent/deprecated.txt: cannot read (ENOENT)');
    const rd = await cli(['rate', JA, '--bootstrap', '10', '--rank-distribution', '--format', 'json', '--min-votes', '300']);
    expect(rd.code).toBe(2);
    expect((await cli(['rate', JA, '--min-votes', '-3'])).code).toBe(2);
  });

  it('--deprecated-file reads one name per line (CRLF and blank lines tolerated)', async () => {
    const f = tempFile('dep.txt', 'gpt-4-0314\r\n\r\nclaude-2.1\n');
    const lb = JSON.parse((await cli(['rate', JA, '--deprecated-file', f, '--format', 'json'])).stdout) as { models: Row[]; display: { deprecated: string[] } };
    expect(lb.display.deprecated).toEqual(['gpt-4-0314', 'claude-2.1']);
    expect(lb.models.filter((m) => m.deprecated).map((m) => m.model).sort()).toEqual(['claude-2.1', 'gpt-4-0314']);
  });
});

describe('display rules: edge cases (review findings)', () => {
  it('hiding every model keeps the columns and says so; plusminus without intervals and --compare-models with rules are usage errors', async () => {
    const r = await cli(['rate', JA, '--min-votes', '100000000', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('rank,model,rating,lower,upper,battles,wins,losses,ties\n');
    expect(r.stderr).toContain('all 129 are hidden');
    expect((await cli(['rate', JA, '--interval-style', 'plusminus', '--ci-method', 'none'])).code).toBe(2);
    expect((await cli(['rate', JA, '--compare-models', '--min-votes', '300'])).code).toBe(2);
  });

  it('--delta takes only the JSON of arena rate, and warns when one board has ranks and the other positions', async () => {
    const ratings = join(FIXTURES, 'lmarena-text-2026-04.json');
    const r = await cli(['rate', JA, '--delta', ratings]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`arena: ${ratings}: method: missing: not the JSON of \`arena rate --format json\` (the reference board of --delta)\n`);
    const positions = tempFile('pos.json', (await cli(['rate', JA, '--format', 'json', '--ci-method', 'none'])).stdout);
    const w = await cli(['rate', JA, '--delta', positions, '--format', 'json']);
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/Δ compares LMArena ranks \(from intervals\) here with positions by rating on .*pos\.json/);
  });

  it('report: repeated --deprecated stays repeated in the "made with" line, and its warnings reach stderr', async () => {
    const r = await cli(['report', JA, '--deprecated', 'gpt-4-0314', '--deprecated', 'bogus']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--deprecated gpt-4-0314 --deprecated bogus');
    expect(r.stderr).toContain('warning: Deprecated model not on this board: "bogus".');
  });
});
