import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { compileFilter, FilterFieldError, isoSeconds } from '../../src/data/filter.js';
import { readBattles } from '../../src/data/load.js';
import { InputError, UsageError } from '../../src/errors.js';
import { jsonl, tempFile } from '../helpers.js';

const keeps = (expr: string, row: Record<string, unknown>, csv = false) => compileFilter(expr).testRow(row, csv);
const fieldError = (expr: string, row: Record<string, unknown>, csv = false): { field: string; reason: string } => {
  try {
    compileFilter(expr).testRow(row, csv);
  } catch (e) {
    if (e instanceof FilterFieldError) return { field: e.field, reason: e.reason };
    throw e;
  }
  throw new Error(`no error for ${expr}`);
};
const usage = (expr: string): string => {
  try {
    compileFilter(expr);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${expr}`);
};

/** LMArena's criteria_v0.1 object with the first `k` of the seven criteria true. */
const criteria = (k: number) => ({
  'criteria_v0.1': Object.fromEntries(['specificity', 'domain_knowledge', 'complexity', 'problem_solving', 'creativity', 'technical_accuracy', 'real_world'].map((c, i) => [c, i < k])),
});

describe('isoSeconds (date() of filters)', () => {
  it('reads ISO dates and date-times as UTC seconds', () => {
    expect(isoSeconds('2024-05-01')).toBe(1714521600); // date -u -d 2024-05-01 +%s
    expect(isoSeconds('2024-05-01T12:00')).toBe(1714564800);
    expect(isoSeconds('2024-05-01 12:00:30')).toBe(1714564830);
    expect(isoSeconds('2024-05-01T12:00:00+02:00')).toBe(1714557600);
    expect(isoSeconds('2024-05-01T12:00:00.5Z')).toBe(1714564800.5);
  });
  it('refuses other spellings and impossible days', () => {
    for (const s of ['2024-5-1', 'May 1 2024', '2024-02-30', '2023-02-29', '1714521600', '']) expect(isoSeconds(s), s).toBeNull();
    expect(isoSeconds('2024-02-29')).toBe(1709164800);
  });
});

describe('compileFilter: values', () => {
  it('hard prompts: at least 6 of the 7 criteria', () => {
    const hard = 'count(category_tag["criteria_v0.1"]) >= 6';
    expect([0, 5, 6, 7].map((k) => keeps(hard, { category_tag: criteria(k) }))).toEqual([false, false, true, true]);
    expect(keeps('count(category_tag["criteria_v0.1"]) == 5', { category_tag: criteria(5) })).toBe(true);
    expect(keeps('count(anony, a.b, c) == 2', { anony: true, a: { b: false }, c: true })).toBe(true);
  });
  it('time windows on tstamp, end excluded', () => {
    const w = 'tstamp >= date("2024-05-01") and tstamp < date("2024-06-01")';
    expect([1714521599.9, 1714521600, 1717199999, 1717200000].map((tstamp) => keeps(w, { tstamp }))).toEqual([false, true, true, false]);
  });
  it('operators: in, arithmetic, word and symbol forms, precedence of and over or', () => {
    expect(keeps('language in ["English", "German"]', { language: 'German' })).toBe(true);
    expect(keeps('language in ["English", "German"]', { language: 'english' })).toBe(false);
    expect(keeps('a.x + a.y > 10', { a: { x: 4, y: 7 } })).toBe(true);
    expect(keeps('-n < 0 && !(n % 2 == 0)', { n: 3 })).toBe(true);
    expect(keeps('a or b and c', { a: true, b: true, c: false })).toBe(true); // a or (b and c)
    expect(keeps('(a or b) and c', { a: true, b: true, c: false })).toBe(false);
    expect(keeps('x == y', { x: 'same', y: 'same' })).toBe(true);
    expect(keeps('x == y', { x: 1, y: '1' })).toBe(false); // no conversion between types
  });
  it('null is a value: equal only to null, never ordered, not there for exists', () => {
    const r = { language: null, tstamp: null };
    expect(keeps('language == "English"', r)).toBe(false);
    expect(keeps('language != "English"', r)).toBe(true);
    expect(keeps('language == null', r)).toBe(true);
    expect(keeps('exists(language)', r)).toBe(false);
    expect(keeps('language < "z" or language >= "z"', r)).toBe(false);
    expect(keeps('tstamp + 1 > 0', r)).toBe(false);
    expect(keeps('language in ["English", null]', r)).toBe(true);
    expect(keeps('count(category_tag["criteria_v0.1"]) >= 0', { category_tag: null })).toBe(false);
  });
  it('exists guards an optional field, and short-circuit skips reading it', () => {
    const f = 'exists(language) and language == "English"';
    expect(keeps(f, {})).toBe(false);
    expect(keeps(f, { language: 'English' })).toBe(true);
    expect(keeps('exists(a.b.c)', { a: { b: {} } })).toBe(false);
    expect(keeps('exists(a.b.c)', { a: { b: { c: 0 } } })).toBe(true);
  });
  it('CSV cells: numbers, booleans (true/True), JSON objects, empty = null', () => {
    expect(keeps('tstamp > 1714521600 and anony', { tstamp: '1714521600.5', anony: 'True' }, true)).toBe(true);
    expect(keeps('language == null', { language: '' }, true)).toBe(true);
    expect(keeps('count(category_tag["criteria_v0.1"]) >= 6', { category_tag: JSON.stringify(criteria(6)) }, true)).toBe(true);
    expect(fieldError('tstamp > 0', { tstamp: 'yesterday' }, true)).toEqual({ field: 'tstamp', reason: 'must be a number (as the filter uses it), got the string "yesterday"' });
  });
  it('keys lists the top-level fields read, fields their paths and types', () => {
    const f = compileFilter('anony and language in ["a"] and count(category_tag["criteria_v0.1"]) >= 6 and tstamp > 0 and exists(dedup_tag.sampled)');
    expect(f.keys).toEqual(['anony', 'language', 'category_tag', 'tstamp', 'dedup_tag']);
    expect([...f.fields]).toEqual([
      ['anony', 'boolean'],
      ['language', 'string'],
      ['category_tag.criteria_v0.1', 'object'],
      ['tstamp', 'number'],
      ['dedup_tag.sampled', 'any'],
    ]);
  });
});

describe('compileFilter: errors', () => {
  it('an unknown field (the row lacks the key) is an error naming the field, not a dropped row', () => {
    expect(fieldError('language == "English"', { lang: 'English' })).toEqual({ field: 'language', reason: 'unknown field (this row has no such field)' });
    expect(fieldError('count(category_tag["criteria_v0.1"]) >= 6', { category_tag: { 'criteria_v0.2': {} } }).field).toBe('category_tag.criteria_v0.1');
    expect(fieldError('a.b.c', { a: { b: 3 } })).toEqual({ field: 'a.b', reason: 'must be an object (the filter reads a.b.c inside it), got number 3' });
  });
  it('a value of the wrong type is an error naming the field', () => {
    expect(fieldError('anony', { anony: 'yes' })).toEqual({ field: 'anony', reason: 'must be a boolean (as the filter uses it), got the string "yes"' });
    expect(fieldError('anony', { anony: null }).reason).toMatch(/^is null; the filter uses it as a condition/);
    expect(fieldError('language == "x"', { language: 3 }).reason).toBe('must be a string (as the filter uses it), got number 3');
    expect(fieldError('count(c) > 1', { c: { a: true, b: 1 } })).toEqual({ field: 'c.b', reason: 'must be a boolean (count counts true values), got number 1' });
    expect(fieldError('x == y', { x: { a: 1 }, y: 1 }).field).toBe('x');
  });
  it('syntax and static type errors are usage errors at compile time', () => {
    expect(usage('language ==')).toBe('filter "language ==": Expected expression after == at character 11');
    expect(usage('language === "x"')).toMatch(/use == \(comparisons are already strict/);
    expect(usage('a == 1 and a == "x"')).toMatch(/field a is used both as a number and as a string/);
    expect(usage('a == b and b == "x" and a > 2')).toMatch(/field b is used both as a string and as a number/); // a == b ties their types
    expect(usage('not language == "English"')).toMatch(/== compares a boolean with a string \("not" binds tighter/);
    expect(usage('foo(1)')).toMatch(/unknown function foo/);
    expect(usage('language in "x"')).toMatch(/"in" needs a list/);
    expect(usage('x in ["a", 1]')).toMatch(/mixes types/);
    expect(usage('tstamp + 1')).toMatch(/must be a condition/);
    expect(usage('a; b')).toMatch(/one expression only/);
    expect(usage('tstamp > date("May 1")')).toMatch(/not an ISO 8601 date/);
    expect(usage('a[0] == 1')).toMatch(/field paths use names and quoted keys/);
    expect(usage('x < null')).toMatch(/cannot compare with null/);
    expect(usage('   ')).toMatch(/empty expression/);
  });
});

describe('readBattles with a filter', () => {
  const rows = [
    { model_a: 'a', model_b: 'b', winner: 'model_a', language: 'English' },
    { model_a: 'a', model_b: 'only-in-dropped-rows', winner: 'tie', language: 'German' },
    { model_a: 'b', model_b: 'a', winner: 'model_b', count: 3, language: 'English' },
  ];
  it('keeps the matching rows; models of dropped rows are not in the table', async () => {
    for (const engine of ['fast', 'reference'] as const) {
      const t = await readBattles([tempFile('b.jsonl', jsonl(rows))], { filter: 'language == "English"', engine });
      expect(t.models).toEqual(['a', 'b']);
      expect([t.rows, t.battles]).toEqual([2, 4]);
    }
  });
  it('a duplicated key counts as JSON.parse reads it (the last one), on both engines', async () => {
    const text = [
      '{"model_a":"a","model_b":"b","winner":"tie","language":"German","language":"English"}',
      '{"model_a":"a","model_b":"c","winner":"tie","language":"English","language":"German"}',
      '{"model_a":"b","model_b":"c","winner":"tie","t":{"x":1,"x":2},"language":"English"}',
    ].join('\n');
    for (const engine of ['fast', 'reference'] as const) {
      const t = await readBattles([tempFile('d.jsonl', text)], { filter: 'language == "English" and (not exists(t) or t.x == 2)', engine });
      expect([t.models, t.rows], engine).toEqual([['a', 'b', 'c'], 2]);
    }
  });

  it('unknown field: file, line and field in one line, in every format', async () => {
    const bad = [...rows, { model_a: 'a', model_b: 'b', winner: 'tie' }];
    const err = async (file: string, filter = 'language == "English"') => {
      try {
        await readBattles([file], { filter });
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      return 'no error';
    };
    const j = tempFile('b.jsonl', jsonl(bad));
    expect(await err(j)).toBe(`${j}:4: language: unknown field (this row has no such field)`);
    const a = tempFile('b.json', JSON.stringify(bad, null, 0).replace(/\},/g, '},\n'));
    expect(await err(a)).toBe(`${a}:4: language: unknown field (this row has no such field)`);
    const c = tempFile('b.csv', 'model_a,model_b,winner\na,b,tie\n');
    expect(await err(c)).toBe(`${c}:2: language: unknown field (this row has no such field)`);
    const cols: ColumnSource[] = ['model_a', 'model_b', 'winner'].map((name) => ({ name, data: ['a'].map(() => (name === 'winner' ? 'tie' : name)), type: 'STRING' }));
    const p = tempFile('b.parquet', Buffer.from(parquetWriteBuffer({ columnData: cols })));
    expect(await err(p)).toBe(`${p}:1: language: unknown field (a filter or covariate reads it; the file has no such column; its columns: model_a, model_b, winner)`);
  });
  it('every row is validated, kept or not', async () => {
    const f = tempFile('b.jsonl', jsonl([...rows, { model_a: 'a', model_b: 'b', winner: 'nobody', language: 'German' }]));
    await expect(readBattles([f], { filter: 'language == "English"' })).rejects.toThrow(`${f}:4: winner: unknown label "nobody"`);
  });
  it('no row passing is an error that says so; an empty file is still "empty input"', async () => {
    const f = tempFile('b.jsonl', jsonl(rows));
    await expect(readBattles([f], { filter: 'language == "French"' })).rejects.toThrow(`${f}: no battles pass the filter (3 rows read): language == "French"`);
    const e = tempFile('e.jsonl', '');
    await expect(readBattles([f, e], { filter: 'language == "English"' })).rejects.toThrow(`${e}: no battles (empty input)`);
    // a file whose rows are all left out is fine when another file has some
    const g = tempFile('g.jsonl', jsonl([rows[1]!]));
    expect((await readBattles([f, g], { filter: 'language == "English"' })).battles).toBe(4);
  });
});

describe('compileFilter: string escapes', () => {
  it('decodes the escapes the parser knows and refuses the others (\\u, \\x would silently lose their backslash)', async () => {
    const f = tempFile('e.jsonl', jsonl([{ model_a: 'A', model_b: "it's", winner: 'model_a' }, { model_a: 'a\nb', model_b: 'A', winner: 'model_b' }]));
    expect((await readBattles([f], { filter: `model_b == 'it\\'s'` })).rows).toBe(1);
    expect((await readBattles([f], { filter: 'model_a == "a\\nb"' })).rows).toBe(1);
    for (const bad of ['model_a == "\\u0041"', 'model_a == "\\x41"', "model_a == '\\q'"]) {
      expect(() => compileFilter(bad)).toThrow(UsageError);
      expect(() => compileFilter(bad)).toThrow(/is not supported in a filter string/);
    }
  });
});
