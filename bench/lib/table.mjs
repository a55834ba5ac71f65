// The bench's printed table: one row per figure, ours against its baseline, the ratio and the target.

/** The digits for a value: fewer decimals as it grows. */
function digits(value) {
  if (!Number.isFinite(value)) return '-';
  const magnitude = Math.abs(value);
  return value.toFixed(magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2);
}

const SUFFIX = { x: 'x', ms: ' ms', s: ' s', MB: ' MB', '/s': '/s' };

/** "median (min-max) unit", or just "median unit" when every run gave the same figure. */
function formatSummary(summary, unit) {
  if (!summary || summary.runs === 0) return '-';
  const suffix = SUFFIX[unit] ?? '';
  const median = digits(summary.median);
  if (summary.runs === 1 || digits(summary.min) === digits(summary.max)) return `${median}${suffix}`;
  return `${median} (${digits(summary.min)}-${digits(summary.max)})${suffix}`;
}

function pad(text, width) {
  return text + ' '.repeat(Math.max(0, width - text.length));
}

/** Prints rows as aligned columns, each section under its own heading, skipped parts with their reason. */
export function renderTable(sections) {
  const header = ['figure', 'ours: median (min-max)', 'baseline', 'ratio', 'target', ''];
  const lines = [];
  const cells = [];
  for (const section of sections) {
    for (const row of section.rows) {
      cells.push([
        row.figure,
        formatSummary(row.ours, row.unit),
        row.baseline ? `${row.baseline.label}: ${formatSummary(row.baseline.summary, row.unit)}` : '',
        row.ratio ? formatSummary(row.ratio, 'x') : '',
        row.target?.text ?? '',
        row.target ? (row.target.met === undefined ? '?' : row.target.met ? 'met' : 'MISSED') : '',
      ]);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column].length)));
  const renderRow = (row) => row.map((cell, column) => pad(cell, widths[column])).join('  ').trimEnd();
  let index = 0;
  for (const section of sections) {
    lines.push('', `${section.title}${section.subtitle ? `  (${section.subtitle})` : ''}`);
    if (section.rows.length) lines.push(`  ${renderRow(header)}`);
    for (let count = 0; count < section.rows.length; count += 1) lines.push(`  ${renderRow(cells[index++])}`);
    for (const note of section.notes ?? []) lines.push(`  note: ${note}`);
    if (section.skipped) lines.push(`  skipped: ${section.skipped}`);
  }
  return lines.join('\n');
}
