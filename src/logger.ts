import { pino, type Logger, type DestinationStream } from 'pino';
import { escapeLines } from './domain/safe-text.js';

/**
 * Paths redacted in every log line. Secrets (client secret, tokens, passwords, webhook secrets)
 * and e-mail addresses never reach a log; code should not log them in the first place, this is
 * the safety net.
 */
export const REDACT_PATHS = [
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'scalekitClientSecret',
  '*.scalekitClientSecret',
  'access_token',
  '*.access_token',
  'token',
  '*.token',
  'sourceToken',
  '*.sourceToken',
  'password',
  '*.password',
  'adminPassword',
  '*.adminPassword',
  'webhookSecret',
  '*.webhookSecret',
  'scalekitWebhookSecret',
  '*.scalekitWebhookSecret',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'databaseUrl',
  '*.databaseUrl',
  'redisUrl',
  '*.redisUrl',
  'redisSentinelPassword',
  // ioredis errors carry the command that failed: an AUTH's arguments are the Redis password.
  'err.command.args',
  'err.cause.command.args',
  'err.lastNodeError.command.args',
  '*.err.command.args',
  '*.redisSentinelPassword',
  'invoice_email',
  '*.invoice_email',
  '*.metadata.invoice_email',
  'email',
  '*.email',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; default stderr, so that stdout stays for results (tables, the emulator URL). */
  destination?: DestinationStream;
}

/**
 * The root logger: JSON lines on stderr, secrets redacted. Pass it down; never import a global.
 * JSON already escapes C0 controls; `escapeLines` also escapes the C1 controls, bidi overrides and
 * line separators JSON leaves raw (as JSON escapes, so each line stays valid JSON).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'orgsync' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: escapeLines },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

export type { Logger };
