import { Command, InvalidArgumentError } from 'commander';
import { allTopicNamesWithDeadLetters, ensureTopics } from '@llmops/kafka';
import { PlatformError } from '@llmops/grpc';
import { ask, printTrace } from './commands/ask.command';
import { resolveTarget } from './commands/cli-context';
import { ingest } from './commands/ingest.command';
import { sql } from './commands/sql.command';
import { status } from './commands/status.command';
import { startLocalStack, stopServices } from './stack/local-stack';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
}

const program = new Command()
  .name('llmops')
  .description('Talk to a running LLMOps mesh: ask questions, ingest documents, query ClickHouse, check health.')
  .showHelpAfterError();

program
  .command('ask')
  .description('ask a question through the gateway (gRPC) and print the answer with its citations')
  .argument('<question>')
  .option('-c, --collection <name>', 'retrieve context from this collection')
  .option('-m, --model <id>', 'a model id or route name (default: the default route)')
  .option('-s, --stream', 'stream the answer as it is generated')
  .option('-t, --trace', "then print the request's trace from ClickHouse")
  .action(async (question: string, options: { collection?: string; model?: string; stream?: boolean; trace?: boolean }) => {
    await ask(resolveTarget(), question, options);
  });

program
  .command('ingest')
  .description('ingest Markdown, text, HTML, PDF and JSONL files (a file or a directory) into a collection')
  .argument('<path>')
  .requiredOption('-c, --collection <name>', 'collection to ingest into')
  .option('--tenant <id>', 'tenant that owns the documents', 'default')
  .option('--prune', 'also delete the documents of this directory that are no longer in it')
  .action(async (path: string, options: { collection: string; tenant: string; prune?: boolean }) => {
    await ingest(resolveTarget(), path, options);
  });

program
  .command('sql')
  .description('run read-only ClickHouse SQL through the analytics service')
  .argument('<query>')
  .option('--json', 'print one JSON object per row')
  .option('--limit <n>', 'at most this many rows', positiveInt, 1000)
  .action(async (query: string, options: { json?: boolean; limit: number }) => {
    await sql(resolveTarget(), query, options);
  });

program
  .command('trace')
  .description("print one request's trace (stages, latency, model, tokens, cost) from ClickHouse")
  .argument('<trace-id>')
  .action(async (traceId: string) => {
    await printTrace(resolveTarget(), traceId);
  });

program
  .command('status')
  .description('health of every service and of Kafka')
  .action(async () => {
    if (!(await status(resolveTarget()))) process.exitCode = 1;
  });

program
  .command('up')
  .description('start the nine services (Kafka must be running: deploy/local/kafka.sh start) and wait until they are healthy')
  .action(async () => {
    const target = resolveTarget();
    await ensureTopics(target.kafkaBrokers.split(','), allTopicNamesWithDeadLetters(), 3);
    const stack = await startLocalStack({ repoRoot: target.repoRoot, stateDir: target.stateDir, kafkaBrokers: target.kafkaBrokers, detached: true });
    console.log(`all nine services are healthy; endpoints in ${target.stateDir}/endpoints.json`);
    console.log(JSON.stringify({ ...stack.endpoints, apiKey: `${stack.endpoints.apiKey.slice(0, 16)}…` }, null, 2));
  });

program
  .command('down')
  .description('stop the services that `llmops up` started')
  .action(async () => {
    const stopped = await stopServices(resolveTarget().stateDir);
    console.log(stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'no services were running');
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof PlatformError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
  console.error(`llmops: ${message}`);
  process.exit(1);
});
