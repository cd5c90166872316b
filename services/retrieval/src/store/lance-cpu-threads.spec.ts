import { MIN_LANCE_CPU_THREADS, reserveLanceCpuThreads } from './lance-cpu-threads';

describe('reserveLanceCpuThreads', () => {
  it('gives Lance at least four CPU slots on a small machine, where its default would be one', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(reserveLanceCpuThreads(env, 2)).toBe(MIN_LANCE_CPU_THREADS);
    expect(env.LANCE_CPU_THREADS).toBe('4');
  });

  it('gives one slot per core on a larger machine', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(reserveLanceCpuThreads(env, 16)).toBe(16);
    expect(env.LANCE_CPU_THREADS).toBe('16');
  });

  it('keeps an operator’s explicit setting, and replaces one that is not a positive integer', () => {
    expect(reserveLanceCpuThreads({ LANCE_CPU_THREADS: '6' }, 2)).toBe(6);
    const broken: NodeJS.ProcessEnv = { LANCE_CPU_THREADS: 'many' };
    expect(reserveLanceCpuThreads(broken, 2)).toBe(4);
    expect(broken.LANCE_CPU_THREADS).toBe('4');
  });
});
