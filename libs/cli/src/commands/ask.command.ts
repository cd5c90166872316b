import { Analytics, Gateway, type CompleteResponse } from '@llmops/contracts';
import { createGrpcClient } from '@llmops/grpc';
import type { CliTarget } from './cli-context';
import { formatTable } from './table';

export interface AskOptions {
  collection?: string;
  model?: string;
  stream?: boolean;
  trace?: boolean;
  timeoutMs?: number;
}

function printAnswerFooter(response: CompleteResponse): void {
  if (response.citations.length > 0) {
    console.log('\nSources:');
    for (const citation of response.citations) {
      const match = citation.relevance > 0 ? `relevance ${citation.relevance.toFixed(2)}` : `score ${citation.score.toFixed(2)}`;
      console.log(`  [${citation.index}] ${citation.source}${citation.section ? ` › ${citation.section}` : ''}  (${match})`);
    }
  }
  const usage = response.usage;
  console.log(
    `\nmodel ${response.model?.model ?? '?'} (${response.model?.provider ?? '?'})  tokens ${usage?.inputTokens ?? 0} in / ${usage?.outputTokens ?? 0} out  cost $${response.costUsd.toFixed(6)}  trace ${response.traceId}`,
  );
}

export async function ask(target: CliTarget, question: string, options: AskOptions): Promise<CompleteResponse> {
  const gateway = createGrpcClient(Gateway, target.addresses.gateway);
  const request = { model: options.model ?? '', messages: [{ role: 'user', content: question }], collection: options.collection ?? '' };
  const call = { timeoutMs: options.timeoutMs ?? 60_000, metadata: { authorization: `Bearer ${target.apiKey}` } };
  try {
    let response: CompleteResponse | undefined;
    if (options.stream) {
      for await (const chunk of gateway.completeStream(request, call)) {
        if (chunk.event.case === 'delta') process.stdout.write(chunk.event.value);
        else if (chunk.event.case === 'done') response = chunk.event.value;
      }
      process.stdout.write('\n');
    } else {
      response = await gateway.complete(request, call);
      console.log(response.content);
    }
    if (!response) throw new Error('the stream ended without a final message');
    printAnswerFooter(response);
    if (options.trace) await printTrace(target, response.traceId);
    return response;
  } finally {
    gateway.close();
  }
}

/** Waits for a request's trace to reach ClickHouse, then prints it stage by stage. */
export async function printTrace(target: CliTarget, traceId: string, timeoutMs = 30_000): Promise<void> {
  const analytics = createGrpcClient(Analytics, target.addresses.analytics);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await analytics.query({ query: { case: 'report', value: 'trace' }, params: { trace_id: traceId } }, { timeoutMs: 10_000 });
      if (result.rowsJson.length > 0) {
        const rows = result.rowsJson.map((row) => JSON.parse(row) as Record<string, unknown>);
        const first = rows[0]!;
        const ms = (value: unknown) => Number(value).toFixed(1);
        console.log(`\nTrace ${traceId} from ClickHouse (llmops.traces):`);
        console.log(
          `${first['endpoint']}  ${first['trace_status']}  ${ms(first['trace_latency_ms'])} ms  model ${first['provider']}/${first['model']}  ` +
            `tokens ${first['tokens']}  cost $${Number(first['cost_usd']).toFixed(6)}`,
        );
        const stages = rows.map((row) => ({
          stage: row['stage'],
          'start ms': ms(row['start_offset_ms']),
          'latency ms': ms(row['latency_ms']),
          status: row['status'],
          detail: row['detail'],
        }));
        console.log(formatTable(['stage', 'start ms', 'latency ms', 'status', 'detail'], stages));
        return;
      }
      if (Date.now() > deadline) throw new Error(`trace ${traceId} did not reach ClickHouse within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    analytics.close();
  }
}
