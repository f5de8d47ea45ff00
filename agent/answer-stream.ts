/**
 * The text of an answer as the model writes it. A step streams in as JSON,
 * `{"action":"answer","text":"You can cancel…`, and the traveler should see the words as they
 * come, not the JSON: this reads the pieces and gives back only the new characters of the `text`
 * string of an answer (escapes decoded), nothing for a tool call.
 */
export class AnswerTextStream {
  private raw = '';
  /** Where the text string starts in `raw`, once found. */
  private start = -1;
  /** How far into `raw` the text has been decoded. */
  private at = 0;
  private closed = false;

  /** The new characters of the answer's text that `piece` completes ('' when none). */
  push(piece: string): string {
    this.raw += piece;
    if (this.closed) return '';
    if (this.start < 0) {
      const head = /"action"\s*:\s*"(\w+)"\s*,\s*"text"\s*:\s*"/.exec(this.raw);
      if (!head) return '';
      if (head[1] !== 'answer') {
        this.closed = true;
        return '';
      }
      this.start = head.index + head[0].length;
      this.at = this.start;
    }
    let out = '';
    while (this.at < this.raw.length) {
      const ch = this.raw[this.at] as string;
      if (ch === '"') {
        this.closed = true;
        break;
      }
      if (ch !== '\\') {
        out += ch;
        this.at++;
        continue;
      }
      // An escape: wait until all of it has arrived.
      const next = this.raw[this.at + 1];
      if (next === undefined) break;
      if (next === 'u') {
        const hex = this.raw.slice(this.at + 2, this.at + 6);
        if (hex.length < 4) break;
        out += String.fromCharCode(parseInt(hex, 16));
        this.at += 6;
        continue;
      }
      const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
      out += ESCAPES[next] ?? next;
      this.at += 2;
    }
    return out;
  }
}
