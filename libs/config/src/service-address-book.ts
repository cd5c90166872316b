/** Where each service of the mesh listens. One table, so `make up`, the tests, the CLI and
 * the services agree; each entry can be overridden with LLMOPS_<NAME>_ADDR. */
export const MESH_SERVICES = [
  'gateway',
  'guardrails',
  'routing',
  'prompts',
  'retrieval',
  'inference',
  'evaluation',
  'cost',
  'analytics',
] as const;

export type MeshService = (typeof MESH_SERVICES)[number];

export const DEFAULT_GRPC_PORTS: Record<MeshService, number> = {
  gateway: 50051,
  guardrails: 50052,
  routing: 50053,
  prompts: 50054,
  retrieval: 50055,
  inference: 50056,
  evaluation: 50057,
  cost: 50058,
  analytics: 50059,
};

export function envNameOfAddress(service: MeshService): string {
  return `LLMOPS_${service.toUpperCase()}_ADDR`;
}

export function serviceAddress(service: MeshService, env: Readonly<Record<string, string | undefined>>): string {
  return env[envNameOfAddress(service)] ?? `127.0.0.1:${DEFAULT_GRPC_PORTS[service]}`;
}

export function serviceAddressBook(env: Readonly<Record<string, string | undefined>>): Record<MeshService, string> {
  return Object.fromEntries(MESH_SERVICES.map((service) => [service, serviceAddress(service, env)])) as Record<
    MeshService,
    string
  >;
}
