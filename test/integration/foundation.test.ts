import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createDb } from '../../lib/db';

describe('real parts', () => {
  it('runs a workflow on the real Temporal dev server', async () => {
    const taskQueue = `foundation-${crypto.randomUUID()}`;
    const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: require.resolve('./fixtures/greeting-workflow'),
      activities: { greet: async (name: string) => `hello, ${name}` },
    });
    const clientConnection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    const client = new Client({ connection: clientConnection });
    const result = await worker.runUntil(
      client.workflow.execute('greeting', {
        taskQueue,
        workflowId: `greeting-${crypto.randomUUID()}`,
        args: ['temporal'],
      }),
    );
    expect(result).toBe('hello, temporal');
    await clientConnection.close();
    await connection.close();
  });

  it('round-trips a row through Prisma on MariaDB', async () => {
    const db = createDb(process.env.DATABASE_URL!);
    const id = crypto.randomUUID();
    await db.project.create({ data: { id, name: `p-${id.slice(0, 8)}`, description: 'naïve ☃ project' } });
    const row = await db.project.findUniqueOrThrow({ where: { id } });
    expect(row.description).toBe('naïve ☃ project');
    expect(row.createdAt).toBeInstanceOf(Date);
    await db.project.delete({ where: { id } });
    await db.$disconnect();
  });
});
