/** Where to cut `text` at most at `index` without splitting a surrogate pair. */
export function cutAt(text: string, index: number): number {
  if (index >= text.length) return text.length;
  const code = text.charCodeAt(index - 1);
  return code >= 0xd800 && code <= 0xdbff ? index - 1 : index;
}

/** Pieces of one line longer than this are emitted separately, so memory stays bounded. */
export const MAX_PIECE_CHARS = 1024 * 1024;

/**
 * Splits a byte stream into lines. An over-long line is emitted in pieces, each but the last
 * with `continues` set, so nothing of it is lost and readers can join it again.
 */
export class LineSplitter {
  private partial = '';
  constructor(
    private readonly emit: (line: string, continues: boolean) => void,
    private readonly maxPiece = MAX_PIECE_CHARS,
  ) {}

  push(chunk: Buffer | string): void {
    let text = this.partial + chunk.toString();
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      this.emit(text.slice(start, nl).replace(/\r$/, ''), false);
      start = nl + 1;
    }
    text = text.slice(start);
    while (text.length > this.maxPiece) {
      const end = cutAt(text, this.maxPiece);
      this.emit(text.slice(0, end), true);
      text = text.slice(end);
    }
    this.partial = text;
  }

  /** The last line so far, while no newline has ended it. */
  get pending(): string {
    return this.partial;
  }

  end(): void {
    if (this.partial) this.emit(this.partial, false);
    this.partial = '';
  }
}
