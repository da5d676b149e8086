/**
 * The screen of a session: finished items (drawn once, through `<Static>`), the
 * live turn, the result panel, the approval or the prompt box, the status bar. It
 * draws the store and sends keys to the controls; the loop runs elsewhere.
 */
import { Box, Text, useInput, type Key } from 'ink';
import { useSyncExternalStore } from 'react';
import type { UiControls } from '../controls.js';
import { complete, suggestionsFor, type CompletionSources } from '../completion.js';
import { editLine } from '../line-editor.js';
import type { ViewState } from '../state.js';
import type { ViewStore } from '../store.js';
import { ApprovalPrompt } from './approval-prompt.js';
import { FinishedView } from './finished-view.js';
import { LiveTurn } from './live-turn.js';
import { PromptBox } from './prompt-box.js';
import { ResultPanel } from './result-panel.js';
import { RewindPicker } from './rewind-picker.js';
import { StatusBar } from './status-bar.js';
import { useNow } from './use-now.js';

export interface AppProps {
  store: ViewStore;
  controls: UiControls;
  /** Shown at the end of the status bar's first line (approval policy, replay speed). */
  note?: string;
  /**
   * Whether to read keys. Off when stdin is not a terminal (a replay piped somewhere).
   * @default true
   */
  keys?: boolean;
}

export function App({ store, controls, note, keys = true }: AppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  useInput((input, key) => handleKey(store, controls, input, key), { isActive: keys });
  const ticking = controls.clock === 'wall' && (state.phase === 'running' || state.live.tools.length > 0);
  const wallNow = useNow(ticking);
  const now = controls.clock === 'wall' && ticking ? wallNow : (state.status.lastEventAt ?? wallNow);
  const elapsedMs = state.status.startedAt === undefined ? 0 : now - state.status.startedAt;
  return (
    <>
      <FinishedView log={state.finished} />
      <Box flexDirection="column">
        <LiveTurn live={state.live} phase={state.phase} reasoningShown={state.reasoningShown} now={now} awaitingApproval={state.approval !== undefined} />
        {state.resultShown ? <ResultPanel result={state.lastResult} /> : null}
        {state.approval !== undefined ? (
          <ApprovalPrompt request={state.approval} alwaysCovers={controls.describeAlways(state.approval)} {...(state.approvalDiff === undefined ? {} : { diff: state.approvalDiff })} />
        ) : state.rewind !== undefined && state.phase !== 'closing' ? (
          <RewindPicker view={state.rewind} />
        ) : controls.acceptsInput && state.phase !== 'closing' ? (
          <PromptBox
            draft={state.draft}
            phase={state.phase}
            queued={state.queued}
            hasHistory={state.conversed}
            suggestions={state.draft.text === '' ? [] : suggestionsFor(state.draft, completionSources(controls))}
          />
        ) : null}
        {state.quitArmed ? <Text color="yellow">Press Ctrl+C again to quit.</Text> : null}
        {state.escArmed ? <Text color="magenta">Press Esc again to rewind to an earlier turn.</Text> : null}
        {state.phase === 'closing' ? <Text dimColor>closing the session…</Text> : null}
        <Box marginTop={1}>
          <StatusBar status={state.status} elapsedMs={elapsedMs} {...((state.note ?? note) === undefined ? {} : { note: state.note ?? note })} />
        </Box>
      </Box>
    </>
  );
}

function handleKey(store: ViewStore, controls: UiControls, input: string, key: Key): void {
  const state = store.state;
  if (key.ctrl && input === 'c') {
    controls.quitKey();
    return;
  }
  if (state.quitArmed) store.update((current) => ({ ...current, quitArmed: false }));
  if (state.rewind !== undefined) {
    controls.rewindKey?.(input, key);
    return;
  }
  if (state.escArmed && !key.escape) store.update((current) => ({ ...current, escArmed: false }));
  if (key.escape) {
    if (controls.openRewind !== undefined && state.phase === 'idle' && state.approval === undefined && state.draft.text === '') {
      // Two Escs that arrive in one read come as one key with meta set.
      if (state.escArmed || key.meta) {
        store.update((current) => ({ ...current, escArmed: false }));
        controls.openRewind();
      } else store.update((current) => ({ ...current, escArmed: true }));
      return;
    }
    controls.interrupt();
    return;
  }
  if (key.tab) {
    const sources = completionSources(controls);
    const typing = state.approval === undefined && controls.acceptsInput && suggestionsFor(state.draft, sources).length > 0;
    if (!typing) {
      store.update(toggle('reasoningShown'));
      return;
    }
    const completed = complete(state.draft, sources);
    if (completed !== undefined) store.update((current) => ({ ...current, draft: completed }));
    return;
  }
  if (key.ctrl && input === 'o') {
    store.update(toggle('resultShown'));
    return;
  }
  if (state.approval !== undefined) {
    const decision = input === 'y' ? 'yes' : input === 'n' ? 'no' : input === 'a' ? 'always' : undefined;
    if (decision !== undefined) controls.answer(decision);
    return;
  }
  if (!controls.acceptsInput) {
    if (input === 'q') controls.quitKey();
    return;
  }
  if (state.phase === 'closing') return;
  const edit = editLine(state.draft, input, key);
  if (edit.line !== state.draft) store.update((current) => ({ ...current, draft: edit.line }));
  if (edit.submitted !== undefined) controls.submit(edit.submitted);
}

function completionSources(controls: UiControls): CompletionSources {
  return { custom: controls.customCommands ?? [], ...(controls.listDirectory ? { listDirectory: controls.listDirectory } : {}) };
}

function toggle(field: 'reasoningShown' | 'resultShown') {
  return (state: ViewState): ViewState => ({ ...state, [field]: !state[field] });
}
