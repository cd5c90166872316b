import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { AlertEventSchema } from '@llmops/contracts';
import type { EventPublisher } from '@llmops/kafka';
import { randomUUID } from 'node:crypto';
import type { BudgetAlert } from './budget-enforcer';
import type { BudgetAlertSink } from '../engine/routing.engine';

/** Budget thresholds as `budget_threshold` events on llmops.alerts.v1. */
export class BudgetAlertPublisher implements BudgetAlertSink {
  constructor(private readonly events: Pick<EventPublisher, 'publish'>) {}

  budgetThreshold(alert: BudgetAlert): void {
    const percent = Math.round(alert.used * 100);
    this.events.publish(
      'llmops.alerts.v1',
      create(AlertEventSchema, {
        eventId: randomUUID(),
        occurredAt: timestampFromMs(Date.now()),
        tenantId: alert.tenant,
        kind: 'budget_threshold',
        severity: alert.used >= 1 ? 'critical' : 'warning',
        message: `${alert.scope.replace('_', ' ')} "${alert.id}" has used ${percent}% of its ${alert.metric} limit (${alert.limit}); alert threshold ${Math.round(alert.threshold * 100)}%`,
        labels: { scope: alert.scope, id: alert.id, metric: alert.metric },
        value: alert.used,
        threshold: alert.threshold,
      }),
    );
  }
}
