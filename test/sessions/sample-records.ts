/**
 * Deterministic records for the sessions tests and the child processes they
 * spawn: the body for a seq is always the same, so a journal can be checked
 * record by record against what was appended. Now and then a body is large
 * (up to 500 kB), so a `kill -9` can land inside its write (Linux then leaves
 * a partial line).
 */
import type { RecordBody } from '../../sessions/records.js';
import type { SessionStart } from '../../sessions/store.js';

export const startBody: SessionStart = {
  version: '0.0.0-test',
  task: 'fix the failing test',
  cwd: '/work/project',
  workspace: '/work/project',
  endpoint: { baseURL: 'http://127.0.0.1:1/v1', server: 'llama', model: 'qwen3-coder' },
  sandbox: 'host',
  thinking: true,
  systemPrompt: 'You are a careful coding agent.',
  tools: ['read_file', 'run_shell'],
  settings: { maxTurns: 50 },
};

/** The body appended as record `seq` (seq 1 is the session_start). */
export function expectedBody(seq: number, salt = 0): RecordBody {
  const hash = Math.imul(seq ^ salt, 2654435761) >>> 0;
  const turn = Math.floor(seq / 3);
  switch (seq % 3) {
    case 0:
      return {
        kind: 'assistant',
        turn,
        content: '',
        reasoning: `thinking about step ${seq} ✓`,
        toolCalls: [{ id: `call_${seq}`, type: 'function', function: { name: 'run_shell', arguments: `{"command":"echo ${seq}"}` } }],
        finish: 'tool_calls',
        usage: { promptTokens: 1000 + seq, completionTokens: 20 },
      };
    case 1:
      return { kind: 'tool_start', callId: `call_${seq - 1}`, name: 'run_shell', replayable: false };
    default: {
      const size = hash % 97 === 0 ? 100_000 + (hash % 400_000) : 20 + (hash % 400);
      const unit = `line ${seq} é\n`;
      return {
        kind: 'tool_end',
        callId: `call_${seq - 2}`,
        name: 'run_shell',
        isError: false,
        content: unit.repeat(Math.ceil(size / unit.length)),
        durationMs: hash % 1000,
      };
    }
  }
}
