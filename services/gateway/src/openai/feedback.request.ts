import { create } from '@bufbuild/protobuf';
import { FeedbackRequestSchema, type FeedbackRequest } from '@llmops/contracts';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import { z } from 'zod';

const feedbackBodySchema = z.object({
  trace_id: z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character hex trace id'),
  thumbs: z.union([z.literal(1), z.literal(-1), z.literal(0)]).default(0),
  score: z.number().min(0).max(1).optional(),
  comment: z.string().max(4000).optional(),
  correction: z.string().max(32000).optional(),
});

export function feedbackRequestOf(body: unknown): FeedbackRequest {
  const result = feedbackBodySchema.safeParse(body);
  if (!result.success) {
    const message = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`).join('; ');
    throw new PlatformError(ErrorCode.InvalidRequest, `Invalid feedback: ${message}`);
  }
  const value = result.data;
  return create(FeedbackRequestSchema, {
    traceId: value.trace_id,
    thumbs: value.thumbs,
    score: value.score ?? 0,
    comment: value.comment ?? '',
    correction: value.correction ?? '',
  });
}
