import { logger as vegaLogger, parse, resetSVGDefIds, View, Warn, type LoggerInterface } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A Vega-Lite specification (the grammar-of-graphics description every `arena` plot is built as). */
export type PlotSpec = TopLevelSpec;

/** Options of {@link renderSvg}. */
export interface RenderOptions {
  /**
   * Restart Vega's SVG id counters (`gradient_0`, `clip1`, …) before rendering, so that the same spec always
   * gives byte-identical SVG. Leave it off when several SVGs go inline into one HTML page after a first reset,
   * so their ids stay unique within the page. Default true.
   */
  readonly resetIds?: boolean;
  /** Receives Vega-Lite and Vega warnings (default: ignored). */
  readonly warn?: (message: string) => void;
}

/** A loader that refuses every request: `arena` plots carry their data inline and never touch the network or disk. */
const noLoader = {
  load: () => Promise.reject(new Error('arena plots carry their data inline: no loading')),
  sanitize: () => Promise.reject(new Error('arena plots carry their data inline: no loading')),
  http: () => Promise.reject(new Error('no network')),
  file: () => Promise.reject(new Error('no file access')),
};

function collectingLogger(warn: (message: string) => void): LoggerInterface {
  return vegaLogger(Warn, undefined, (method: string, _level: unknown, input: readonly unknown[]) => {
    const text = input.map(String).join(' ');
    if (method === 'error') throw new Error(`vega: ${text}`);
    warn(text);
  }) as LoggerInterface;
}

/**
 * Characters made visible in an SVG: controls other than tab, line feed and carriage return; DEL and C1; bidi
 * overrides; the noncharacters U+FFFE, U+FFFF and unpaired surrogates (which XML forbids).
 */
const SVG_UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Renders a Vega-Lite spec to a standalone SVG document, headless: Vega-Lite compiles it to a Vega spec, and a
 * Vega `View` with no renderer (`renderer: 'none'`) draws its scenegraph with the SVG string renderer. No
 * browser, no canvas, no network (data must be inline). Text widths are Vega's estimates without a canvas.
 *
 * O(marks). References: https://vega.github.io/vega-lite/usage/compile.html,
 * https://vega.github.io/vega/docs/api/view/#view_toSVG.
 *
 * @param spec a Vega-Lite spec with inline `data.values`
 * @returns the SVG text (`<svg xmlns=… width=… height=…>…</svg>`)
 * @throws Error when Vega-Lite or Vega reports an error
 */
export async function renderSvg(spec: PlotSpec, opts: RenderOptions = {}): Promise<string> {
  const warn = opts.warn ?? (() => {});
  const log = collectingLogger(warn);
  const vg = compile(spec, { logger: log }).spec;
  if (opts.resetIds ?? true) resetSVGDefIds();
  const view = new View(parse(vg), { renderer: 'none', logger: log, logLevel: Warn, loader: noLoader as never });
  try {
    // text from the data (model names) may hold characters XML forbids or a viewer would act on (C0/C1 controls,
    // bidirectional overrides): written as visible \uXXXX escapes, so the file stays well-formed XML
    return (await view.toSVG()).replace(SVG_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  } finally {
    view.finalize();
  }
}

/**
 * Compiles a Vega-Lite spec to the equivalent Vega spec (for users who restyle plots in Vega's own tools).
 * O(spec size).
 */
export function toVegaSpec(spec: PlotSpec): object {
  return compile(spec).spec;
}
