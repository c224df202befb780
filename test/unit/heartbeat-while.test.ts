import { heartbeatWhile } from '../../activities/heartbeat-while';

describe('heartbeatWhile', () => {
  afterEach(() => jest.useRealTimers());

  it('heartbeats at once and then on every interval until the work ends, and never after', async () => {
    jest.useFakeTimers();
    let finish!: (v: string) => void;
    const beats: number[] = [];
    const done = heartbeatWhile(
      () => beats.push(Date.now()),
      () => new Promise<string>((resolve) => (finish = resolve)),
      1000,
    );
    expect(beats).toHaveLength(1);
    jest.advanceTimersByTime(3500);
    expect(beats).toHaveLength(4);
    finish('restored');
    await expect(done).resolves.toBe('restored');
    jest.advanceTimersByTime(5000);
    expect(beats).toHaveLength(4);
  });

  it("passes the work's failure on, and a heartbeat that throws does not end the work", async () => {
    const failing = heartbeatWhile(
      () => {
        throw new Error('cancelled');
      },
      async () => {
        throw new Error('dockyard unreachable');
      },
    );
    await expect(failing).rejects.toThrow('dockyard unreachable');
  });
});
