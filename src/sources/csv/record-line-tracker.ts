/**
 * Where each CSV record starts. csv-parse's own `info.lines` counts the line where a record ends,
 * and counts a CRLF inside quotes as two lines, so it cannot give the physical start line the
 * report needs. This scanner reads the same text as the parser, with the same quoting rules
 * (csv-parse with `relax_quotes`, record delimiters CRLF, LF and CR), and queues one position per
 * record — blank lines included, because the parser emits those too. The caller checks each
 * record's field count against the parser's, so the two can never drift apart unnoticed.
 */

/** Where one record starts and how many fields it has. */
export interface RecordPosition {
  /** The physical line (1-based) of the record's first character. */
  line: number;
  fields: number;
}

/** Feeds on the CSV text, chunk by chunk; hands out record positions in order. */
export interface RecordLineTracker {
  /** Scans the next chunk of text (any size, cut anywhere). */
  push(text: string): void;
  /** Marks the end of the input: queues the last record if it has no line break after it. */
  end(): void;
  /** The position of the next record, or undefined when none is complete yet. */
  shift(): RecordPosition | undefined;
  /** The line on which the current record started (for error messages). */
  readonly currentRecordLine: number;
  /** When inside a quoted field: the line on which its opening quote stands. */
  readonly openQuoteLine: number | undefined;
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/** Creates a tracker for text whose fields are separated by `delimiter` (one character). */
export function createRecordLineTracker(delimiter: string): RecordLineTracker {
  const delim = delimiter.charCodeAt(0);
  let queue: RecordPosition[] = [];
  let head = 0;
  let line = 1;
  let recordOpen = false;
  let recordLine = 1;
  let fields = 0;
  let fieldStart = true;
  let inQuotes = false;
  let quoteLine = 0;
  let pendingQuote = false; // a quote inside quotes, waiting to see if the next character is a quote too
  let lastWasCr = false; // the \n of a CRLF is neither a new line nor a new record

  const closeRecord = (): void => {
    queue.push({ line: recordLine, fields });
    recordOpen = false;
    fieldStart = true;
  };

  const outside = (c: number): void => {
    if (c === LF && lastWasCr) {
      lastWasCr = false;
      return;
    }
    lastWasCr = c === CR;
    if (!recordOpen) {
      recordOpen = true;
      recordLine = line;
      fields = 1;
      fieldStart = true;
    }
    if (c === CR || c === LF) {
      closeRecord();
      line += 1;
    } else if (c === delim) {
      fields += 1;
      fieldStart = true;
    } else if (c === QUOTE && fieldStart) {
      inQuotes = true;
      quoteLine = line;
      fieldStart = false;
    } else {
      fieldStart = false;
    }
  };

  const inside = (c: number): void => {
    if (pendingQuote) {
      pendingQuote = false;
      if (c === QUOTE) return; // "" is an escaped quote
      inQuotes = false; // the quote closed the field (or, relaxed, ended the quoting)
      outside(c);
      return;
    }
    if (c === QUOTE) {
      pendingQuote = true;
      lastWasCr = false;
    } else if (c === CR) {
      line += 1;
      lastWasCr = true;
    } else {
      if (c === LF && !lastWasCr) line += 1;
      lastWasCr = false;
    }
  };

  return {
    push(text) {
      for (let i = 0; i < text.length; i += 1) {
        const c = text.charCodeAt(i);
        if (inQuotes) inside(c);
        else outside(c);
      }
    },
    end() {
      if (pendingQuote) {
        pendingQuote = false;
        inQuotes = false;
      }
      if (recordOpen && !inQuotes) closeRecord();
    },
    shift() {
      const position = queue[head];
      if (position === undefined) return undefined;
      head += 1;
      if (head >= 1024 && head * 2 >= queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      return position;
    },
    get currentRecordLine() {
      return recordOpen ? recordLine : line;
    },
    get openQuoteLine() {
      return inQuotes ? quoteLine : undefined;
    },
  };
}
