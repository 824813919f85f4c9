/** How the screen's rows are shared between the sections. Pure, so a test can check 80×24. */

export interface Size {
  columns: number;
  rows: number;
}

export interface Layout {
  width: number;
  /** rows the whole dashboard takes: one less than the terminal, so ink never scrolls it */
  height: number;
  banner: number;
  /** the agent table, its title row included */
  table: number;
  /** the preview and the coordination tails, side by side; titles included */
  middle: number;
  /** the event stream, its title included */
  events: number;
  /** width of the preview (left); the tails take the rest */
  previewWidth: number;
}

/** header, status line and key footer: one row each */
const FIXED = 3;

export function computeLayout(size: Size, agents: number, bannerLines: number): Layout {
  const width = Math.max(20, size.columns);
  const height = Math.max(10, size.rows - 1);
  const banner = Math.min(bannerLines, 3);
  const rest = Math.max(0, height - FIXED - banner);
  const table = Math.min(agents + 1, Math.max(3, Math.floor(rest * 0.4)));
  const lower = rest - table;
  const events = Math.min(lower, Math.max(2, Math.min(10, Math.floor(lower * 0.25))));
  const middle = lower - events;
  const previewWidth = Math.floor(width * 0.56);
  return { width, height, banner, table, middle, events, previewWidth };
}

/** Splits `rows` between `parts` sections as evenly as it goes (earlier ones get the spare rows). */
export function split(rows: number, parts: number): number[] {
  const base = Math.floor(rows / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < rows % parts ? 1 : 0));
}
