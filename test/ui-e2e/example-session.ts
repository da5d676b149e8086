/**
 * The recorded example session (examples/sessions/fix-failing-test): a small
 * project whose slugify() fails two of its tests, and a scripted model that does
 * the job a person would expect (runs the tests, reads the source, edits it, runs
 * the tests again, looks at the diff, sums up). The real `endure exec` runs it
 * against the scripted server; record-example.ts writes the journal.
 */
import type { ReceivedRequest, Step, TurnStep } from '../support/scripted-server.js';

export const EXAMPLE_TASK = 'The slugify tests fail. Find out why and fix slugify so the whole suite passes.';

export const EXAMPLE_FILES: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'slugs', version: '1.0.0', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
  'src/slugify.js': `/** Turns a title into a URL slug: "Hello, World!" -> "hello-world". */
export function slugify(title) {
  return title.toLowerCase().replace(' ', '-');
}
`,
  'test/slugify.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slugify } from '../src/slugify.js';

test('lowercases a single word', () => {
  assert.equal(slugify('Hello'), 'hello');
});

test('joins words with dashes', () => {
  assert.equal(slugify('Hello big world'), 'hello-big-world');
});

test('drops punctuation and extra spaces', () => {
  assert.equal(slugify('  Ready, set... go!  '), 'ready-set-go');
});
`,
};

export const EXAMPLE_ANSWER = `Fixed \`slugify\` in src/slugify.js; all 3 tests pass now.

- **Cause:** \`replace(' ', '-')\` with a string pattern replaces only the first space, so "Hello big world" became "hello-big world"; punctuation and the spaces around the title were never removed.
- **Fix:** drop everything that is not a letter, digit, space or dash, trim, then turn each run of whitespace into one dash.
- **Checked:** \`node --test\` went from 2 failing tests to 3 passing; the diff touches only \`slugify\`.`;

const call = (id: string, name: string, args: Record<string, unknown>) => ({ id, name, arguments: args });

const TURNS: TurnStep[] = [
  {
    reasoning:
      'The user says the slugify tests fail. Before reading any code I want to see the failure myself, so the first step is to run the test suite exactly as the project defines it (package.json runs `node --test`).',
    toolCalls: [call('call_run_tests_1', 'run_shell', { command: 'node --test' })],
  },
  {
    reasoning:
      'Two of the three tests fail, both in slugify. "Hello big world" came out as "hello-big world": only the first space became a dash. The punctuation case kept the comma, the dots and the outer spaces. Let me read the implementation.',
    toolCalls: [call('call_read_source', 'read_file', { path: 'src/slugify.js' })],
  },
  {
    reasoning:
      "There it is: `String.prototype.replace` with a string pattern replaces only the first match, which explains \"hello-big world\". Nothing removes punctuation or trims the ends either. The fix: lowercase, drop every character that is not a letter, a digit, whitespace or a dash, trim, then collapse each run of whitespace into a single dash. '  Ready, set... go!  ' then becomes 'ready set go' before the dashes, which is what the test expects.",
    content: 'The bug is in `slugify`: it replaces only the first space and never removes punctuation. Fixing it.',
    toolCalls: [
      call('call_edit_slugify', 'edit_file', {
        path: 'src/slugify.js',
        old_string: "  return title.toLowerCase().replace(' ', '-');",
        new_string: "  return title\n    .toLowerCase()\n    .replace(/[^a-z0-9\\s-]/g, '')\n    .trim()\n    .replace(/\\s+/g, '-');",
      }),
    ],
  },
  {
    reasoning: 'Now run the same suite again to confirm all three tests pass.',
    toolCalls: [call('call_run_tests_2', 'run_shell', { command: 'node --test' })],
  },
  {
    reasoning: 'All three pass. A last look at the diff, to be sure I changed only what I meant to.',
    toolCalls: [call('call_git_diff', 'git_diff', {})],
  },
  {
    reasoning: 'The diff is the one function body. Done; summarise the cause, the fix and how I checked it.',
    content: EXAMPLE_ANSWER,
  },
];

/**
 * The scripted model: step k answers a request holding k assistant messages. Usage
 * is what a prefix-caching server reports: each prompt repeats the previous one.
 */
export function exampleModel(chunkDelayMs = 25): (request: ReceivedRequest) => Step {
  let previousPrompt = 0;
  return (request) => {
    const turn = (request.body.messages as { role: string }[]).filter((message) => message.role === 'assistant').length;
    const step = TURNS[turn] ?? TURNS.at(-1)!;
    const prompt = Math.ceil(request.raw.length / 4);
    const cached = Math.min(previousPrompt, prompt);
    previousPrompt = prompt;
    return { ...step, chunkDelayMs, usage: { prompt, cached } };
  };
}
