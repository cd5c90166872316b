import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { FeedbackEventSchema, type FeedbackRequest } from '@llmops/contracts';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import type { EventPublisher } from '@llmops/kafka';
import { randomUUID } from 'node:crypto';
import type { ApiKeyAuthenticator } from '../auth/api-key.authenticator';

/** Thumbs, scores and corrections on a trace, published to llmops.feedback.v1. */
export class FeedbackUseCase {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly events: Pick<EventPublisher, 'publish'>,
  ) {}

  async record(authorization: string | undefined, request: FeedbackRequest): Promise<string> {
    const caller = this.authenticator.authenticate(authorization);
    if (!/^[0-9a-f]{32}$/.test(request.traceId)) throw new PlatformError(ErrorCode.InvalidRequest, 'trace_id must be a 32-character hex trace id');
    if (![-1, 0, 1].includes(request.thumbs)) throw new PlatformError(ErrorCode.InvalidRequest, 'thumbs must be -1, 0 or 1');
    const eventId = randomUUID();
    this.events.publish(
      'llmops.feedback.v1',
      create(FeedbackEventSchema, {
        eventId,
        traceId: request.traceId,
        occurredAt: timestampFromMs(Date.now()),
        context: { tenantId: caller.tenant, projectId: caller.project, apiKeyId: caller.keyId, userId: caller.user ?? '', traceId: request.traceId },
        thumbs: request.thumbs,
        score: request.score,
        comment: request.comment,
        correction: request.correction,
      }),
    );
    return eventId;
  }
}
