import { columnKey } from '../../domain/account-record.js';
import { escapeText } from '../../domain/safe-text.js';
import { SourceError } from '../../errors.js';

/** Describes the delimiter in messages: a tab is invisible. */
export function describeDelimiter(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}

/** Options of `readHeader`. */
export interface ReadHeaderOptions {
  /** The file as messages name it. */
  name: string;
  requiredColumns: readonly string[];
  /** Every column orgsync reads (lower case). Undefined: any column may be read, so any repeated one is refused. */
  readColumns?: ReadonlySet<string> | undefined;
  delimiter: string;
  delimiterDetected: boolean;
}

/**
 * Reads the header record: column names trimmed and lower-cased (an empty name marks a column to
 * ignore). Throws a `SourceError` when a required column is missing — naming each one and the
 * columns found — or when a column orgsync reads appears twice, which would make its values
 * ambiguous. A repeated column orgsync does not read (`notes,Notes`) is ignored, every copy of it.
 */
export function readHeader(fields: readonly string[], options: ReadHeaderOptions): string[] {
  const columns = fields.map(columnKey);
  const firstIndex = new Map<string, number>();
  const ignored = new Set<string>();
  columns.forEach((column, index) => {
    if (column === '') return;
    const earlier = firstIndex.get(column);
    if (earlier === undefined) {
      firstIndex.set(column, index);
      return;
    }
    const read =
      options.readColumns === undefined ||
      options.readColumns.has(column) ||
      options.requiredColumns.some((c) => columnKey(c) === column);
    if (!read) {
      ignored.add(column);
      return;
    }
    throw new SourceError(
      `${options.name}: the column ${quoteColumn(column)} appears twice in the header (columns ${earlier + 1} and ${index + 1}); ` +
        'orgsync reads it, so it cannot tell which one holds the value: remove or rename one of them',
    );
  });
  const missing = options.requiredColumns.map(columnKey).filter((c) => !firstIndex.has(c));
  if (missing.length > 0) {
    const named = columns.filter((c) => c !== '').map((c) => escapeText(c.length > 80 ? `${c.slice(0, 80)}…` : c));
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
  return ignored.size === 0 ? columns : columns.map((column) => (ignored.has(column) ? '' : column));
}

/** A column name in a message: quoted, escaped, at most 80 characters. */
function quoteColumn(column: string): string {
  return `"${escapeText(column.length > 80 ? `${column.slice(0, 80)}…` : column)}"`;
}
