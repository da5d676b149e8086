import { render } from 'ink-testing-library';
import { afterEach, describe, expect, test } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { App } from '../../src/ui/components/app.js';
import { SessionController } from '../../src/ui/session-controller.js';
import { initialViewState } from '../../src/ui/state.js';
import { ViewStore } from '../../src/ui/store.js';
import { Gate, ScriptedDriver, waitFor, type Script } from './support/scripted-driver.js';

afterEach(() => cleanup());

function mount(script: Script, info = {}) {
  const driver = new ScriptedDriver(script, info);
  const store = new ViewStore(initialViewState(driver.info), { frameMs: 0 });
  let bells = 0;
  const controller = new SessionController(driver, store, { approvalPolicy: 'ask', bell: () => (bells += 1) });
  const screen = render(<App store={store} controls={controller} />);
  const frame = () => screen.lastFrame() ?? '';
  return { driver, store, controller, screen, frame, bells: () => bells };
}

describe('layout', () => {
  test('finished items stay above the live turn; the running tool shows a spinner line', async () => {
    const gate = new Gate();
    const { controller, frame } = mount(async function* (run) {
      yield { type: 'user_message', content: run.message };
      yield { type: 'turn_start' };
      yield { type: 'content_delta', text: 'Reading the file.' };
      yield { type: 'assistant_message', content: 'Reading the file.', toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"src/a.ts"}' }] };
      yield { type: 'tool_start', callId: 'c1', name: 'read_file', arguments: '{"path":"src/a.ts"}' };
      await gate.wait();
      yield { type: 'tool_end', callId: 'c1', name: 'read_file', isError: false, content: '1 one\n2 two\n3 three\n4 four\n5 five', durationMs: 12 };
    });
    controller.submit('fix the bug');
    await waitFor(() => frame().includes('read_file src/a.ts ·'), frame);
    console.log(frame());
    gate.open();
    await waitFor(() => frame().includes('✓ read_file src/a.ts'), frame);
    console.log(frame());
  });
});
