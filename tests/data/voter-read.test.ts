import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import type { BattleTable } from '../../src/data/table.js';
import { filterRows, tableFromBattles } from '../../src/data/table.js';
import { jsonl, readError, tempFile } from '../helpers.js';

/** The voter name of every row (null where none), read back from the table's columns. */
const votersOf = (t: BattleTable) => Array.from(t.voters!.id, (v) => (v < 0 ? null : t.voters!.names[v]!));

describe('reading a voter field (--voter-field)', () => {
  const rows = [
    { model_a: 'x', model_b: 'y', winner: 'model_a', judge: 'bob', meta: { user: 7 } },
    { model_a: 'y', model_b: 'x', winner: 'tie', judge: 'alice', meta: { user: 'u-2' } },
    { model_a: 'x', model_b: 'z', winner: 'model_b', judge: null, meta: { user: null } },
    { model_a: 'z', model_b: 'y', winner: 'model_a', judge: 'bob', meta: { user: 7 } },
  ];

  it('interns voters in sorted order, keeps the row order, null = no voter; same from JSONL, JSON and CSV, fast and reference', async () => {
    const fileJsonl = tempFile('v.jsonl', jsonl(rows));
    const fileJson = tempFile('v.json', JSON.stringify(rows));
    const fileCsv = tempFile('v.csv', 'model_a,model_b,winner,judge\n' + rows.map((r) => `${r.model_a},${r.model_b},${r.winner},${r.judge ?? ''}`).join('\n') + '\n');
    for (const [file, engine] of [[fileJsonl, 'fast'], [fileJsonl, 'reference'], [fileJson, 'fast'], [fileJson, 'reference'], [fileCsv, 'fast'], [fileCsv, 'reference']] as const) {
      const t = await readBattles([file], { voterField: 'judge', engine });
      expect(t.voters!.names).toEqual(['alice', 'bob']);
      expect(Array.from(t.voters!.id)).toEqual([1, 0, -1, 1]);
      expect(t.voters!.field).toBe('judge');
    }
  });

  it('follows a nested path; a number is its decimal text; with a filter only kept rows are read', async () => {
    const file = tempFile('n.jsonl', jsonl(rows));
    const t = await readBattles([file], { voterField: 'meta.user' });
    expect(votersOf(t)).toEqual(['7', 'u-2', null, '7']);
    const f = await readBattles([file], { voterField: 'meta.user', filter: 'model_a != "y"' });
    expect(votersOf(f)).toEqual(['7', null, '7']); // rows 1, 3, 4 (model_a x, x, z)
    expect(f.voters!.names).toEqual(['7']);
  });

  it('a voter named __proto__ or constructor is data', async () => {
    const file = tempFile('p.jsonl', jsonl([
      { model_a: 'a', model_b: 'b', winner: 'model_a', judge: '__proto__' },
      { model_a: 'a', model_b: 'b', winner: 'model_b', judge: 'constructor' },
    ]));
    const t = await readBattles([file], { voterField: 'judge' });
    expect(votersOf(t)).toEqual(['__proto__', 'constructor']);
  });

  it('a row without the field, or a voter that is not a string or number, is one error naming file, line and field', async () => {
    const missing = tempFile('m.jsonl', jsonl([rows[0]!, { model_a: 'x', model_b: 'y', winner: 'tie' }]));
    expect(await readError([missing], { voterField: 'judge' })).toMatch(/m\.jsonl:2: judge: unknown field/);
    const bad = tempFile('b.jsonl', jsonl([{ model_a: 'x', model_b: 'y', winner: 'tie', judge: true }]));
    expect(await readError([bad], { voterField: 'judge' })).toMatch(/b\.jsonl:1: judge: a voter must be a string or a finite number/);
    const csv = tempFile('m.csv', 'model_a,model_b,winner\nx,y,tie\n');
    expect(await readError([csv], { voterField: 'worker' })).toMatch(/m\.csv:2: worker: unknown field/);
  });

  it('property: fast and reference readers give the same voters, and filterRows carries them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.oneof(fc.constantFrom('v1', 'v2', '__proto__', ''), fc.integer({ min: 0, max: 3 }), fc.constant(null))), { minLength: 1, maxLength: 30 }), async (spec) => {
        const rs = spec.map(([m, v]) => ({ model_a: m, model_b: m === 'a' ? 'b' : 'a', winner: 'model_a', w: v }));
        const file = tempFile('p.jsonl', jsonl(rs));
        const fast = await readBattles([file], { voterField: 'w' });
        const ref = await readBattles([file], { voterField: 'w', engine: 'reference' });
        const expected = spec.map(([, v]) => (v === null || v === '' ? null : String(v)));
        expect(votersOf(fast)).toEqual(expected);
        expect(votersOf(ref)).toEqual(expected);
        expect([...fast.voters!.names]).toEqual([...new Set(expected.filter((x) => x !== null))].sort());
        const kept = filterRows(fast, (r) => r % 2 === 0);
        expect(votersOf(kept)).toEqual(expected.filter((_, i) => i % 2 === 0));
      }),
      { numRuns: 30 },
    );
  });

  it('tableFromBattles takes voters', () => {
    const t = tableFromBattles([{ modelA: 'a', modelB: 'b', outcome: 'a', voter: 'z' }, { modelA: 'a', modelB: 'b', outcome: 'b', voter: 'y' }], { voterField: 'judge' });
    expect(votersOf(t)).toEqual(['z', 'y']);
    expect(t.voters!.names).toEqual(['y', 'z']);
  });
});

describe('a voter field in Parquet', () => {
  it('reads a string or integer voter column; a missing column is one error naming it', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const file = (judge: { name: string; data: unknown[]; type: 'STRING' | 'INT32' }) =>
      tempFile(
        'v.parquet',
        Buffer.from(
          parquetWriteBuffer({
            columnData: [
              { name: 'model_a', data: ['x', 'y', 'x'], type: 'STRING' },
              { name: 'model_b', data: ['y', 'x', 'z'], type: 'STRING' },
              { name: 'winner', data: ['model_a', 'tie', 'model_b'], type: 'STRING' },
              judge,
            ],
          }),
        ),
      );
    const s = await readBattles([file({ name: 'judge', data: ['bob', null, 'alice'], type: 'STRING' })], { voterField: 'judge' });
    expect(votersOf(s)).toEqual(['bob', null, 'alice']);
    const n = await readBattles([file({ name: 'judge', data: [7, 7, 12], type: 'INT32' })], { voterField: 'judge' });
    expect(votersOf(n)).toEqual(['7', '7', '12']);
    expect(await readError([file({ name: 'user', data: ['a', 'b', 'c'], type: 'STRING' })], { voterField: 'judge' })).toMatch(/v\.parquet:1: judge: unknown field/);
  });
});
