/**
 * A session's journal as a readable transcript (markdown), for `sessions show`
 * and `sessions export --format md`. Cache hits the server reported appear per
 * turn and in the totals.
 */
import { emptyFigures, foldFigures } from '../../sessions/figures.js';
import type { JournalRecord } from '../../sessions/records.js';
import { recordedInstructionFiles } from '../context/instructions.js';
import { prefilledOf } from '../model/usage.js';
import { formatSeconds } from '../ui/format.js';

function fence(text: string): string {
  const ticks = text.includes('```') ? '````' : '```';
  return `${ticks}\n${text}\n${ticks}`;
}

function cacheShare(prompt: number, cached: number): string {
  return prompt > 0 ? `${Math.round((100 * cached) / prompt)}%` : '0%';
}

function instructionList(settings: Record<string, unknown>): string {
  const list = recordedInstructionFiles(settings);
  return list.length === 0 ? 'none' : list.join(', ');
}

/**
 * `childRecords` reads a subagent's journal by its id: each child's transcript
 * is then shown nested (quoted) under its task's result.
 */
function quoted(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
}

export function renderTranscript(records: readonly JournalRecord[], childRecords?: (id: string) => readonly JournalRecord[] | undefined): string {
  const out: string[] = [];
  const figures = emptyFigures();
  const names = new Map<string, string>();
  for (const record of records) {
    foldFigures(figures, record);
    switch (record.kind) {
      case 'session_start':
        out.push(`# Session ${record.sessionId}`, '', `- model: ${record.endpoint.model} on ${record.endpoint.server} (${record.endpoint.baseURL})`);
        out.push(`- workspace: ${record.workspace}`, `- sandbox: ${record.sandbox}`, `- started: ${new Date(record.t).toISOString()}`);
        out.push(`- instructions: ${instructionList(record.settings)}`);
        if (record.forkOf) out.push(`- fork of session ${record.forkOf.parent} at turn ${record.forkOf.atTurn} (the turns up to it are the parent's)`);
        out.push('');
        break;
      case 'user':
        out.push('## User', '', record.content, '');
        break;
      case 'assistant': {
        const usage = record.usage;
        const stats = usage
          ? ` · ${usage.promptTokens} prompt tokens (${usage.cachedTokens ?? 0} cached, ${prefilledOf(usage)} prefilled) · ${usage.completionTokens} out`
          : '';
        out.push(`## Assistant, turn ${record.turn}${stats}`, '');
        if (record.reasoning) {
          const thought = record.reasoningMs === undefined ? '' : ` (thought for ${formatSeconds(record.reasoningMs)})`;
          out.push(`<details><summary>reasoning${thought}</summary>\n\n${record.reasoning}\n\n</details>`, '');
        }
        if (record.content) out.push(record.content, '');
        for (const call of record.toolCalls ?? []) {
          names.set(call.id, call.function.name);
          out.push(`**→ ${call.function.name}** \`${call.function.arguments}\``, '');
        }
        break;
      }
      case 'tool_start':
        break;
      case 'tool_end': {
        const label = record.outcome ?? (record.isError ? 'error' : 'ok');
        const blob = record.blob ? ` · full output ${record.blob.bytes} bytes in blobs/${record.blob.id}` : '';
        out.push(`**← ${names.get(record.callId) ?? record.name}** (${label}, ${record.durationMs} ms${blob})`, '', fence(record.content), '');
        if (record.agent) {
          const child = childRecords?.(record.agent.id);
          out.push(child ? quoted(renderTranscript(child)) : `_sub-agent ${record.agent.id}: agents/${record.agent.id}/journal.jsonl_`, '');
        }
        break;
      }
      case 'compaction':
        out.push('## Compaction', '', record.summary, '');
        break;
      case 'checkpoint':
        out.push(`_checkpoint ${record.ref}_`, '');
        break;
      case 'rewind':
        out.push(`## Rewind to turn ${record.toTurn}`, '', `_the files and the conversation went back to the end of turn ${record.toTurn} (checkpoint ${record.tree})_`, '');
        break;
      case 'fork':
        out.push(`## Fork of session ${record.parent} at turn ${record.atTurn}`, '', `_this session goes on from here in ${record.workspace}${record.worktree ? ` (its own worktree, branch ${record.worktree.branch})` : ''}${record.tree ? `, files of checkpoint ${record.tree}` : ''}_`, '');
        break;
      case 'endpoint':
        out.push(`_endpoint ${record.previous.baseURL} (${record.previous.server}, ${record.previous.model}) → ${record.endpoint.baseURL} (${record.endpoint.server}, ${record.endpoint.model})_`, '');
        break;
      case 'slot':
        out.push(`_KV cache ${record.action === 'save' ? 'saved to' : 'restored from'} ${record.file} (slot ${record.slot}, ${record.tokens} tokens, ${record.bytes} bytes, ${Math.round(record.ms)} ms)_`, '');
        break;
      case 'error':
        out.push(`**error** (${record.code}): ${record.message}`, '');
        break;
      case 'end':
        out.push(`## End: ${record.status}${record.reason ? ` (${record.reason})` : ''}`, '');
        break;
      default: {
        const exhaustive: never = record;
        throw new Error(`unknown record ${JSON.stringify(exhaustive)}`);
      }
    }
  }
  const { promptTokens: prompt, cachedTokens: cached, prefilledTokens: prefilled, completionTokens: completion } = figures.usage;
  out.push(
    `---`,
    `Turns: ${figures.turns} · tool calls: ${figures.toolCalls}`,
    `Tokens: ${prompt} in (${cached} cached, ${cacheShare(prompt, cached)}; ${prefilled} prefilled by the server) · ${completion} out`,
    '',
  );
  return out.join('\n');
}
