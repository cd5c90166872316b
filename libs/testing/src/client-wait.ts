import type { ServerResponse } from 'node:http';

/**
 * Waits `ms`, and tells whether the client is still there afterwards (false as soon as it hangs
 * up). Timers go into `timers` so a fake server can clear them when it closes.
 */
export function waitWhileConnected(ms: number, res: ServerResponse, timers: Set<NodeJS.Timeout>): Promise<boolean> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve(false);
    if (ms <= 0) return resolve(true);
    const onClose = (): void => {
      clearTimeout(timer);
      timers.delete(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      timers.delete(timer);
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    timers.add(timer);
    res.once('close', onClose);
  });
}
