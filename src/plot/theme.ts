import type { Config } from 'vega-lite';

/**
 * The look shared by every `arena` plot (a Vega-Lite `config`): white background, sans-serif text, model names
 * up to 280 px before Vega truncates them, titles anchored left with a subtitle for provenance.
 */
export const PLOT_CONFIG: Config = {
  background: 'white',
  padding: 8,
  font: 'sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 280, titlePadding: 8 },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 14, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555', offset: 10 },
  view: { stroke: '#ddd' },
};

/** Plot title with an optional subtitle line (Vega-Lite `title` object). */
export function plotTitle(text: string, subtitle?: string): { text: string; subtitle?: string } {
  return subtitle ? { text, subtitle } : { text };
}
