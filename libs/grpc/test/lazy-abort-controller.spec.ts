import { LazyAbortController } from '@llmops/grpc';

describe('LazyAbortController', () => {
  it('gives a live signal that aborts with the reason, once', () => {
    const lazy = new LazyAbortController();
    const signal = lazy.signal;
    expect(lazy.signal).toBe(signal);
    const seen: unknown[] = [];
    signal.addEventListener('abort', () => seen.push(signal.reason));
    expect(lazy.aborted).toBe(false);
    const reason = new Error('client disconnected');
    lazy.abort(reason);
    lazy.abort(new Error('again'));
    expect(seen).toEqual([reason]);
    expect(lazy.aborted).toBe(true);
  });

  it('remembers an abort before anyone read the signal: the signal is born aborted with the first reason', () => {
    const lazy = new LazyAbortController();
    const first = new Error('deadline exceeded');
    lazy.abort(first);
    lazy.abort(new Error('cancelled by the caller'));
    expect(lazy.aborted).toBe(true);
    expect(lazy.signal.aborted).toBe(true);
    expect(lazy.signal.reason).toBe(first);
    expect(() => lazy.signal.throwIfAborted()).toThrow('deadline exceeded');
  });
});
