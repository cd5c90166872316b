import { closeClickHouseClient, type ClickHouseClient, type MigrationRunResult } from '@llmops/clickhouse';
import type { KafkaLogger } from '@llmops/kafka';
import type { AnalyticsConfig } from './config/analytics.config';
import { AnalyticsEventConsumer } from './ingestion/analytics-event.consumer';
import { EventIngestionHandler } from './ingestion/event-ingestion.handler';
import { KafkaDeadLetterProducer } from './ingestion/kafka-dead-letter.producer';
import { AnalyticsQueryUseCase } from './query/analytics-query.use-case';
import { ReportRunner } from './reports/report-runner';
import { openAnalyticsDatabase } from './storage/analytics-database';
import { EventSink } from './storage/event-sink';
import { applyRetention } from './storage/retention-policy';

/**
 * Everything the analytics process holds open: ClickHouse, the sink writing into it, the Kafka consumer feeding the
 * sink, and the query use-case reading it. `close()` releases them in the order that loses nothing.
 */
export class AnalyticsResources {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly client: ClickHouseClient,
    readonly migrations: MigrationRunResult,
    readonly queries: AnalyticsQueryUseCase,
    readonly consumer: AnalyticsEventConsumer,
    readonly ingestion: EventIngestionHandler,
    private readonly sink: EventSink,
    private readonly deadLetter: KafkaDeadLetterProducer,
  ) {}

  /** Opens ClickHouse, applies migrations, and starts consuming (in the background) every event topic. */
  static async open(config: AnalyticsConfig, logger: KafkaLogger): Promise<AnalyticsResources> {
    const { client, migrations } = await openAnalyticsDatabase({
      url: config.clickhouse.url,
      dataDir: config.clickhouse.dataDir,
      log: (message) => logger.info({}, message),
    });
    logger.info(
      { clickhouse: config.clickhouse.url ? 'server' : 'embedded', applied: migrations.applied, alreadyApplied: migrations.alreadyApplied.length },
      'analytics schema up to date',
    );
    const retention = await applyRetention(client, config.retentionDays);
    if (retention.length > 0) logger.info({ retentionDays: config.retentionDays, tables: retention.map((change) => change.table) }, 'retention changed');
    const sink = new EventSink({
      client,
      flushIntervalMs: config.flushIntervalMs,
      onError: (table, error) => logger.warn({ table, err: error }, 'ClickHouse insert failed; the batch will be redelivered'),
    });
    const deadLetter = new KafkaDeadLetterProducer(config.environment.kafkaBrokers, config.consumerGroup);
    const ingestion = new EventIngestionHandler(sink, deadLetter);
    const consumer = new AnalyticsEventConsumer({
      brokers: config.environment.kafkaBrokers,
      groupId: config.consumerGroup,
      handler: ingestion,
      logger,
    });
    consumer.start();
    const queries = new AnalyticsQueryUseCase(new ReportRunner(client));
    return new AnalyticsResources(client, migrations, queries, consumer, ingestion, sink, deadLetter);
  }

  /** Idempotent: stop consuming, flush the sink, then close ClickHouse (chdb lets go of its directory). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // The batches in hand wait for the sink's interval: flushing now lets them commit and the consumer leave at once.
      const flushing = this.sink.flush();
      await this.consumer.stop();
      await flushing;
      await this.sink.close();
      await this.deadLetter.close();
      await closeClickHouseClient(this.client);
    })();
    return this.closing;
  }
}
