/**
 * The rules of the prompt box's text, without a terminal: what a line is (a
 * command, a custom command, a message, an unknown command), what Tab completes,
 * how a custom command's placeholders expand, and how attachments are told apart
 * from what the person typed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { expandCustomCommand, loadCustomCommands, type CustomCommand } from '../../src/context/custom-commands.js';
import { attachMentions, splitAttachments } from '../../src/context/mentions.js';
import type { Key } from 'ink';
import { complete, suggestionsFor } from '../../src/ui/completion.js';
import { editLine } from '../../src/ui/line-editor.js';
import { parseInput } from '../../src/ui/slash-commands.js';

const review: CustomCommand = { name: 'review', source: 'project', file: '/p/review.md', text: 'Review $1 then $3: $ARGUMENTS', description: 'review' };
const scratch = mkdtempSync(join(tmpdir(), 'endure-prompt-text-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('what a submitted line is', () => {
  test('commands, custom commands, messages and unknown words', () => {
    expect(parseInput('/help', [])).toMatchObject({ kind: 'command', command: { name: 'help' }, args: '' });
    expect(parseInput('/approval  auto ', [])).toMatchObject({ kind: 'command', command: { name: 'approval' }, args: 'auto' });
    expect(parseInput('/review a.ts b', [review])).toMatchObject({ kind: 'custom', args: 'a.ts b' });
    expect(parseInput('/nope', [])).toEqual({ kind: 'unknown', name: 'nope' });
    expect(parseInput('//help me', [])).toEqual({ kind: 'message', text: '/help me' });
    expect(parseInput('/etc/hosts is empty', [])).toEqual({ kind: 'message', text: '/etc/hosts is empty' });
    expect(parseInput('fix /help', [])).toEqual({ kind: 'message', text: 'fix /help' });
  });

  test('placeholders expand to the arguments and their words; missing words are empty', () => {
    expect(expandCustomCommand(review, 'a.ts b')).toBe('Review a.ts then : a.ts b');
    expect(expandCustomCommand({ ...review, text: 'Plain text.' }, 'extra words')).toBe('Plain text.\n\nextra words');
    expect(expandCustomCommand({ ...review, text: 'Plain text.' }, '')).toBe('Plain text.');
  });

  test('project commands win over the user’s, deeper directories over shallower; an empty file is marked', () => {
    const user = join(scratch, 'user');
    const repo = join(scratch, 'repo');
    mkdirSync(join(user, 'commands'), { recursive: true });
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, '.endure', 'commands'), { recursive: true });
    mkdirSync(join(repo, 'pkg', '.endure', 'commands'), { recursive: true });
    writeFileSync(join(user, 'commands', 'a.md'), 'user a');
    writeFileSync(join(user, 'commands', 'u.md'), 'only the user');
    writeFileSync(join(repo, '.endure', 'commands', 'a.md'), 'root a');
    writeFileSync(join(repo, '.endure', 'commands', 'b.md'), 'root b');
    writeFileSync(join(repo, 'pkg', '.endure', 'commands', 'b.md'), 'pkg b');
    writeFileSync(join(repo, 'pkg', '.endure', 'commands', 'e.md'), '  \n');
    writeFileSync(join(repo, 'pkg', '.endure', 'commands', 'bad name.md'), 'skipped');
    const commands = loadCustomCommands({ cwd: join(repo, 'pkg'), userDir: user });
    expect(commands.map((command) => `${command.name}:${command.source}:${command.text}:${command.error ?? ''}`)).toEqual([
      'a:project:root a:',
      'b:project:pkg b:',
      'e:project::the file has no text',
      'u:user:only the user:',
    ]);
  });
});

describe('Tab', () => {
  const listDirectory = (dir: string) => (dir === '' ? ['.hidden', 'src/', 'spec.md'] : dir === 'src/' ? ['app.ts', 'apple.ts'] : []);

  test('completes a command name to the longest common prefix, or whole', () => {
    expect(complete({ text: '/sta', cursor: 4 }, { custom: [] })).toEqual({ text: '/status ', cursor: 8 });
    expect(complete({ text: '/re', cursor: 3 }, { custom: [review] })).toBe(undefined);
    expect(suggestionsFor({ text: '/re', cursor: 3 }, { custom: [review] }).map((entry) => entry.name)).toEqual(['rewind', 'review']);
    expect(complete({ text: '/rev', cursor: 4 }, { custom: [review] })).toEqual({ text: '/review ', cursor: 8 });
    expect(suggestionsFor({ text: '/status now', cursor: 11 }, { custom: [] })).toEqual([]);
  });

  test('completes an @path at the cursor, directories first to their slash', () => {
    expect(complete({ text: 'see @s', cursor: 6 }, { custom: [], listDirectory })).toBe(undefined);
    expect(complete({ text: 'see @sr', cursor: 7 }, { custom: [], listDirectory })).toEqual({ text: 'see @src/', cursor: 9 });
    expect(complete({ text: 'see @src/app', cursor: 12 }, { custom: [], listDirectory })).toBe(undefined);
    expect(complete({ text: 'see @src/appl and more', cursor: 13 }, { custom: [], listDirectory })).toEqual({ text: 'see @src/apple.ts and more', cursor: 17 });
    expect(suggestionsFor({ text: '@', cursor: 1 }, { custom: [], listDirectory }).map((entry) => entry.name)).toEqual(['@src/', '@spec.md']);
    expect(suggestionsFor({ text: 'me@host', cursor: 7 }, { custom: [], listDirectory })).toEqual([]);
  });
});

describe('the line editor', () => {
  test('control bytes that arrive with text are dropped; newlines and tabs stay', () => {
    const key = { return: false, backspace: false, delete: false, leftArrow: false, rightArrow: false, upArrow: false, downArrow: false, pageUp: false, pageDown: false, home: false, end: false, ctrl: false, meta: false, shift: false, escape: false, tab: false } as unknown as Key;
    expect(editLine({ text: '/hel', cursor: 4 }, '\t\u0015x\r\ny', key).line).toEqual({ text: '/hel\tx\ny', cursor: 8 });
    expect(editLine({ text: 'a', cursor: 1 }, '\u0015', key).line).toEqual({ text: 'a', cursor: 1 });
  });
});

describe('attachments', () => {
  test('what was typed is told apart from what was attached', () => {
    const root = join(scratch, 'ws');
    mkdirSync(join(root, 'd'), { recursive: true });
    writeFileSync(join(root, 'd', 'x.txt'), 'x\n');
    const message = attachMentions('look at @d/x.txt and @d/x.txt again, @d', root);
    expect(message.match(/<attachment path="d\/x\.txt"/g)).toHaveLength(1);
    expect(splitAttachments(message)).toEqual({ text: 'look at @d/x.txt and @d/x.txt again, @d', attachments: ['d/x.txt', 'd'] });
    expect(splitAttachments('no attachments')).toEqual({ text: 'no attachments', attachments: [] });
  });
});
