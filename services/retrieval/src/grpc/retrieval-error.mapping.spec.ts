import { ErrorCode, PlatformError } from '@llmops/grpc';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';
import { errorCodeOf, toPlatformError } from './retrieval-error.mapping';

describe('retrieval error mapping', () => {
  it('maps every domain code to the platform code its caller can act on', () => {
    const expected: Record<RetrievalErrorCode, ErrorCode> = {
      [RetrievalErrorCode.InvalidCollectionName]: ErrorCode.InvalidRequest,
      [RetrievalErrorCode.InvalidTenant]: ErrorCode.InvalidRequest,
      [RetrievalErrorCode.InvalidDocument]: ErrorCode.InvalidRequest,
      [RetrievalErrorCode.UnsupportedMediaType]: ErrorCode.InvalidRequest,
      [RetrievalErrorCode.PathOutsideRoot]: ErrorCode.PermissionDenied,
      [RetrievalErrorCode.PathNotFound]: ErrorCode.NotFound,
      [RetrievalErrorCode.DocumentTooLarge]: ErrorCode.InputTooLarge,
      [RetrievalErrorCode.StoreFailure]: ErrorCode.Internal,
      [RetrievalErrorCode.EmbedderUnavailable]: ErrorCode.Unavailable,
      [RetrievalErrorCode.RerankFailure]: ErrorCode.Unavailable,
      [RetrievalErrorCode.InvalidQuery]: ErrorCode.InvalidRequest,
      [RetrievalErrorCode.RedactionFailure]: ErrorCode.Unavailable,
      [RetrievalErrorCode.EmbedderMismatch]: ErrorCode.InvalidRequest,
    };
    for (const code of Object.values(RetrievalErrorCode)) expect([code, errorCodeOf(code)]).toEqual([code, expected[code]]);
  });

  it('keeps the message of client errors and hides the store’s', () => {
    const invalid = toPlatformError(new RetrievalException(RetrievalErrorCode.PathNotFound, 'path "a.md" does not exist'));
    expect(invalid).toMatchObject({ code: ErrorCode.NotFound, message: 'path "a.md" does not exist', details: { reason: 'PATH_NOT_FOUND' } });

    const store = toPlatformError(new RetrievalException(RetrievalErrorCode.StoreFailure, 'cannot open the LanceDB directory /srv/secret/lancedb'));
    expect(store.code).toBe(ErrorCode.Internal);
    expect(store.message).not.toContain('/srv');

    expect(toPlatformError(new Error('EACCES /etc/x'))).toMatchObject({ code: ErrorCode.Internal, message: 'internal error' });
    const own = new PlatformError(ErrorCode.InvalidRequest, 'mine');
    expect(toPlatformError(own)).toBe(own);
  });

  it('tells a cancelled call from one whose deadline passed', () => {
    const aborted = new AbortController();
    aborted.abort(new Error('gone'));
    expect(toPlatformError(aborted.signal.reason, { signal: aborted.signal }).code).toBe(ErrorCode.Cancelled);
    expect(toPlatformError(aborted.signal.reason, { signal: aborted.signal, deadlineMs: Date.now() - 1 }).code).toBe(ErrorCode.DeadlineExceeded);
    // A domain error stays a domain error even if the caller has gone meanwhile.
    const invalid = new RetrievalException(RetrievalErrorCode.InvalidTenant, 'tenant id must be a non-empty string');
    expect(toPlatformError(invalid, { signal: aborted.signal }).code).toBe(ErrorCode.InvalidRequest);
  });
});
