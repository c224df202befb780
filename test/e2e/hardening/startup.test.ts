import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { devEnv, spawnDev } from '../../support/dev-stack';
import { TEST_SECRETS_KEY } from '../../support/stack';

/** What `npm start` printed, without blank lines. */
const linesOf = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

describe('start-up errors of npm start (item 12)', () => {
  it('says in one line that the data dir is unusable, exits 1 and starts nothing', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'co-startup-')), 'a-file');
    fs.writeFileSync(file, '');
    const dev = spawnDev(devEnv(path.join(file, 'data')));
    expect(await dev.exited).toBe(1);
    expect(linesOf(dev.output())).toEqual([
      `error: cannot use the data dir ${path.join(file, 'data')} (CO_DATA_DIR): ENOTDIR`,
    ]);
  }, 60_000);

  it('says in one line that the API port is in use, before the worker takes any step', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-startup-'));
      // the test run's database and Temporal: nothing embedded, so only the API's port is at stake
      const dev = spawnDev({
        ...devEnv(dataDir),
        DATABASE_URL: process.env.DATABASE_URL,
        TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
        // the shared test database holds other tests' sealed secrets: start with their key
        CO_SECRETS_KEY: TEST_SECRETS_KEY,
        PORT: String(port),
        LOG_LEVEL: 'info',
      });
      expect(await dev.exited).toBe(1);
      const lines = linesOf(dev.output());
      expect(lines.filter((l) => l.startsWith('error:'))).toEqual([
        `error: the API cannot listen on 127.0.0.1:${port}: the port is in use (set PORT)`,
      ]);
      expect(dev.output()).not.toMatch(/Worker state changed|\n\s+at /);
    } finally {
      busy.close();
    }
  }, 120_000);
});
