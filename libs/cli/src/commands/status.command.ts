import { MESH_SERVICES } from '@llmops/config';
import { Kafka, logLevel } from 'kafkajs';
import { checkHealth } from '../stack/health-check';
import type { CliTarget } from './cli-context';

/** Health of every service (gRPC health protocol) and of Kafka; false when anything is down. */
export async function status(target: CliTarget): Promise<boolean> {
  let healthy = true;
  const results = await Promise.all(MESH_SERVICES.map(async (service) => ({ service, address: target.addresses[service], state: await checkHealth(target.addresses[service], 2000) })));
  for (const { service, address, state } of results) {
    if (state !== 'SERVING') healthy = false;
    console.log(`${service.padEnd(11)} ${address.padEnd(22)} ${state}`);
  }
  const kafka = new Kafka({ clientId: 'llmops-cli', brokers: target.kafkaBrokers.split(','), connectionTimeout: 2000, retry: { retries: 0 }, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith('llmops.'));
    console.log(`${'kafka'.padEnd(11)} ${target.kafkaBrokers.padEnd(22)} UP (${cluster.brokers.length} broker, ${topics.length} llmops topics)`);
  } catch (error) {
    healthy = false;
    console.log(`${'kafka'.padEnd(11)} ${target.kafkaBrokers.padEnd(22)} DOWN (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return healthy;
}
