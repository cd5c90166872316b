import { availableParallelism } from 'node:os';

/** Fewest blocking slots Lance's CPU pool gets, whatever the core count. */
export const MIN_LANCE_CPU_THREADS = 4;

/**
 * Lance runs CPU-heavy work (index training, FTS tokenising and posting-list writing) as blocking
 * tasks on its own runtime, at most LANCE_CPU_THREADS of them at once; unset, that is the core
 * count minus two cores reserved for I/O, at least one: ONE on a 2-core machine. Lance 8.0's
 * (LanceDB 0.31) full-text index build then deadlocks: its only blocking task parks in a blocking
 * channel wait for work that needs a second slot of the same pool, which never comes (gdb: one
 * `lance-cpu` thread in `EventListenerFuture::wait`, every other thread idle, 0 % CPU). It shows
 * from ~100k rows on (the build splits its work further), in `createIndex` and in `optimize()`
 * alike; upstream lance-format/lance#7439 has the same signature. With four slots the same 100k
 * build finishes in 4 s.
 *
 * Lance reads the variable once, when its CPU pool starts (the first index build or query), so
 * this must run before the first LanceDB call of the process. An operator's explicit value wins.
 */
export function reserveLanceCpuThreads(env: NodeJS.ProcessEnv = process.env, cores: number = availableParallelism()): number {
  const configured = Number(env.LANCE_CPU_THREADS);
  if (Number.isInteger(configured) && configured > 0) return configured;
  const threads = Math.max(MIN_LANCE_CPU_THREADS, cores);
  env.LANCE_CPU_THREADS = String(threads);
  return threads;
}
