import { Readable } from 'node:stream';
import type { Config } from '../../lib/config';
import { signingKey, signToken } from '../../lib/signed-tokens';

/** How long a step's run token lives: its timeout plus slack, at most a day. */
const DEFAULT_TOKEN_TTL_MS = 6 * 3600_000;

/** Which attempt of which step stored an artifact or an output. */
interface StoredFacts {
  step: string;
  matrix: string;
  attempt: number;
}

export class DockyardError extends Error {}

/**
 * A step's HTTP access to dockyard: workers never touch the blob store's disk, so they can run on
 * other hosts. Authenticated with a short-lived token scoped to the run.
 */
export class DockyardClient {
  private constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  static forRun(
    config: Config,
    scope: { project: string; projectId: string; runId: string; timeoutMs?: number },
  ): DockyardClient {
    const base = (config.CO_API_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/$/, '');
    const ttl = Math.min((scope.timeoutMs ?? DEFAULT_TOKEN_TTL_MS) + 3600_000, 24 * 3600_000);
    const token = signToken(signingKey(config), {
      kind: 'run',
      runId: scope.runId,
      projectId: scope.projectId,
      exp: Date.now() + ttl,
    });
    return new DockyardClient(`${base}/api/v1/projects/${encodeURIComponent(scope.project)}/runs`, token);
  }

  /** A client from credentials handed over by a worker (a step pod's artifact containers). */
  static withToken(runsUrl: string, token: string): DockyardClient {
    return new DockyardClient(runsUrl.replace(/\/$/, ''), token);
  }

  /** What a step pod needs to talk to dockyard as this client does; the token is a secret. */
  get credentials(): { runsUrl: string; token: string } {
    return { runsUrl: this.base, token: this.token };
  }

  private async request(method: string, path: string, body?: Readable | string): Promise<Response> {
    const init: RequestInit & { duplex?: 'half' } = {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/octet-stream' } : {}),
      },
    };
    if (typeof body === 'string') init.body = body;
    else if (body) {
      init.body = Readable.toWeb(body) as unknown as ReadableStream;
      init.duplex = 'half';
    }
    return fetch(`${this.base}${path}`, init);
  }

  private async expect(res: Response, what: string): Promise<Response> {
    if (res.ok) return res;
    const detail = await res.text().catch(() => '');
    throw new DockyardError(`${what}: HTTP ${res.status} ${detail.slice(0, 300)}`);
  }

  async putArtifact(
    runId: string,
    name: string,
    body: Readable,
    facts: StoredFacts,
  ): Promise<{ digest: string; size: number }> {
    return this.putStored('artifacts', runId, name, body, facts, `uploading artifact ${name}`);
  }

  /** The artifact's tar.gz stream, or undefined when the run has no such artifact. */
  async getArtifact(runId: string, name: string): Promise<Readable | undefined> {
    const res = await this.request('GET', `/${runId}/artifacts/${encodeURIComponent(name)}`);
    if (res.status === 404) return undefined;
    await this.expect(res, `downloading artifact ${name}`);
    return Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream);
  }

  async putOutput(
    runId: string,
    name: string,
    value: string,
    facts: StoredFacts,
  ): Promise<{ digest: string; size: number }> {
    return this.putStored('outputs', runId, name, value, facts, `storing output ${name}`);
  }

  /** PUTs an artifact or an output of a step attempt; its digest and size as dockyard stored it. */
  private async putStored(
    kind: 'artifacts' | 'outputs',
    runId: string,
    name: string,
    body: Readable | string,
    facts: StoredFacts,
    what: string,
  ): Promise<{ digest: string; size: number }> {
    const q = new URLSearchParams({ step: facts.step, matrix: facts.matrix, attempt: String(facts.attempt) });
    const res = await this.request('PUT', `/${runId}/${kind}/${encodeURIComponent(name)}?${q}`, body);
    return (await (await this.expect(res, what)).json()) as {
      digest: string;
      size: number;
    };
  }

  /** The workspace changes of a memoized step (tar.gz), stored once it succeeded. */
  async putSnapshot(
    runId: string,
    name: string,
    body: Readable,
    facts: { step: string; matrix: string; attempt: number },
  ): Promise<{ digest: string; size: number }> {
    const q = new URLSearchParams({ step: facts.step, matrix: facts.matrix, attempt: String(facts.attempt) });
    const res = await this.request('PUT', `/${runId}/snapshots/${encodeURIComponent(name)}?${q}`, body);
    return (await (await this.expect(res, `storing workspace snapshot ${name}`)).json()) as {
      digest: string;
      size: number;
    };
  }

  async getSnapshot(runId: string, name: string): Promise<Readable | undefined> {
    const res = await this.request('GET', `/${runId}/snapshots/${encodeURIComponent(name)}`);
    if (res.status === 404) return undefined;
    await this.expect(res, `fetching workspace snapshot ${name}`);
    return Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream);
  }

  async getOutput(runId: string, name: string): Promise<Readable> {
    const res = await this.expect(
      await this.request('GET', `/${runId}/outputs/${encodeURIComponent(name)}`),
      `fetching output ${name}`,
    );
    return Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream);
  }
}
