import { condition } from '@temporalio/workflow';

/** maxParallel for a run: steps (and matrix combinations) take a slot while they execute. */
export class Semaphore {
  private free: number;
  constructor(readonly size: number) {
    this.free = size;
  }
  async acquire(): Promise<void> {
    await condition(() => this.free > 0);
    this.free--;
  }
  release(): void {
    this.free++;
  }
  async with<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
