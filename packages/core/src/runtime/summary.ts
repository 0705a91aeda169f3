/**
 * Markdown tables for job summaries and the PR comment: one builder, so no value can end its row
 * or the table early (a `|` in a Helm error, a newline in a Kubernetes event).
 */

/** A table cell's value; undefined is an empty cell. */
export type TableCell = string | number | boolean | undefined;

/** One cell as markdown: `|` escaped (GFM splits cells on it even inside code spans), line breaks folded to spaces. */
export function tableCell(value: TableCell): string {
  return String(value ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ');
}

/** A GitHub-flavoured markdown table: a header row, the `---` row and one row per entry. */
export function summaryTable(headers: readonly string[], rows: ReadonlyArray<readonly TableCell[]>): string {
  const line = (cells: readonly TableCell[]): string => `| ${cells.map(tableCell).join(' | ')} |`;
  return [line(headers), `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}
