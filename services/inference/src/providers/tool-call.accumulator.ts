import { ToolCall, ToolCallDelta } from './chat-provider';

/**
 * Assembles tool calls from streamed pieces. Both OpenAI (`delta.tool_calls[i]`) and Anthropic
 * (`input_json_delta` per content block) send a call's id and name once, then its arguments
 * JSON in fragments that only parse once joined.
 */
export class ToolCallAccumulator {
  private readonly byIndex = new Map<number, ToolCall>();

  add(index: number, id: string | undefined, name: string | undefined, argumentsDelta: string): ToolCallDelta {
    let call = this.byIndex.get(index);
    if (!call) {
      call = { id: '', name: '', argumentsJson: '' };
      this.byIndex.set(index, call);
    }
    if (id) call.id = id;
    if (name) call.name += name;
    call.argumentsJson += argumentsDelta;
    return { index, ...(id ? { id } : {}), ...(name ? { name } : {}), argumentsDelta };
  }

  get size(): number {
    return this.byIndex.size;
  }

  /** The calls so far, by index; a call with no arguments gets `{}` as providers mean it. */
  calls(): ToolCall[] {
    return [...this.byIndex.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({ ...call, argumentsJson: call.argumentsJson || '{}' }));
  }
}
