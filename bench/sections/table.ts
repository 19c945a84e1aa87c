/** Prints rows as right-aligned columns under a header. */
export function printTable(header: readonly string[], rows: readonly string[][]): void {
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
  const format = (row: readonly string[]) => row.map((cell, index) => cell.padStart(widths[index]!)).join('  ');
  console.log(format(header));
  for (const row of rows) console.log(format(row));
}
