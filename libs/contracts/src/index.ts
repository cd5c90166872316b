// The generated contracts, re-exported whole: every name here comes from proto/llmops/v1 via
// `buf generate` (buf.gen.yaml). This is the one place `export *` is used, because listing
// generated names by hand would be a second, hand-kept copy of the contract.
export * from './gen/llmops/v1/common_pb';
export * from './gen/llmops/v1/gateway_pb';
export * from './gen/llmops/v1/guardrails_pb';
export * from './gen/llmops/v1/routing_pb';
export * from './gen/llmops/v1/prompts_pb';
export * from './gen/llmops/v1/retrieval_pb';
export * from './gen/llmops/v1/inference_pb';
export * from './gen/llmops/v1/evaluation_pb';
export * from './gen/llmops/v1/cost_pb';
export * from './gen/llmops/v1/analytics_pb';
export * from './gen/llmops/v1/events_pb';
// The standard gRPC health contract (vendored in proto/grpc/health/v1), for server reflection.
export { file_grpc_health_v1_health } from './gen/grpc/health/v1/health_pb';
