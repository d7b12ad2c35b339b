// The report's only stylesheet, inlined. Print rules paginate it for the PDF:
// the summary fills page 1, each run and the closing environment table start a
// page, and figures, cards and table rows are not split.

export const REPORT_CSS = `
:root { --ink: #1d232b; --muted: #5b6673; --line: #d5dae0; --accent: #1f6feb; --flag: #c62828; --best: #2e7d32; }
* { box-sizing: border-box; }
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 24px auto; max-width: 1200px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 20px 0 6px; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
p { margin: 4px 0 8px; }
.muted { color: var(--muted); }
.warning { border-left: 3px solid #c62828; padding-left: 0.5em; }
.note { white-space: pre-wrap; border-left: 3px solid var(--line); padding: 2px 8px; margin: 6px 0; }
table { border-collapse: collapse; margin: 6px 0 10px; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f3f5f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
nav ul { columns: 2; margin: 4px 0; }
.chart { max-width: 100%; height: auto; display: block; margin: 6px 0; break-inside: avoid; page-break-inside: avoid; }
.chart .chart-title { font-size: 12px; font-weight: 600; fill: var(--ink); }
.chart .tick, .chart .legend, .chart .axis-label { font-size: 10px; fill: var(--muted); }
.chart .legend { fill: var(--ink); }
.chart .grid { stroke: #e6e9ed; }
.chart .frame { fill: none; stroke: var(--line); }
.chart .chart-empty { font-size: 12px; fill: var(--muted); }
.gallery { display: flex; flex-wrap: wrap; gap: 10px; }
figure { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 11px; color: var(--muted); text-align: center; }
.gallery figure img { width: 180px; height: auto; image-rendering: pixelated; border: 1px solid var(--line); }
.badge { display: inline-block; padding: 0 5px; border-radius: 3px; font-size: 11px; font-weight: 600; color: #fff; }
.badge.rec { background: var(--accent); }
.badge.best { background: var(--best); }
.badge.flag { background: var(--flag); }
.legend-scale { display: flex; align-items: center; gap: 6px; font-size: 11px; color: var(--muted); margin: 4px 0 8px; }
.legend-scale img { width: 200px; height: 10px; border: 1px solid var(--line); }
table.fig1 { table-layout: fixed; width: 100%; }
table.fig1 th, table.fig1 td { padding: 2px; text-align: center; font-size: 10px; }
table.fig1 img { width: 100%; max-width: 72px; height: auto; image-rendering: pixelated; display: block; margin: 0 auto; }
table.fig1 td.flagged img { outline: 2px solid var(--flag); outline-offset: -2px; }
table.fig1 th.rec { box-shadow: inset 0 -3px 0 var(--accent); }
table.fig1 th.best { box-shadow: inset 0 -3px 0 var(--best); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--line); border-radius: 4px; padding: 4px; font-size: 11px; break-inside: avoid; page-break-inside: avoid; }
.card .pair { display: flex; gap: 2px; }
.card .pair img, .card .pair .no-cam { width: 50%; height: auto; image-rendering: pixelated; }
.card .pair .no-cam { display: flex; align-items: center; justify-content: center; text-align: center; border: 1px dashed var(--line); color: var(--muted); font-size: 10px; aspect-ratio: 1; }
.card.confirmed { border-color: var(--flag); }
.card.dismissed { opacity: 0.75; }
.side-by-side { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px; }
.side-by-side > div { min-width: 0; }
.side-by-side img.grid-img { width: 100%; max-width: 360px; image-rendering: pixelated; border: 1px solid var(--line); }
.empty { color: var(--muted); font-style: italic; }
.verdict { font-size: 14px; padding: 6px 10px; border: 1px solid var(--line); border-left: 3px solid var(--accent); }
table.summary td:first-child { font-weight: 600; white-space: nowrap; }
table.summary { width: 100%; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 11px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  nav { display: none; }
  section.run, section.environment { break-before: page; page-break-before: always; }
  .gallery figure img { width: 150px; }
}
`;
