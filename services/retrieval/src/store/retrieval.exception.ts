/** Domain error codes of the retrieval service; the transport layer maps each one to a gRPC status. */
export enum RetrievalErrorCode {
  InvalidCollectionName = 'INVALID_COLLECTION_NAME',
  InvalidTenant = 'INVALID_TENANT',
  InvalidDocument = 'INVALID_DOCUMENT',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  PathOutsideRoot = 'PATH_OUTSIDE_ROOT',
  PathNotFound = 'PATH_NOT_FOUND',
  DocumentTooLarge = 'DOCUMENT_TOO_LARGE',
  StoreFailure = 'STORE_FAILURE',
  EmbedderUnavailable = 'EMBEDDER_UNAVAILABLE',
  /** The collection's vectors come from another embedder (model or variant) than the configured one. */
  EmbedderMismatch = 'EMBEDDER_MISMATCH',
  RerankFailure = 'RERANK_FAILURE',
  InvalidQuery = 'INVALID_QUERY',
  RedactionFailure = 'REDACTION_FAILURE',
}

export class RetrievalException extends Error {
  override readonly name = 'RetrievalException';

  constructor(
    readonly code: RetrievalErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
