import { ShapedText } from './shaped-text.js';

/**
 * Reads the CSV text just before csv-parse does, with the same quoting rules (csv-parse with
 * `relax_quotes` and `ltrim`, record delimiters CRLF, LF and CR), and does four things with it:
 *
 * 1. **Line numbers.** csv-parse's own `info.lines` counts the line where a record ends, and counts
 *    a CRLF inside quotes as two lines, so it cannot give the physical start line the report needs.
 *    The tracker queues one position per record it hands on, in order.
 * 2. **Constant cost per line.** csv-parse 6.2.1 builds a `CsvError` (stack trace, JSON copy of the
 *    record) for every record whose field count differs from the header's, even with
 *    `relax_column_count`: tens of microseconds a line. So the text it gets is reshaped first:
 *    blank lines and lines of delimiters and spaces only (`,,,,`) are left out; a record with more
 *    fields than the header loses the extra ones (they are ignored anyway); a short one gets
 *    delimiters added (up to `maxPadCells`), and its position keeps the real count so that the
 *    missing cells still read as `null`. Records before the header whose cells are all blank
 *    (`"",""`) are left out too, so that the parser's first record is the header; after it, such
 *    records are handed on, marked `blank` (the caller skips them).
 * 3. **Spaces after a closing quote** (`"Smith, John" ,`) are left out, so the field reads
 *    `Smith, John` (csv-parse's relaxed quoting would read `"Smith, John ` with a stray quote).
 * 4. **Record size.** A record over `maxRecordChars` is not handed on: the tracker reads on (without
 *    keeping anything) to where it ends, then reports `record-too-long` with the line it starts on;
 *    a quote still open at the end of the text is `unclosed-quote`, with the line it opened on.
 *
 * The caller checks each parsed record's field count against `cells`, so the two readers can never
 * drift apart unnoticed; the property tests compare the outcome with csv-parse on the raw text.
 */

/** Where one record starts, how many fields it has, and how many the parser gets. */
export interface RecordPosition {
  /** The physical line (1-based) of the record's first character. */
  line: number;
  /** Fields in the file. */
  fields: number;
  /** Fields in the text handed to the parser: the header's count, unless the record was too short to pad. */
  cells: number;
  /** Every cell is empty or spaces (`"",""`, or content only in quotes of spaces), past the header's too. */
  blank: boolean;
}

/** Why the tracker stopped handing text on. */
export type ScanFailure =
  | { kind: 'unclosed-quote'; quoteLine: number }
  | { kind: 'record-too-long'; recordLine: number; maxRecordChars: number };

/** Feeds on the CSV text, chunk by chunk; hands out the text to parse and the record positions. */
export interface RecordLineTracker {
  /** Scans the next chunk of text (any size, cut anywhere); returns the text the parser should get. */
  push(text: string): string;
  /** Marks the end of the input; returns the last text for the parser (the last record's padding). */
  end(): string;
  /** The position of the next record handed on, or undefined when none is complete yet. */
  shift(): RecordPosition | undefined;
  /** The line on which the current record started (for error messages). */
  readonly currentRecordLine: number;
  /** Set when the text cannot be read as records; nothing more is handed on after it. */
  readonly failure: ScanFailure | undefined;
}

