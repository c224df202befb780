/** Splits a byte stream into lines; an over-long line is cut into pieces so memory stays bounded. */
export class LineSplitter {
  private partial = '';
  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxLine = 16 * 1024,
  ) {}

  push(chunk: Buffer | string): void {
    let text = this.partial + chunk.toString();
    let nl: number;
    while ((nl = text.indexOf('\n')) !== -1) {
      this.emit(text.slice(0, nl).replace(/\r$/, ''));
      text = text.slice(nl + 1);
    }
    while (text.length > this.maxLine) {
      this.emit(text.slice(0, this.maxLine));
      text = text.slice(this.maxLine);
    }
    this.partial = text;
  }

  end(): void {
    if (this.partial) this.emit(this.partial);
    this.partial = '';
  }
}
