import { logLevel, type logCreator } from 'kafkajs';
import pino from 'pino';

/** The logging port of this library; a pino logger satisfies it as is. */
export interface KafkaLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export function defaultKafkaLogger(): KafkaLogger {
  return pino({ name: '@llmops/kafka', level: 'info' });
}

/** Drops every line; for callers that count errors through stats() instead. */
export const silentKafkaLogger: KafkaLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * Routes kafkajs's own log lines into our logger. Its connection errors are expected while the
 * broker is away (the publisher falls back to the outbox), so they are warnings here, not errors.
 */
export function kafkajsLogCreator(logger: KafkaLogger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      const line = { kafkajs: log.logger ?? 'kafkajs', ...fields };
      const text = String(message);
      // The publisher limits retries on purpose and rebuilds its producer after any failure, so
      // the sequence-number concern this warns about does not arise.
      if (text.startsWith('Limiting retries for the idempotent producer')) return;
      if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(line, text);
      else if (level === logLevel.INFO) logger.debug(line, text);
      else logger.debug(line, text);
    };
}

/** Logs at most once per interval and reports how many occurrences were folded into the line. */
export class ThrottledLog {
  private lastAt = 0;
  private suppressed = 0;

  constructor(private readonly intervalMs: number) {}

  run(emit: (suppressed: number) => void): void {
    const now = Date.now();
    if (now - this.lastAt < this.intervalMs) {
      this.suppressed += 1;
      return;
    }
    const suppressed = this.suppressed;
    this.lastAt = now;
    this.suppressed = 0;
    emit(suppressed);
  }
}
