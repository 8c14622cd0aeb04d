import { Logger } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends the service's few mails: welcome and password-reset links. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

export const MAILER = Symbol('MAILER');

/** SMTP through nodemailer (deployments, and tests against a real SMTP server on loopback). */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = createTransport(url);
  }

  async send(mail: Mail): Promise<void> {
    await this.transport.sendMail({ from: this.from, ...mail });
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * Without an SMTP server (a laptop running `npm start`), mails go to the service log, so the
 * links in them can still be followed. Never used when AUTH_SMTP_URL is set.
 */
export class LogMailer implements Mailer {
  private readonly logger = new Logger('mail');

  async send(mail: Mail): Promise<void> {
    this.logger.log(`to ${mail.to}: ${mail.subject}\n${mail.text}`);
  }

  close(): void {
    // nothing held open
  }
}
