/**
 * Scales for the server-rendered SVG charts: grouped bars (one group per category, one bar per
 * series), a "nice" value axis and its ticks. Geometry only; the view draws it.
 */
export interface ChartData {
  categories: string[];
  series: { name: string; values: number[] }[];
}

export interface BarGeometry {
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
  series: number;
  category: number;
}

export interface ChartLayout {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  ticks: { value: number; y: number }[];
  bars: BarGeometry[];
  labels: { text: string; x: number }[];
}

/** The smallest "nice" maximum (1, 2 or 5 × 10^n) at or above the largest value, and its step. */
export function niceScale(max: number, tickCount = 5): { max: number; step: number } {
  if (max <= 0) return { max: 1, step: 1 };
  const rough = max / tickCount;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough)!;
  const stepInt = Math.max(1, Math.round(step)) === step ? step : Math.max(1, Math.ceil(step));
  return { max: Math.ceil(max / stepInt) * stepInt, step: stepInt };
}

export function barLayout(data: ChartData, opts: { width?: number; height?: number } = {}): ChartLayout {
  const width = opts.width ?? 720;
  const height = opts.height ?? 300;
  const plot = { left: 48, top: 12, right: width - 12, bottom: height - 64 };
  const largest = Math.max(0, ...data.series.flatMap((s) => s.values));
  const { max, step } = niceScale(largest);
  const y = (v: number) => plot.bottom - ((plot.bottom - plot.top) * v) / max;
  const ticks = [];
  for (let v = 0; v <= max + 1e-9; v += step) ticks.push({ value: v, y: y(v) });
  const groups = Math.max(1, data.categories.length);
  const groupWidth = (plot.right - plot.left) / groups;
  const seriesCount = Math.max(1, data.series.length);
  const barWidth = Math.max(2, (groupWidth * 0.8) / seriesCount);
  const bars: BarGeometry[] = [];
  data.categories.forEach((_, c) => {
    data.series.forEach((s, si) => {
      const value = s.values[c] ?? 0;
      const top = y(value);
      bars.push({ x: plot.left + c * groupWidth + groupWidth * 0.1 + si * barWidth, y: top, width: barWidth, height: plot.bottom - top, value, series: si, category: c });
    });
  });
  const labels = data.categories.map((text, c) => ({ text, x: plot.left + c * groupWidth + groupWidth / 2 }));
  return { width, height, plot, ticks, bars, labels };
}
