/** Prints rows as an aligned text table, the way `clickhouse client` does in PrettyCompact. */
export function formatTable(columns: string[], rows: Array<Record<string, unknown>>): string {
  const cell = (value: unknown) => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const widths = columns.map((column) => Math.min(60, Math.max(column.length, ...rows.map((row) => cell(row[column]).length))));
  const line = (values: string[]) => values.map((value, i) => (value.length > widths[i]! ? `${value.slice(0, widths[i]! - 1)}…` : value.padEnd(widths[i]!))).join('  ');
  return [line(columns), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map((row) => line(columns.map((column) => cell(row[column]))))].join('\n');
}
