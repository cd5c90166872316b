import type { LocalKafkaBroker } from './kafka-broker';
import { STARTED_BROKER } from './jest-global-setup';

/** Stops the broker the global set-up started (never one the caller provided). */
export default async function globalTeardown(): Promise<void> {
  const slot = globalThis as Record<symbol, unknown>;
  const broker = slot[STARTED_BROKER] as LocalKafkaBroker | undefined;
  if (!broker) return;
  delete slot[STARTED_BROKER];
  await broker.stop();
}
