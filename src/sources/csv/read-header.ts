import { SourceError } from '../../errors.js';

/** Describes the delimiter in messages: a tab is invisible. */
export function describeDelimiter(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}

/**
 * Reads the header record: column names trimmed and lower-cased (an empty name marks a column to
 * ignore). Throws a `SourceError` when a required column is missing — naming each one and the
 * columns found — or when a column name appears twice, which would make its values ambiguous.
 */
export function readHeader(
  fields: readonly string[],
  options: { name: string; requiredColumns: readonly string[]; delimiter: string; delimiterDetected: boolean },
): string[] {
  const columns = fields.map((field) => field.trim().toLowerCase());
  const firstIndex = new Map<string, number>();
  columns.forEach((column, index) => {
    if (column === '') return;
    const earlier = firstIndex.get(column);
    if (earlier !== undefined) {
      throw new SourceError(
        `${options.name}: the column "${column}" appears twice in the header (columns ${earlier + 1} and ${index + 1}); ` +
          'remove or rename one of them',
      );
    }
    firstIndex.set(column, index);
  });
  const missing = options.requiredColumns.map((c) => c.trim().toLowerCase()).filter((c) => !firstIndex.has(c));
  if (missing.length > 0) {
    const named = columns.filter((c) => c !== '').map((c) => (c.length > 80 ? `${c.slice(0, 80)}…` : c));
    const found = named.length > 30 ? [...named.slice(0, 30), `… (${named.length - 30} more)`] : named;
    const how = options.delimiterDetected
      ? 'detected from the header; pass --delimiter if that is wrong'
      : 'from --delimiter';
    throw new SourceError(
      `${options.name} is missing the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. ` +
        `Columns found: ${found.length > 0 ? found.join(', ') : 'none'}. Header names are matched ignoring case and ` +
        `surrounding spaces; the delimiter was ${describeDelimiter(options.delimiter)} (${how})`,
    );
  }
  return columns;
}
