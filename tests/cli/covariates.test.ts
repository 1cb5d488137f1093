import { describe, expect, it } from 'vitest';
import { cli, jsonl, tempFile } from '../helpers.js';

/** Battles with a nested and a top-level numeric field, and the style counts of conv_metadata. */
function battles(n: number): string {
  const names = ['alpha', 'beta', 'gamma', '__proto__'];
  const rows = [];
  for (let i = 0; i < n; i++) {
    const a = names[i % 4]!;
    const b = names[(i + 1 + (i % 3)) % 4]!;
    const winner = (i * 7) % 5 === 0 ? 'tie' : (i * 13) % 3 === 0 ? 'model_b' : 'model_a';
    rows.push({
      model_a: a,
      model_b: b,
      winner,
      is_direct: i % 4 === 0 ? 1 : 0,
      conv_metadata: {
        sum_user_tokens: 5 + ((i * 37) % 101),
        sum_assistant_a_tokens: 100 + ((i * 53) % 400),
        sum_assistant_b_tokens: 100 + ((i * 71) % 400),
        header_count_a: { h1: i % 3, h2: 0 },
        header_count_b: { h1: (i + 1) % 3, h2: 1 },
        list_count_a: { ordered: i % 5, unordered: 0 },
        list_count_b: { ordered: (i * 3) % 5, unordered: 1 },
        bold_count_a: { '**': i % 2, __: 0 },
        bold_count_b: { '**': (i + 1) % 2, __: 0 },
      },
    });
  }
  return jsonl(rows);
}

describe('arena rate --covariate', () => {
  const file = tempFile('cov.jsonl', battles(400));

  it('reports the coefficients with intervals and echoes the covariates, form and weights in params', async () => {
    const r = await cli(['rate', file, '--covariate', 'user_tokens=conv_metadata.sum_user_tokens', '--covariate', 'is_direct', '--reweight', 'pairs', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.params).toMatchObject({
      styleForm: 'lmarena',
      stylePrior: 1,
      reweight: { floor: 50 },
      covariates: [
        { name: 'user_tokens', expression: 'conv_metadata.sum_user_tokens' },
        { name: 'is_direct', expression: 'is_direct' },
      ],
    });
    expect(j.style.coefficients.map((c: { feature: string }) => c.feature)).toEqual(['user_tokens', 'is_direct']);
    expect(j.style).toMatchObject({ form: 'lmarena', reg: 1, prior: 400, reweight: { floor: 50 }, intervals: 'sandwich' });
    for (const c of j.style.coefficients) expect(c.lower).toBeLessThan(c.upper);
    expect(j.models.map((m: { model: string }) => m.model).sort()).toEqual(['__proto__', 'alpha', 'beta', 'gamma']);
    const table = await cli(['rate', file, '--covariate', 'is_direct', '--style-control']);
    expect(table.stdout).toContain('Style and covariate coefficients');
    expect(table.stdout).toContain('lmarena form, ridge reg 1 on the mean log-likelihood');
  });

  it('--covariates-file gives the same fit as the same covariates on the command line', async () => {
    const spec = tempFile('spec.json', JSON.stringify({ covariates: [{ name: 'len', a: 'conv_metadata.sum_assistant_a_tokens', b: 'conv_metadata.sum_assistant_b_tokens' }] }));
    const a = JSON.parse((await cli(['rate', file, '--covariates-file', spec, '--format', 'json'])).stdout);
    const b = JSON.parse((await cli(['rate', file, '--covariate', 'len=ratio(conv_metadata.sum_assistant_a_tokens, conv_metadata.sum_assistant_b_tokens)', '--format', 'json'])).stdout);
    expect(a.models).toEqual(b.models);
    expect(a.style.coefficients).toEqual(b.style.coefficients);
  });

  it('--style-form fastchat-2024 echoes its form and λ 0.5, and changes the coefficients', async () => {
    const lm = JSON.parse((await cli(['rate', file, '--style-control', '--format', 'json'])).stdout);
    const fc = JSON.parse((await cli(['rate', file, '--style-control', '--style-form', 'fastchat-2024', '--format', 'json'])).stdout);
    expect(fc.params).toMatchObject({ styleControl: true, styleForm: 'fastchat-2024', stylePrior: 0.5, reweight: null });
    expect(fc.style).toMatchObject({ form: 'fastchat-2024', prior: 0.5 });
    expect(lm.style).toMatchObject({ form: 'lmarena', reg: 1, prior: 400 });
    expect(Math.abs(lm.style.coefficients[0].coefficient - fc.style.coefficients[0].coefficient)).toBeGreaterThan(1e-3);
  });

  it('bad covariates: unknown field → exit 1 naming file, line and field; bad expression or name → exit 2', async () => {
    const bad = tempFile('bad.jsonl', battles(3) + jsonl([{ model_a: 'alpha', model_b: 'beta', winner: 'tie', is_direct: 0 }]));
    const r = await cli(['rate', bad, '--covariate', 'u=conv_metadata.sum_user_tokens']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${bad}:4: conv_metadata: unknown field`);
    const nul = tempFile('null.jsonl', jsonl([{ model_a: 'alpha', model_b: 'beta', winner: 'tie', is_direct: null }]));
    const n = await cli(['rate', nul, '--covariate', 'is_direct']);
    expect(n.code).toBe(1);
    expect(n.stderr).toContain(`${nul}:1: is_direct: is null`);
    expect((await cli(['rate', file, '--covariate', 'x=is_direct >'])).code).toBe(2);
    expect((await cli(['rate', file, '--covariate', 'x=is_direct == 1'])).code).toBe(2);
    expect((await cli(['rate', file, '--covariate', 'x=is_direct', '--covariate', 'x=is_direct'])).code).toBe(2);
    expect((await cli(['rate', file, '--covariate', 'is_direct', '--method', 'elo'])).code).toBe(2);
  });

  it('bootstrap intervals of a reweighted covariate fit', async () => {
    const j = JSON.parse((await cli(['rate', file, '--covariate', 'is_direct', '--reweight', 'pairs', '--bootstrap', '30', '--threads', '1', '--quiet', '--format', 'json'])).stdout);
    expect(j.style.intervals).toBe('bootstrap');
    const c = j.style.coefficients[0];
    expect(c.lower).toBeLessThanOrEqual(c.coefficient);
    expect(c.upper).toBeGreaterThanOrEqual(c.coefficient);
  });
});

describe('names of covariate fits in the report and plots', () => {
  it('a covariates-only fit is "with 1 covariate", not "style-controlled"', async () => {
    const { cli, tempFile } = await import('../helpers.js');
    const rows: string[] = [];
    const names = ['a', 'b', 'c', 'd'];
    for (let i = 0; i < 240; i++) {
      const a = names[i % 4]!;
      const b = names[(i + 1 + (i % 3)) % 4]!;
      rows.push(JSON.stringify({ model_a: a, model_b: b === a ? names[(i + 2) % 4] : b, winner: i % 5 < 3 ? 'model_a' : i % 5 === 3 ? 'model_b' : 'tie', x: i % 7 }));
    }
    const f = tempFile('cv.jsonl', rows.join('\n') + '\n');
    const report = await cli(['report', f, '--covariate', 'x']);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('rated with Bradley–Terry with 1 covariate (a tie counts half)');
    expect(report.stdout).not.toContain('style-controlled');
    const spec = await cli(['plot', 'intervals', f, '--covariate', 'x', '--format', 'vega-lite']);
    expect(spec.stdout).toContain('Bradley–Terry, a tie counts half, 1 covariate');
  });
});
