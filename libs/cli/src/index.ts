export { ask, printTrace } from './commands/ask.command';
export { ingest } from './commands/ingest.command';
export { resolveTarget } from './commands/cli-context';
export type { CliTarget } from './commands/cli-context';
export { readEndpoints, writeEndpoints } from './stack/endpoints-file';
export type { EndpointsFile } from './stack/endpoints-file';
export { checkHealth, waitUntilServing } from './stack/health-check';
export { runningServices, startLocalStack, stopServices } from './stack/local-stack';
export type { LocalStackOptions, RunningStack } from './stack/local-stack';
