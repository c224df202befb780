import { api, ApiError, apiUrl, authHeaders } from './api';

/**
 * Asks the API (with the session's token) for a short-lived link to one resource (`linkPath`, a POST
 * answering `{url}`) and follows it as a plain `<a href download>`: the browser streams the file to
 * disk itself, so a large artifact is never held in the page's memory.
 */
export async function downloadByLink(linkPath: string, filename: string): Promise<void> {
  const { url } = await api<{ url: string }>(linkPath, { method: 'POST' });
  clickLink(url, filename);
}

/**
 * Downloads an API resource with the session's token into memory (for small ones: raw logs) and
 * hands it to the browser as a file named `filename`.
 */
export async function downloadWithToken(path: string, filename: string): Promise<void> {
  const res = await fetch(apiUrl(path), { headers: authHeaders() });
  if (!res.ok) {
    const problem = await res.json().catch(() => ({}));
    throw new ApiError(res.status, problem.detail ?? problem.title ?? `${res.status} ${res.statusText}`);
  }
  saveBlob(await res.blob(), filename);
}

/** Offers `blob` as a download without leaving the page. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  clickLink(url, filename);
  // the click has handed the blob to the browser's download; release it once that has begun
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function clickLink(href: string, filename: string): void {
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
}
