import { GuardrailAction, type Guardrails } from '@llmops/contracts';
import type { GrpcClient } from '@llmops/grpc';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';

/** The route name guardrails policies can match to give ingestion its own checks (e.g. only `pii`). */
export const INGEST_ROUTE = 'retrieval-ingest';

/**
 * Redacts personal data from chunk texts before they are embedded and stored, through the
 * guardrails service's CheckInput (one call per batch, each text a user message), so that
 * indexing applies the same detectors and policy as requests do. A policy that blocks the
 * text (an injection attempt planted in a document, say) fails the document.
 */
export class GuardrailsRedactor {
  constructor(
    private readonly guardrails: Pick<GrpcClient<typeof Guardrails>, 'checkInput'>,
    private readonly batchSize = 32,
  ) {}

  async redact(tenantId: string, source: string, texts: readonly string[]): Promise<string[]> {
    const redacted: string[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const batch = texts.slice(start, start + this.batchSize);
      const verdict = await this.guardrails
        .checkInput({ context: { tenantId }, route: INGEST_ROUTE, messages: batch.map((content) => ({ role: 'user', content })) })
        .catch((error: unknown) => {
          throw new RetrievalException(RetrievalErrorCode.RedactionFailure, `the guardrails service could not check ${JSON.stringify(source)}: ${(error as Error).message}`, {
            cause: error,
          });
        });
      if (verdict.action === GuardrailAction.BLOCK) {
        throw new RetrievalException(RetrievalErrorCode.InvalidDocument, `guardrails refused ${JSON.stringify(source)}: ${verdict.reason || 'blocked by policy'}`);
      }
      const changed = verdict.action === GuardrailAction.REDACT || verdict.action === GuardrailAction.REWRITE;
      if (changed && verdict.messages.length !== batch.length) {
        throw new RetrievalException(RetrievalErrorCode.RedactionFailure, `guardrails answered ${verdict.messages.length} texts for ${batch.length}`);
      }
      redacted.push(...(changed ? verdict.messages.map((message) => message.content) : batch));
    }
    return redacted;
  }
}
