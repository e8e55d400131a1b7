/** The field delimiters orgsync reads. */
export type CsvDelimiter = ',' | ';' | '\t' | '|';

const NAMED_DELIMITERS: Readonly<Record<string, CsvDelimiter>> = {
  ',': ',',
  comma: ',',
  ';': ';',
  semicolon: ';',
  '\t': '\t',
  '\\t': '\t',
  tab: '\t',
  '|': '|',
  pipe: '|',
};

/**
 * Reads a `--delimiter` value: `,` `;` `|`, `tab` (or `\t`, or a real tab), or their names
 * (`comma`, `semicolon`, `pipe`). Returns undefined for anything else.
 */
export function parseDelimiterOption(value: string): CsvDelimiter | undefined {
  const key = value.length === 1 ? value : value.trim().toLowerCase();
  return Object.hasOwn(NAMED_DELIMITERS, key) ? NAMED_DELIMITERS[key] : undefined;
}

/** Detection candidates, in order of preference when counts tie. */
const CANDIDATES: readonly CsvDelimiter[] = [',', ';', '\t'];
const CANDIDATE_CHARACTERS: readonly string[] = CANDIDATES;

/**
 * Detects the delimiter from the header: the first line with content (blank lines are skipped).
 * Counts `,` `;` and tabs outside double quotes and picks the most frequent; ties and a header
 * with none of them give `,`. `complete` says whether the header's end was seen: while it is
 * false, more text may change the answer.
 */
export function detectDelimiter(text: string): { delimiter: CsvDelimiter; complete: boolean } {
  const counts = [0, 0, 0];
  let inQuotes = false;
  let hasContent = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] ?? '';
    if (ch === '"') {
      inQuotes = !inQuotes;
      hasContent = true;
    } else if (inQuotes) {
      continue;
    } else if (ch === '\n' || ch === '\r') {
      if (hasContent) return { delimiter: mostFrequent(counts), complete: true };
      counts.fill(0); // a blank line (or one of delimiters only): the header is further down
    } else {
      const index = CANDIDATE_CHARACTERS.indexOf(ch);
      if (index >= 0) counts[index] = (counts[index] ?? 0) + 1;
      else if (ch.trim() !== '') hasContent = true;
    }
  }
  return { delimiter: mostFrequent(counts), complete: false };
}

function mostFrequent(counts: readonly number[]): CsvDelimiter {
  let best = 0;
  for (let i = 1; i < counts.length; i += 1) if ((counts[i] ?? 0) > (counts[best] ?? 0)) best = i;
  return CANDIDATES[best] ?? ',';
}
