import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { uploadUnknown } from './errors';

/**
 * An upload session is a temp file in the blob store's staging directory plus a small JSON
 * sidecar naming its repository, so any API process sharing the disk can continue it.
 */
export interface UploadSession {
  id: string;
  repo: string;
  file: string;
  size: number;
}

const ID = /^[0-9a-f-]{36}$/;

function paths(stagingDir: string, id: string) {
  return { file: path.join(stagingDir, `${id}.upload`), meta: path.join(stagingDir, `${id}.json`) };
}

export async function startUpload(stagingDir: string, repo: string): Promise<UploadSession> {
  await fs.promises.mkdir(stagingDir, { recursive: true });
  const id = crypto.randomUUID();
  const p = paths(stagingDir, id);
  await fs.promises.writeFile(p.file, '');
  await fs.promises.writeFile(p.meta, JSON.stringify({ repo, createdAt: Date.now() }));
  return { id, repo, file: p.file, size: 0 };
}

export async function findUpload(stagingDir: string, repo: string, id: string): Promise<UploadSession> {
  if (!ID.test(id)) throw uploadUnknown();
  const p = paths(stagingDir, id);
  try {
    const meta = JSON.parse(await fs.promises.readFile(p.meta, 'utf8')) as { repo: string };
    if (meta.repo !== repo) throw uploadUnknown();
    const st = await fs.promises.stat(p.file);
    return { id, repo, file: p.file, size: st.size };
  } catch {
    throw uploadUnknown();
  }
}

/** Forgets a session; its temp file goes too unless it was committed (renamed away) already. */
export async function endUpload(stagingDir: string, id: string): Promise<void> {
  const p = paths(stagingDir, id);
  await fs.promises.rm(p.meta, { force: true });
  await fs.promises.rm(p.file, { force: true });
}
