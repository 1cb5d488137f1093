import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import { bin, cli, jsonl, tempFile } from '../helpers.js';

// --filter is one input option declared once (option-groups.ts) for every command that reads battles.

const io = { stdout: () => undefined, stderr: () => undefined, stdin: process.stdin, stderrIsTTY: false, stdoutIsTTY: false, env: {} };

/** Every command (and subcommand) of the program with the input option --sort, i.e. that reads battle files. */
function battleReaders(): { name: string; options: string[] }[] {
  const out: { name: string; options: string[] }[] = [];
  const walk = (c: Command, prefix: string) => {
    for (const sub of c.commands) {
      const name = `${prefix}${sub.name()}`;
      const options = sub.options.map((o) => o.long ?? '');
      if (options.includes('--sort')) out.push({ name, options });
      walk(sub, `${name} `);
    }
  };
  walk(createProgram(io as never), '');
  return out;
}

const rows = [
  { model_a: 'a', model_b: 'b', winner: 'model_a', language: 'English', anony: true, tstamp: 1714521600 },
  { model_a: 'b', model_b: 'c', winner: 'model_b', language: 'German', anony: true, tstamp: 1714521601 },
  { model_a: 'c', model_b: 'a', winner: 'tie', language: 'English', anony: false, tstamp: 1714521602 },
  { model_a: 'a', model_b: 'c', winner: 'model_a', language: 'English', anony: true, tstamp: 1714521603 },
  { model_a: 'b', model_b: 'a', winner: 'model_b', language: 'English', anony: true, tstamp: 1714521604 },
  { model_a: 'c', model_b: 'b', winner: 'model_a', language: 'English', anony: true, tstamp: 1714521605 },
];

describe('--filter on the command line', () => {
  it('every battle-reading command accepts it (declared once with the input options)', () => {
    const readers = battleReaders();
    expect(readers.map((r) => r.name).sort()).toEqual(['aggregate', 'audit', 'backtest', 'compare', 'matrix', 'plot backtest', 'plot counts', 'plot intervals', 'plot stability', 'plot trajectory', 'plot whatif', 'plot winrate', 'rate', 'report', 'stability', 'whatif'].sort());
    for (const r of readers) expect(r.options, r.name).toContain('--filter');
  });

  it('rate --filter rates exactly the battles of a file holding only the kept rows', async () => {
    const all = tempFile('all.jsonl', jsonl(rows));
    const kept = tempFile('kept.jsonl', jsonl(rows.filter((r) => r.anony && r.language === 'English')));
    const a = await cli(['rate', all, '--filter', 'anony and language == "English"', '--format', 'json', '--ci-method', 'none']);
    const b = await cli(['rate', kept, '--format', 'json', '--ci-method', 'none']);
    expect(a.code).toBe(0);
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    expect(ja.battles).toBe(4);
    expect(ja.models).toEqual(jb.models);
    expect(ja.params.filter).toBe('anony and language == "English"');
    expect(jb.params.filter).toBeNull();
  });

  it('stdin (-) is filtered the same way', async () => {
    const a = await cli(['rate', '-', '--filter', 'anony and language == "English"', '--format', 'json', '--ci-method', 'none'], jsonl(rows));
    const kept = tempFile('kept.jsonl', jsonl(rows.filter((r) => r.anony && r.language === 'English')));
    const b = await cli(['rate', kept, '--format', 'json', '--ci-method', 'none']);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout).models).toEqual(JSON.parse(b.stdout).models);
    const bad = await cli(['rate', '-', '--filter', 'lang == "x"'], jsonl(rows));
    expect([bad.code, bad.stderr]).toEqual([1, 'arena: <stdin>:1: lang: unknown field (this row has no such field)\n']);
  });

  it('compare and matrix apply it too', async () => {
    const all = tempFile('all.jsonl', jsonl(rows));
    const c = await cli(['compare', all, '--a', 'a', '--b', 'b', '--filter', 'tstamp >= 1714521603', '--format', 'json']);
    expect(c.code).toBe(0);
    const j = JSON.parse(c.stdout);
    // rows 4-6 only: a has 2 battles (a-c, b-a), b has 2 (b-a, c-b)
    expect(j.models.map((m: { model: string; battles: number }) => [m.model, m.battles])).toEqual(expect.arrayContaining([['a', 2], ['b', 2]]));
    const m = await cli(['matrix', all, '--filter', 'language == "German"', '--format', 'json']);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout).battles).toBe(1);
  });

  it('an unknown field exits 1 with one line naming file, line and field (built bin, no stack trace)', () => {
    const f = tempFile('b.jsonl', jsonl(rows));
    const r = bin(['rate', f, '--filter', 'lang == "English"']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`arena: ${f}:1: lang: unknown field (this row has no such field)\n`);
    expect(r.stdout).toBe('');
  });

  it('a syntax or type error in the expression is a usage error: exit 2, one line', async () => {
    const f = tempFile('b.jsonl', jsonl(rows));
    const r = await cli(['rate', f, '--filter', 'language = "English"']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^arena: error: filter "language = \\"English\\"": /);
    const t = await cli(['stability', f, '--filter', 'anony == "yes" and anony']);
    expect(t.code).toBe(2);
    expect(t.stderr).toBe('arena: error: filter "anony == \\"yes\\" and anony": field anony is used both as a string and as a boolean\n');
  });

  it('whatif without battle files (a simulated baseline) refuses --filter instead of ignoring it', async () => {
    const r = await cli(['whatif', '--scenario', 'fixtures/scenarios/muse-spark-best-of-50.json', '--filter', 'anony']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^arena: error: --filter selects battles read from files; a simulated baseline has none/);
  });

  it('a filter that keeps nothing exits 1 and says so', async () => {
    const f = tempFile('b.jsonl', jsonl(rows));
    const r = await cli(['rate', f, '--filter', 'language == "French"']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`arena: ${f}: no battles pass the filter (6 rows read): language == "French"\n`);
  });
});
