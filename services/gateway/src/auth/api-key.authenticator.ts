import { ApiKeyResolver, type ApiKeyRecord, type ResolvedApiKey } from '@llmops/config';
import { ErrorCode, PlatformError } from '@llmops/grpc';

/** Turns an `Authorization: Bearer <key>` value into the key's owner, or refuses. */
export class ApiKeyAuthenticator {
  private readonly resolver: ApiKeyResolver;

  constructor(records: readonly ApiKeyRecord[]) {
    this.resolver = new ApiKeyResolver(records);
  }

  authenticate(authorization: string | undefined): ResolvedApiKey {
    if (!authorization) {
      throw new PlatformError(
        ErrorCode.Unauthenticated,
        'You didn\'t provide an API key. Send it as "Authorization: Bearer <key>".',
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const identity = this.resolver.resolve(match?.[1]);
    if (!identity) throw new PlatformError(ErrorCode.Unauthenticated, 'Incorrect API key provided.');
    return identity;
  }
}
