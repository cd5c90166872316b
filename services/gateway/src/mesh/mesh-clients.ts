import { Cost, Guardrails, Inference, Prompts, Retrieval, Routing } from '@llmops/contracts';
import { createGrpcClient, type GrpcClient } from '@llmops/grpc';
import type { MeshService } from '@llmops/config';

/** The gateway's typed clients of the services it orchestrates. */
export interface MeshClients {
  guardrails: GrpcClient<typeof Guardrails>;
  routing: GrpcClient<typeof Routing>;
  prompts: GrpcClient<typeof Prompts>;
  retrieval: GrpcClient<typeof Retrieval>;
  inference: GrpcClient<typeof Inference>;
  cost: GrpcClient<typeof Cost>;
}

export function createMeshClients(addresses: Record<MeshService, string>): MeshClients {
  return {
    guardrails: createGrpcClient(Guardrails, addresses.guardrails),
    routing: createGrpcClient(Routing, addresses.routing),
    prompts: createGrpcClient(Prompts, addresses.prompts),
    retrieval: createGrpcClient(Retrieval, addresses.retrieval),
    inference: createGrpcClient(Inference, addresses.inference),
    cost: createGrpcClient(Cost, addresses.cost),
  };
}

export function closeMeshClients(clients: MeshClients): void {
  for (const client of Object.values(clients)) client.close();
}

/** Opens every channel at start-up so the first request does not pay for the connections. */
export async function connectMeshClients(clients: MeshClients, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const results = await Promise.allSettled(Object.values(clients).map((client) => client.waitForReady(deadline)));
  return Object.keys(clients).filter((_, index) => results[index]?.status === 'rejected');
}
