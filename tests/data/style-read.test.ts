import { expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import { jsonl, tempFile } from '../helpers.js';

it('the fast readers keep LMArena style counts (conv_metadata) for style control', async () => {
  const meta = { sum_assistant_a_tokens: 120, header_count_a: 1, list_count_a: 2, bold_count_a: 3, sum_assistant_b_tokens: 40, header_count_b: 0, list_count_b: 0, bold_count_b: 1 };
  const rows = [
    { model_a: 'x', model_b: 'y', winner: 'model_a', conv_metadata: meta },
    { model_a: 'y', model_b: 'x', winner: 'tie' },
  ];
  for (const engine of ['fast', 'reference'] as const) {
    const t = await readBattles([tempFile('s.jsonl', jsonl(rows))], { engine });
    expect(t.style).toBeTruthy();
    expect([...t.style!.subarray(0, 8)]).toEqual([120, 1, 2, 3, 40, 0, 0, 1]);
    expect(t.style!.subarray(8, 16).every(Number.isNaN)).toBe(true);
  }
});
