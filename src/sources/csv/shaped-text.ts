/**
 * The text a `RecordLineTracker` hands to the parser, built while it scans a chunk: slices of the
 * chunk where the text passes as it is, strings inserted in between, nothing where it is left out.
 * Until the header is known, what passes is held apart (`holding`), because a record of blank
 * quoted cells before the header is left out whole once its end shows it to be blank.
 */
export class ShapedText {
  private text = '';
  private segmentStart = 0;
  private passing = false;
  private out: string[] = [];
  private held: string[] = [];
  /** While true (before the header), passed text is held until `release` or `discard`. */
  holding = true;

  private sink(): string[] {
    return this.holding ? this.held : this.out;
  }

  /** Starts a chunk; its characters are then addressed by index. */
  startChunk(text: string): void {
    this.text = text;
    this.segmentStart = 0;
  }

  /** Whether characters currently pass. */
  get isPassing(): boolean {
    return this.passing;
  }

  /** Characters from index `i` on are left out. */
  stop(i: number): void {
    if (!this.passing) return;
    if (i > this.segmentStart) this.sink().push(this.text.slice(this.segmentStart, i));
    this.passing = false;
  }

  /** Characters from index `i` on pass. */
  pass(i: number): void {
    if (this.passing) return;
    this.passing = true;
    this.segmentStart = i;
  }

  /** Adds `s` just before the character at index `i`. */
  insert(i: number, s: string): void {
    if (s === '') return;
    if (this.passing) {
      if (i > this.segmentStart) this.sink().push(this.text.slice(this.segmentStart, i));
      this.segmentStart = i;
    }
    this.sink().push(s);
  }

  /** The held text, up to index `i`, is handed on; from now on nothing is held. */
  release(i: number): void {
    if (this.passing && i > this.segmentStart) this.held.push(this.text.slice(this.segmentStart, i));
    this.segmentStart = i;
    this.out.push(...this.held);
    this.held = [];
    this.holding = false;
  }

  /** The held text, up to index `i`, is dropped, and characters stop passing. */
  discard(i: number): void {
    this.stop(i);
    this.held = [];
  }

  /** Ends the chunk: returns the text to hand on so far (held text excepted). */
  flush(): string {
    if (this.passing && this.text.length > this.segmentStart) this.sink().push(this.text.slice(this.segmentStart));
    this.segmentStart = this.text.length;
    const result = this.out.join('');
    this.out = [];
    return result;
  }
}
