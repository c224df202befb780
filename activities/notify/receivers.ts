import nodemailer from 'nodemailer';
import type { Config } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import type { RunNotice } from '../../contract';
import { SecretResolutionError, type createVault } from '../scaler/vault';

export interface ReceiversResult {
  /** addresses the SMTP server accepted */
  delivered: string[];
  /** why nothing was sent, when nothing was */
  skipped?: string;
}

type Vault = Pick<ReturnType<typeof createVault>, 'services'>;

/**
 * Mails the end of a run to a flow's `receivers`, as the original pilotage did: through the
 * flow's registered smtp service when it names one, otherwise through the worker's CO_SMTP_URL.
 */
export function createMailReceivers(deps: { config: Config; logger: Logger; vault: Vault }) {
  return async function mailReceivers(notice: RunNotice): Promise<ReceiversResult> {
    const { config, logger } = deps;
    let smtp: { url: string; auth?: { user: string; pass: string }; from: string };
    if (notice.service !== undefined) {
      const found = await smtpService(deps.vault, notice.project, notice.service, config.CO_MAIL_FROM);
      if (typeof found === 'string') {
        logger.warn({ runId: notice.runId, service: notice.service }, found);
        return { delivered: [], skipped: found };
      }
      smtp = found;
    } else if (config.CO_SMTP_URL) {
      smtp = { url: config.CO_SMTP_URL, from: config.CO_MAIL_FROM };
    } else {
      const skipped =
        'CO_SMTP_URL is not set on the worker and the flow names no smtp service; receivers were not mailed';
      logger.warn({ runId: notice.runId, receivers: notice.receivers.length }, skipped);
      return { delivered: [], skipped };
    }
    const transport = nodemailer.createTransport(withLogin(smtp.url, smtp.auth));
    try {
      const message = runMessage(notice, config.publicUrl);
      const delivered: string[] = [];
      // one mail per receiver, so no receiver sees the others' addresses
      for (const address of notice.receivers) {
        const info = await transport.sendMail({ from: smtp.from, to: address, ...message });
        if (info.accepted.length > 0) delivered.push(address);
      }
      return { delivered };
    } finally {
      transport.close();
    }
  };
}

/** nodemailer reads the login from the URL it is given (the URL setters percent-encode it). */
function withLogin(url: string, auth: { user: string; pass: string } | undefined): string {
  if (!auth) return url;
  const u = new URL(url);
  u.username = auth.user;
  u.password = auth.pass;
  return u.toString();
}

/** The service's transport settings, or why it cannot be used (a missing service is the flow's problem, not a retry's). */
async function smtpService(
  vault: Vault,
  project: string,
  name: string,
  defaultFrom: string,
): Promise<{ url: string; auth?: { user: string; pass: string }; from: string } | string> {
  let service;
  try {
    [service] = await vault.services(project, [name]);
  } catch (err) {
    if (err instanceof SecretResolutionError) return `${err.message}; receivers were not mailed`;
    throw err;
  }
  if (!service || service.type !== 'smtp')
    return `service ${name} is a ${service?.type ?? 'missing'} service, not smtp; receivers were not mailed`;
  const { username, password } = service.credentials as { username?: string; password?: string };
  const from = (service.config as { from?: string }).from ?? defaultFrom;
  return {
    url: service.url,
    from,
    ...(username !== undefined ? { auth: { user: username, pass: password ?? '' } } : {}),
  };
}

export function runMessage(notice: RunNotice, baseUrl: string): { subject: string; text: string } {
  const link = `${baseUrl}/api/v1/projects/${encodeURIComponent(notice.project)}/runs/${encodeURIComponent(notice.runId)}`;
  const failed = notice.failedSteps.length > 0 ? notice.failedSteps.join(', ') : 'none';
  return {
    subject: `[ContainerOps] ${notice.pipeline} #${notice.number} ${notice.status}`,
    text: [
      `Flow: ${notice.pipeline} (project ${notice.project})`,
      `Run: #${notice.number}`,
      `Status: ${notice.status}`,
      `Failed jobs: ${failed}`,
      ...(notice.error ? [`Error: ${notice.error}`] : []),
      `Link: ${link}`,
      '',
    ].join('\n'),
  };
}
