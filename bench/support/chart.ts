/**
 * The benchmark's chart: a Vega-Lite spec compiled to Vega and rendered to SVG in Node, with no
 * browser or canvas (vega's headless View renders SVG strings itself).
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface ChartRow {
  case: string;
  contender: string;
  value: number;
}

/** One horizontal bar chart per case (their units differ), contenders as bars. */
export async function drawChart(rows: ChartRow[], title: string): Promise<string> {
  const spec: TopLevelSpec = {
    title,
    data: { values: rows },
    facet: { row: { field: 'case', type: 'nominal', title: null } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 420,
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'contender', type: 'nominal', sort: '-x', title: null },
        x: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'contender', type: 'nominal', legend: null },
      },
    },
  };
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
