import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real redis-server (Debian's package; `deploy/local/redis.sh install`) on a free port with a
 * temporary directory, for tests. Fails clearly when redis-server is not installed.
 */
export async function startRedisServer(): Promise<LocalRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmops-redis-test-'));
  let child: ChildProcess;
  try {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  } catch (error) {
    throw new Error(`cannot start redis-server (run deploy/local/redis.sh install): ${(error as Error).message}`);
  }
  const spawnError = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`cannot start redis-server (run deploy/local/redis.sh install): ${error.message}`))));
  const url = `redis://127.0.0.1:${port}`;
  await Promise.race([waitForPing(port), spawnError]);
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGTERM');
        await closed;
      }
      child.unref();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let data = '';
      socket.setTimeout(500, () => socket.destroy());
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => {
        data += chunk.toString();
        if (data.includes('\r\n')) socket.end();
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(data));
    });
    if (reply.startsWith('+PONG')) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
