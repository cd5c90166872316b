import { ChainResult, ModelChainError } from '../src/generation/model-chain.executor';

/** The ModelChainError a chain walk ended with (fails the test if it succeeded or threw something else). */
export async function chainFailure(promise: Promise<unknown>): Promise<ModelChainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelChainError);
  return error as ModelChainError;
}

/** Reads a chain stream to its end: the deltas, the result, or the error it ended with. */
export async function drain(events: AsyncIterable<{ type: string }>) {
  const deltas: string[] = [];
  let done: ChainResult | undefined;
  let error: unknown;
  try {
    for await (const event of events as AsyncIterable<{ type: 'delta'; text: string } | { type: 'done'; result: ChainResult }>) {
      if (event.type === 'delta') deltas.push(event.text);
      else if (event.type === 'done') done = event.result;
    }
  } catch (e) {
    error = e;
  }
  return { deltas, done, error };
}
