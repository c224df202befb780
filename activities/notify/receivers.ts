import nodemailer from 'nodemailer';
import type { Config } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import type { RunNotice } from '../../contract';

export interface ReceiversResult {
  /** addresses the SMTP server accepted */
  delivered: string[];
  /** why nothing was sent, when nothing was */
  skipped?: string;
}

/** Mails the end of a run to a flow's `receivers`, as the original pilotage did, through CO_SMTP_URL. */
export function createMailReceivers(deps: { config: Config; logger: Logger }) {
  return async function mailReceivers(notice: RunNotice): Promise<ReceiversResult> {
    const { config, logger } = deps;
    if (!config.CO_SMTP_URL) {
      const skipped = 'CO_SMTP_URL is not set on the worker; receivers were not mailed';
      logger.warn({ runId: notice.runId, receivers: notice.receivers.length }, skipped);
      return { delivered: [], skipped };
    }
    const transport = nodemailer.createTransport(config.CO_SMTP_URL);
    try {
      const message = runMessage(notice, config.publicUrl);
      const delivered: string[] = [];
      // one mail per receiver, so no receiver sees the others' addresses
      for (const address of notice.receivers) {
        const info = await transport.sendMail({ from: config.CO_MAIL_FROM, to: address, ...message });
        if (info.accepted.length > 0) delivered.push(address);
      }
      return { delivered };
    } finally {
      transport.close();
    }
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
