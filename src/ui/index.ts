/**
 * The UI's public face for the CLI: the interactive session, the session picker
 * and the journal replay. Importing it loads Ink and React; `endure exec` never does.
 */
export { runInteractive, BELL, type InteractiveOptions } from './interactive.js';
export { pickSession, type PickerIo } from './pick-session.js';
export type { SessionChoice } from './components/session-picker.js';
export { runReplay, replayDelay, type ReplayOptions } from './replay.js';
export { journalToEvents } from './journal-events.js';
export type { ApprovalPolicy } from './session-controller.js';
