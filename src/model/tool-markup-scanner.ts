/**
 * Finds where tool-call markup starts in a streamed answer. Prose before the first
 * tag streams out as content at once (minus a tail that could be a cut tag); from
 * the first tag on, everything is kept for the text tool-call parser, so raw
 * markup never reaches a content event.
 */
import { findFirstTag, partialTagLength } from './partial-tag.js';
import { TOOL_MARKUP_OPENERS } from './text-tool-calls.js';

export class ToolMarkupScanner {
  private held = '';
  private readonly markup: string[] = [];
  private inMarkup = false;

  constructor(private readonly emitContent: (text: string) => void) {}

  push(text: string): void {
    if (this.inMarkup) {
      this.markup.push(text);
      return;
    }
    const buffer = this.held + text;
    const found = findFirstTag(buffer, TOOL_MARKUP_OPENERS, 0);
    if (found) {
      if (found.index > 0) this.emitContent(buffer.slice(0, found.index));
      this.markup.push(buffer.slice(found.index));
      this.inMarkup = true;
      this.held = '';
      return;
    }
    const hold = partialTagLength(buffer, TOOL_MARKUP_OPENERS);
    if (buffer.length > hold) this.emitContent(buffer.slice(0, buffer.length - hold));
    this.held = buffer.slice(buffer.length - hold);
  }

  /** Flushes held prose and returns the markup seen ('' when none). */
  end(): string {
    if (this.held !== '') this.emitContent(this.held);
    this.held = '';
    return this.markup.join('');
  }
}
