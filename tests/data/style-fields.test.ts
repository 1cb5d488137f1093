import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import { filterRows, sortByTimestamp } from '../../src/data/table.js';
import { styleDesign } from '../../src/rating/style.js';
import { jsonl, tempFile } from '../helpers.js';

const meta = (a: number, b: number) => ({
  sum_assistant_a_tokens: a,
  header_count_a: { h1: 1, h2: 2, h3: 0, h4: 0, h5: 0, h6: 0 },
  list_count_a: { ordered: 3, unordered: 4 },
  bold_count_a: { '**': 5, __: 0 },
  sum_assistant_b_tokens: b,
  header_count_b: { h1: 0, h2: 0, h3: 0, h4: 0, h5: 0, h6: 0 },
  list_count_b: { ordered: 0, unordered: 1 },
  bold_count_b: { '**': 0, __: 2 },
});

describe('style fields in the data layer', () => {
  it('reads LMArena conv_metadata (nested counts summed) into table.style, A then B', async () => {
    const f = tempFile('s.jsonl', jsonl([
      { model_a: 'x', model_b: 'y', winner: 'model_a', conv_metadata: meta(100, 50) },
      { model_a: 'y', model_b: 'x', winner: 'tie', count: 3, conv_metadata: meta(7, 9) },
    ]));
    const t = await readBattles([f]);
    expect(Array.from(t.style!)).toEqual([100, 3, 7, 5, 50, 0, 1, 2, 7, 3, 7, 5, 9, 0, 1, 2]);
  });

  it('reads flat columns from CSV', async () => {
    const f = tempFile('s.csv', 'model_a,model_b,winner,sum_assistant_a_tokens,header_count_a,list_count_a,bold_count_a,sum_assistant_b_tokens,header_count_b,list_count_b,bold_count_b\nx,y,model_b,10,1,2,3,20,0,0,1\n');
    const t = await readBattles([f]);
    expect(Array.from(t.style!)).toEqual([10, 1, 2, 3, 20, 0, 0, 1]);
  });

  it('leaves the plain path alone: no style column without style fields', async () => {
    const t = await readBattles([tempFile('p.jsonl', jsonl([{ model_a: 'x', model_b: 'y', winner: 'model_a' }]))]);
    expect(t.style ?? null).toBeNull();
  });

  it('marks rows without style fields NaN, and keeps style through reordering', async () => {
    const f = tempFile('m.jsonl', jsonl([
      { model_a: 'x', model_b: 'y', winner: 'model_a', tstamp: 2, conv_metadata: meta(1, 2) },
      { model_a: 'x', model_b: 'y', winner: 'model_b', tstamp: 1 },
    ]));
    const t = await readBattles([f]);
    expect(Number.isNaN(t.style![8])).toBe(true);
    const s = sortByTimestamp(t);
    expect(Number.isNaN(s.style![0])).toBe(true);
    expect(s.style![8]).toBe(1);
    expect(filterRows(t, (r) => r === 0).style!.length).toBe(8);
  });

  it('reads past a malformed count (plain fits do not need it) and style control reports it with file, line and field', async () => {
    const bad = { ...meta(1, 2), header_count_b: 'many' };
    const f = tempFile('b.jsonl', jsonl([{ model_a: 'x', model_b: 'y', winner: 'model_a', conv_metadata: meta(1, 2) }, { model_a: 'x', model_b: 'y', winner: 'model_a', conv_metadata: bad }]));
    const t = await readBattles([f]);
    expect(t.battles).toBe(2);
    expect(() => styleDesign(t)).toThrow(/b\.jsonl:2: conv_metadata\.header_count_b: must be a number or an object of numbers/);
    const missing = { ...meta(1, 2) } as Record<string, unknown>;
    delete missing.bold_count_a;
    const g = tempFile('c.jsonl', jsonl([{ model_a: 'x', model_b: 'y', winner: 'model_a', conv_metadata: missing }]));
    const tg = await readBattles([g]);
    expect(tg.style ?? null).toBeNull();
    expect(() => styleDesign(tg)).toThrow(/c\.jsonl:1: conv_metadata\.bold_count_a: missing/);
    const neg = tempFile('d.jsonl', jsonl([{ model_a: 'x', model_b: 'y', winner: 'model_a', conv_metadata: { ...meta(1, 2), sum_assistant_a_tokens: -1 } }]));
    await expect(readBattles([neg]).then(styleDesign)).rejects.toThrow(/d\.jsonl:1: conv_metadata\.sum_assistant_a_tokens: must be a finite number ≥ 0/);
    const csv = tempFile('e.csv', 'model_a,model_b,winner,sum_assistant_a_tokens,header_count_a,list_count_a,bold_count_a,sum_assistant_b_tokens,header_count_b,list_count_b,bold_count_b\nx,y,model_b,10,1,2,3,20,0,x,1\n');
    await expect(readBattles([csv]).then(styleDesign)).rejects.toThrow(/e\.csv:2: list_count_b: must be a number or an object of numbers/);
  });
});