/** Options of `createRecordLineTracker`. */
export interface RecordLineTrackerOptions {
  /** Longest record, in UTF-16 code units. Default: no limit. */
  maxRecordChars?: number;
  /** Most delimiters added to a short record; shorter ones go to the parser as they are. Default 64. */
  maxPadCells?: number;
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const FF = 0x0c;

/** The characters `String.prototype.trim` removes (a cell made only of them is blank). */
function isTrimmedSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Creates a tracker for text whose fields are separated by `delimiter` (one character). */
export function createRecordLineTracker(delimiter: string, options: RecordLineTrackerOptions = {}): RecordLineTracker {
  const delim = delimiter.charCodeAt(0);
  const maxRecordChars = options.maxRecordChars ?? Number.POSITIVE_INFINITY;
  const maxPadCells = options.maxPadCells ?? 64;
  let queue: RecordPosition[] = [];
  let head = 0;
  let columns: number | undefined; // the header's field count, once it has been read
  let line = 1;
  let failure: ScanFailure | undefined;
  // The current record.
  let recordOpen = false;
  let recordLine = 1;
  let recordChars = 0;
  let fields = 0;
  let fieldStart = true; // no character of the field kept yet (csv-parse's ltrim drops spaces there)
  let spacesOnly = false; // only delimiters and spaces so far: nothing handed on yet
  let extra = false; // past the header's last field: not handed on
  let tooLong = false;
  let hasContent = false; // some cell, past the header's ones included, is not blank
  // Quoting.
  let inQuotes = false;
  let quoteLine = 0;
  let pendingQuote = false; // a quote inside quotes, waiting to see if the next character is a quote too
  let held: string | undefined; // spaces after a closing quote, held until what follows them is known
  let heldWhileEmitting = false;
  let lastWasCr = false; // the \n of a CRLF is neither a new line nor a new record
  const output = new ShapedText(); // the text handed on; held apart until the header is known
  const pause = (i: number): void => output.stop(i);
  const resume = (i: number): void => {
    if (!tooLong) output.pass(i);
  };
  const insert = (i: number, s: string): void => {
    if (!tooLong) output.insert(i, s);
  };
  const noteContent = (c: number): void => {
    if (!hasContent && !isTrimmedSpace(c)) hasContent = true;
  };

  const startRecord = (i: number): void => {
    recordOpen = true;
    recordLine = line;
    recordChars = 0;
    fields = 1;
    fieldStart = true;
    spacesOnly = true;
    extra = false;
    hasContent = false;
    pause(i);
  };

  /** The first character that is neither a delimiter nor a space: hand on the delimiters seen. */
  const endBlank = (i: number): void => {
    spacesOnly = false;
    if (columns !== undefined && fields > columns) {
      extra = true; // the header's cells are all empty; `""` stands for an empty record of one cell
      insert(i, columns > 1 ? delimiter.repeat(columns - 1) : '""');
    } else {
      insert(i, delimiter.repeat(fields - 1));
      resume(i);
    }
  };

  const finishHeader = (i: number): void => {
    if (!hasContent) {
      output.discard(i); // cells that are all blank ("",""): left out, line break included
      return;
    }
    output.release(i);
    columns = fields;
    queue.push({ line: recordLine, fields, cells: fields, blank: false });
  };

  /** The record ends before the character at `i` (a line break outside quotes, or the end). */
  const endRecord = (i: number): void => {
    recordOpen = false;
    if (tooLong) {
      failure = { kind: 'record-too-long', recordLine, maxRecordChars };
      return;
    }
    if (spacesOnly) return; // a blank line, or delimiters and spaces only: left out, line break included
    if (columns === undefined) {
      finishHeader(i);
      return;
    }
    if (extra) resume(i);
    let cells = Math.min(fields, columns);
    if (fields < columns && columns - fields <= maxPadCells) {
      insert(i, delimiter.repeat(columns - fields));
      cells = columns;
    }
    queue.push({ line: recordLine, fields, cells, blank: !hasContent });
  };

  const outside = (c: number, i: number): void => {
    if (c === LF && lastWasCr) {
      lastWasCr = false;
      return;
    }
    lastWasCr = c === CR;
    if (!recordOpen) startRecord(i);
    if (held !== undefined && endHeld(c, i)) return;
    if (c === CR || c === LF) {
      endRecord(i);
      line += 1;
      return;
    }
    if (c === delim) {
      fields += 1;
      fieldStart = true;
      if (!spacesOnly && !extra && columns !== undefined && fields > columns) {
        extra = true;
        pause(i);
      }
      return;
    }
    const space = c === SPACE || c === TAB || c === FF;
    if (spacesOnly) {
      if (space) return;
      endBlank(i);
    }
    if (c === QUOTE && fieldStart) {
      inQuotes = true;
      quoteLine = line;
      fieldStart = false;
    } else if (!(space && fieldStart)) {
      fieldStart = false;
      noteContent(c);
    }
  };

  /**
   * Spaces after a closing quote (`"Smith, John" ,`): dropped when a delimiter or the line's end
   * follows, so the field reads `Smith, John`; handed on as they were when anything else follows
   * (csv-parse's relaxed quoting then keeps the quote as a character). Returns true while holding.
   */
  const endHeld = (c: number, i: number): boolean => {
    if ((c === SPACE || c === TAB || c === FF) && c !== delim) {
      if (!tooLong) held += String.fromCharCode(c); // past the limit nothing is handed on: keep nothing
      return true;
    }
    const spaces = held ?? '';
    held = undefined;
    if (c !== delim && c !== CR && c !== LF) {
      noteContent(QUOTE);
      if (heldWhileEmitting) insert(i, spaces);
    }
    if (heldWhileEmitting) resume(i);
    return false;
  };

  const inside = (c: number, i: number): void => {
    if (pendingQuote) {
      pendingQuote = false;
      if (c === QUOTE) {
        noteContent(c); // "" is an escaped quote
        return;
      }
      inQuotes = false; // the quote closed the field (or, relaxed, is kept as a character)
      if ((c === SPACE || c === TAB || c === FF) && c !== delim) {
        heldWhileEmitting = output.isPassing;
        pause(i);
        held = String.fromCharCode(c);
        return;
      }
      if (c !== delim && c !== CR && c !== LF) noteContent(QUOTE);
      outside(c, i);
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
      noteContent(c);
    }
  };

  return {
    push(chunk) {
      if (failure !== undefined) return '';
      output.startChunk(chunk);
      for (let i = 0; i < chunk.length; i += 1) {
        const c = chunk.charCodeAt(i);
        if (inQuotes) inside(c, i);
        else outside(c, i);
        if (failure !== undefined) break;
        if (recordOpen && !tooLong && ++recordChars > maxRecordChars) {
          tooLong = true; // read on to the record's end without handing anything on
          pause(i + 1);
        }
      }
      return output.flush();
    },
    end() {
      if (failure !== undefined) return '';
      output.startChunk('');
      if (pendingQuote) {
        pendingQuote = false;
        inQuotes = false;
      }
      if (held !== undefined) {
        held = undefined; // spaces after the last closing quote: dropped
        if (heldWhileEmitting) resume(0);
      }
      if (inQuotes) failure = { kind: 'unclosed-quote', quoteLine };
      else if (recordOpen) endRecord(0);
      return output.flush();
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
    get failure() {
      return failure;
    },
  };
}
