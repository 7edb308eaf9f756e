/** One complete line of a byte stream, decoded as UTF-8, cut at the splitter's limit. */
export interface SplitLine {
  text: string;
  /** Bytes beyond the limit that were discarded (0 when the line was whole). */
  cutBytes: number;
}

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into `\n`-terminated lines without ever holding more than `maxBytes` of
 * one line: the rest of an over-long line is counted and discarded. Splitting on bytes is safe
 * for UTF-8, whose multi-byte sequences never contain 0x0A. Pure: no I/O.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private cut = 0;

  constructor(private readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  }

  push(chunk: Buffer): SplitLine[] {
    const lines: SplitLine[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.append(chunk.subarray(start));
        return lines;
      }
      this.append(chunk.subarray(start, newline));
      lines.push(this.take());
      start = newline + 1;
    }
  }

  /** The last line when the stream ended without a newline. */
  end(): SplitLine[] {
    return this.size > 0 || this.cut > 0 ? [this.take()] : [];
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    const room = this.maxBytes - this.size;
    if (piece.length <= room) {
      this.parts.push(Buffer.from(piece));
      this.size += piece.length;
      return;
    }
    if (room > 0) this.parts.push(Buffer.from(piece.subarray(0, room)));
    this.size = this.maxBytes;
    this.cut += piece.length - room;
  }

  private take(): SplitLine {
    let text = Buffer.concat(this.parts, this.size).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const line = { text, cutBytes: this.cut };
    this.parts = [];
    this.size = 0;
    this.cut = 0;
    return line;
  }
}
