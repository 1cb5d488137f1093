import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import { InputError } from '../../src/errors.js';
import { createRng, deriveRng } from '../../src/rng.js';
import { mutate } from '../fuzz.js';
import { FIXTURES, plainTable, tempDir } from '../helpers.js';

// The readers' fuzz test (issue 17, "Done when"): mutants of valid JSONL, CSV and Parquet files, from a fixed seed.
// Every case must end (within the test's time limit; Parquet under a 1 s decoder deadline) with a table or an
// InputError of one line: never another error (the CLI's "internal error"), never a hang. JSONL and CSV are also
// read by both engines (the fast byte scanners and the reference JSON.parse/csv-parse + zod path), which must agree:
// the same table or the same message. A sample runs through the built CLI: exit 0 or 1, one line, no stack trace.
// More cases, all through the CLI with its default deadline: bench/fuzz-readers.mjs.

const SEED = 20261130;
const CASES = { jsonl: 1500, csv: 1500, parquet: 150 }; // about 25 s alone on 2 cores (Parquet: a decoder thread per case)

// the valid files mutated: real rows (LMArena's math category, with counts) and rows with timestamps, style
// counts, a filter field and names with quotes, non-ASCII and escapes
const real = readFileSync(join(FIXTURES, 'data', 'chatbot-arena-20240814-math', 'battles.jsonl'), 'utf8').split('\n').slice(0, 12).map((l) => JSON.parse(l) as Record<string, unknown>);
const style = { sum_assistant_a_tokens: 120, header_count_a: { h1: 1, h2: 0 }, list_count_a: { ordered: 2, unordered: 1 }, bold_count_a: { '**': 3, __: 0 }, sum_assistant_b_tokens: 80, header_count_b: 0, list_count_b: 1, bold_count_b: 0 };
const rows: Record<string, unknown>[] = [
  ...real,
  { model_a: 'café', model_b: 'a "quoted" b', winner: 'tie', tstamp: 1712000000.5, language: 'English' },
  { model_a: 'x\\y', model_b: '模型', winner: 'model_b', count: 2, tstamp: 1712000001, language: 'French', conv_metadata: style },
  { model_a: '__proto__', model_b: 'constructor', winner: 'tie (bothbad)', tstamp: 1712000002, language: 'English' },
];
const jsonlBase = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
const csvCell = (v: unknown) => {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csvCols = ['model_a', 'model_b', 'winner', 'count', 'tstamp'];
const csvBase = Buffer.from([csvCols.join(','), ...rows.map((r) => csvCols.map((c) => csvCell(r[c] ?? (c === 'count' ? 1 : c === 'tstamp' ? 1712000000 : undefined))).join(','))].join('\n') + '\n');
const parquetBase = Buffer.from(
  parquetWriteBuffer({
    columnData: [
      { name: 'model_a', data: rows.map((r) => r.model_a as string), type: 'STRING' },
      { name: 'model_b', data: rows.map((r) => r.model_b as string), type: 'STRING' },
      { name: 'winner', data: rows.map((r) => r.winner as string), type: 'STRING' },
      { name: 'count', data: Int32Array.from(rows, (r) => (r.count as number | undefined) ?? 1), type: 'INT32' },
      { name: 'tstamp', data: Float64Array.from(rows, (r) => (r.tstamp as number | undefined) ?? 1712000000), type: 'DOUBLE' },
    ],
  }),
);
const bases = { jsonl: jsonlBase, csv: csvBase, parquet: parquetBase } as const;
type Format = keyof typeof bases;

/** The outcome of reading a file: the table, or the InputError's message; any other error fails the test. */
async function outcome(file: string, engine: 'fast' | 'reference'): Promise<{ ok: true; table: unknown } | { ok: false; message: string }> {
  try {
    return { ok: true, table: plainTable(await readBattles([file], { engine, parquet: { deadlineMs: 1000 } })) };
  } catch (e) {
    if (!(e instanceof InputError)) throw new Error(`${file}: not an InputError: ${String((e as Error).stack ?? e)}`);
    expect(e.message, file).not.toMatch(/[\n\r]/);
    return { ok: false, message: e.message };
  }
}

describe('reader fuzz: mutated JSONL, CSV and Parquet end with a table or a one-line InputError', () => {
  const dir = tempDir();
  const tally = new Map<string, number>();
  for (const format of ['jsonl', 'csv', 'parquet'] as const satisfies readonly Format[]) {
    it(`${CASES[format]} mutants of a ${format} file (seed ${SEED})${format === 'parquet' ? '' : '; both engines agree'}`, { timeout: 120_000 }, async () => {
      const rng = deriveRng(SEED, format);
      let ok = 0;
      for (let i = 0; i < CASES[format]; i++) {
        const file = join(dir, `m${i}.${format}`);
        writeFileSync(file, mutate(bases[format], rng));
        const fast = await outcome(file, 'fast');
        if (format !== 'parquet') expect(await outcome(file, 'reference'), `case ${i}`).toEqual(fast);
        if (fast.ok) ok++;
      }
      tally.set(format, ok);
      // the mutants are not all rejected nor all accepted: the operators reach both outcomes
      expect(ok).toBeGreaterThan(CASES[format] * 0.02);
      expect(ok).toBeLessThan(CASES[format] * 0.9);
    });
  }

  it('a sample through the built CLI: exit 0 or 1, stderr of one line (besides warnings), no stack trace, within 30 s', () => {
    const rng = createRng(SEED);
    for (let i = 0; i < 24; i++) {
      const format = (['jsonl', 'csv', 'parquet'] as const)[i % 3]!;
      const file = join(dir, `cli${i}.${format}`);
      writeFileSync(file, mutate(bases[format], rng));
      const r = spawnSync(process.execPath, ['dist/cli/main.js', 'rate', file, '--format', 'json'], { encoding: 'utf8', timeout: 30_000 });
      expect(r.signal, file).toBeNull();
      expect([0, 1], `${file}: ${r.stderr}`).toContain(r.status);
      const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('warning: '));
      if (r.status === 1) {
        expect(lines, file).toHaveLength(1);
        expect(lines[0]).toMatch(/^arena: /);
        expect(lines[0]).not.toMatch(/internal error/);
      } else expect(JSON.parse(r.stdout).battles).toBeGreaterThan(0);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
