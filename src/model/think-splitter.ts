/**
 * Reasoning that arrives inside the answer text, for servers that do not parse it:
 * `<think>...</think>answer` (Qwen3-2504), or `...</think>answer` with only the
 * closing tag (Qwen3-Thinking-2507, Qwen3.5/3.6, whose prompt already holds
 * `<think>`). Splits the content stream into reasoning and content, holding back a
 * tag cut across chunks. Reasoning that the server sends in its own field never
 * passes through here; once it shows up, the content is known to be plain.
 */
import { findFirstTag, partialTagLength } from './partial-tag.js';

export type TextKind = 'reasoning' | 'content';

const OPEN = '<think>';
const CLOSE = '</think>';
/** Qwen3.5 may open a tool call inside its reasoning without closing it (vLLM's qwen3 parser rule). */
const REASONING_ENDS = [CLOSE, '<tool_call>'] as const;

type State = 'lead' | 'pending' | 'think' | 'content';

export class ThinkSplitter {
  private state: State = 'lead';
  private buffer = '';
  private scanFrom = 0;

  /**
   * @param expectClosingOnly the model thinks and its prompt opened `<think>`, so
   *   text before a `</think>` is reasoning: hold it until the tag (or the end) decides.
   */
  constructor(
    private readonly emit: (kind: TextKind, text: string) => void,
    private expectClosingOnly: boolean,
  ) {}

  push(text: string): void {
    if (this.state === 'content') {
      this.emit('content', text);
      return;
    }
    this.buffer += text;
    this.advance();
  }

  /** The server sent reasoning in its own field, so the content is plain text. */
  serverParsesReasoning(): void {
    this.expectClosingOnly = false;
    if (this.state === 'pending') this.toContent(this.buffer);
  }

  end(): void {
    const rest = this.buffer;
    this.buffer = '';
    if (this.state === 'think') {
      if (rest !== '') this.emit('reasoning', rest);
    } else if (this.state !== 'content' && rest.trim() !== '') {
      this.emit('content', rest);
    }
    this.state = 'content';
  }

  private advance(): void {
    if (this.state === 'lead') this.lead();
    if (this.state === 'pending' || this.state === 'think') this.inReasoning();
  }

  private lead(): void {
    const trimmed = this.buffer.trimStart();
    if (trimmed.startsWith(OPEN)) {
      this.state = 'think';
      this.buffer = trimmed.slice(OPEN.length);
      this.scanFrom = 0;
    } else if (trimmed.startsWith(CLOSE)) {
      this.toContent(trimmed.slice(CLOSE.length));
    } else if (trimmed === '' || OPEN.startsWith(trimmed) || CLOSE.startsWith(trimmed)) {
      return;
    } else if (this.expectClosingOnly) {
      this.state = 'pending';
      this.scanFrom = 0;
    } else {
      this.toContent(this.buffer);
    }
  }

  private inReasoning(): void {
    const found = findFirstTag(this.buffer, REASONING_ENDS, this.scanFrom);
    if (found) {
      const reasoning = this.buffer.slice(0, found.index);
      const after = found.tag === CLOSE ? this.buffer.slice(found.index + CLOSE.length) : this.buffer.slice(found.index);
      if (reasoning !== '') this.emit('reasoning', reasoning);
      this.toContent(after);
      return;
    }
    if (this.state === 'pending') {
      this.scanFrom = Math.max(0, this.buffer.length - 16);
      return;
    }
    const hold = partialTagLength(this.buffer, REASONING_ENDS);
    const ready = this.buffer.slice(0, this.buffer.length - hold);
    if (ready !== '') this.emit('reasoning', ready);
    this.buffer = this.buffer.slice(this.buffer.length - hold);
    this.scanFrom = 0;
  }

  private toContent(text: string): void {
    this.state = 'content';
    this.buffer = '';
    if (text !== '') this.emit('content', text);
  }
}
