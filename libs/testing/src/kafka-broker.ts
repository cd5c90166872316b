import { execFile } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const KAFKA_SCRIPT = path.join(REPO_ROOT, 'deploy/local/kafka.sh');

export interface LocalKafkaBroker {
  /** Bootstrap servers for kafkajs, e.g. `127.0.0.1:40123`. */
  brokers: string;
  port: number;
  controllerPort: number;
  dataDir: string;
  /** Stops the broker; removes its data dir when this call created it. */
  stop(): Promise<void>;
}

export interface StartKafkaBrokerOptions {
  /** Listener port; a free one when absent. */
  port?: number;
  controllerPort?: number;
  /** Data dir; a fresh temporary one (removed on stop) when absent. */
  dataDir?: string;
  startTimeoutSeconds?: number;
}

/** Resolves the Kafka jars through Maven once; later calls return at once. The first may take a minute. */
export async function fetchKafkaJars(): Promise<void> {
  await runKafkaScript('fetch', {}, 15 * 60_000);
}

/** Starts a single-node KRaft broker through deploy/local/kafka.sh and waits until it serves metadata. */
export async function startKafkaBroker(options: StartKafkaBrokerOptions = {}): Promise<LocalKafkaBroker> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'llmops-kafka-')));
  const port = options.port ?? (await freePort());
  const controllerPort = options.controllerPort ?? (await freePort([port]));
  const env = {
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_DATA_DIR: dataDir,
    KAFKA_START_TIMEOUT: String(options.startTimeoutSeconds ?? 120),
  };
  try {
    await runKafkaScript('start', env, ((options.startTimeoutSeconds ?? 120) + 60) * 1000);
  } catch (error) {
    if (ownsDataDir) await fs.rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    brokers: `127.0.0.1:${port}`,
    port,
    controllerPort,
    dataDir,
    stop: async () => {
      await runKafkaScript('stop', env, 60_000);
      if (ownsDataDir) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Kills the broker of a data dir at once, synchronously; for `process.on('exit')`, where nothing
 * asynchronous runs, so a test run that dies does not leave a JVM behind.
 */
export function killKafkaBrokerSync(dataDir: string): void {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'kafka.pid'), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // no pid file or process already gone
  }
}

function runKafkaScript(command: 'fetch' | 'start' | 'stop', env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [KAFKA_SCRIPT, command],
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`deploy/local/kafka.sh ${command} failed: ${error.message}\n${stdout}${stderr}`));
          return;
        }
        resolve(stdout);
      },
    );
  });
}

/** A port the OS reports free right now, other than `avoid`. */
async function freePort(avoid: number[] = []): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(chosen));
      });
    });
    if (port > 0 && !avoid.includes(port)) return port;
  }
}
