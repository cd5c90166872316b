import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ConfigReloadLog {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * Watches llmops.yaml and hands each new version to `apply`. The directory is watched, not the
 * file, because editors and `kubectl` ConfigMap updates replace the file by rename. A version
 * that fails to load (bad YAML, invalid config) is logged with every issue and dropped: the last
 * good configuration stays in force.
 */
export class ConfigFileWatcher<T> {
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastText: string | undefined;

  constructor(
    private readonly file: string,
    private readonly load: () => T,
    private readonly apply: (config: T) => void,
    private readonly log: ConfigReloadLog,
    private readonly debounceMs = 100,
  ) {}

  start(): void {
    this.lastText = this.read();
    this.watcher = fs.watch(path.dirname(this.file), (_event, name) => {
      if (name !== null && name !== path.basename(this.file)) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.reload(), this.debounceMs);
    });
  }

  /** Loads and applies the file now; true when a new configuration took effect. */
  reload(): boolean {
    const text = this.read();
    if (text === undefined || text === this.lastText) return false;
    this.lastText = text;
    let config: T;
    try {
      config = this.load();
      this.apply(config);
    } catch (error) {
      this.log.error({ file: this.file, err: { message: (error as Error).message } }, `rejected the new ${path.basename(this.file)}; the last good configuration stays in force: ${(error as Error).message}`);
      return false;
    }
    this.log.info({ file: this.file }, `reloaded ${path.basename(this.file)}`);
    return true;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  private read(): string | undefined {
    try {
      return fs.readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
  }
}
