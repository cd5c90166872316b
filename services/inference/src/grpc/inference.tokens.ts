export const PROVIDER_CONFIGS = Symbol('PROVIDER_CONFIGS');
/** The environment the service started with: ProviderHealth tells whether each API key is set. */
export const PROVIDER_ENV = Symbol('PROVIDER_ENV');
