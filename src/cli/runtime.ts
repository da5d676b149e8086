/**
 * Assembles one session's runtime from settings: the session (new or resumed),
 * the model client, the sandbox (and worktree), the MCP tool host, and the
 * folded conversation. Both `exec` and the UI drive the loop through it; it
 * owns the order of start-up and the order of shutdown.
 */
import { shapeHeap } from './heap-shape.js';
import { completePendingRewind } from './rewind.js';
import { CheckpointStore } from '../../sessions/checkpoints.js';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { ApprovalGate, ApprovalMemory, type ApprovalConfig } from '../agent/approval.js';
import type { Approver, SteeringInbox } from '../agent/controls.js';
import type { AgentEvent } from '../agent/events.js';
import { foldRecords, JournalFold, type ConversationState } from '../agent/fold.js';
import { compactOnRequest } from '../agent/compaction-step.js';
import type { CompactRequest } from '../agent/loop-deps.js';
import { runLoop, type LoopDeps, type SessionStartInfo } from '../agent/loop.js';
import { Slots, type Subagents } from '../agent/subagents.js';
import { childSessions } from './child-sessions.js';
import { stopConditionFor } from '../agent/stop-conditions.js';
import { loadInstructions, recordedInstructionFiles, withInstructions } from '../context/instructions.js';
import { TokenEstimator } from '../context/tokens.js';
import { outputLimitFor } from '../context/tool-output.js';
import { defaultBuiltins } from '../mcp/builtin-servers.js';
import { loadMcpConfig, userConfigPath } from '../mcp/config.js';
import { createToolHost, type McpToolHost } from '../mcp/host.js';
import { createTrustStore } from '../mcp/trust.js';
import { createModelClient } from '../model/client.js';
import { SlotKeepingClient } from '../model/slot-keeper.js';
import { slotSaving, type SlotEndpoint, type SlotSaving } from '../model/llama-slots.js';
import type { EndpointInfo, ModelClient } from '../model/types.js';
import { ConfigError, SandboxError, oneLine } from '../shared/errors.js';
import { createSandbox } from '../../sandboxes/index.js';
import { formatAllowList } from '../../sandboxes/network-allow.js';
import type { AllowListProxy } from '../../sandboxes/network-proxy.js';
import type { Sandbox } from '../../sandboxes/types.js';
import type { Worktree } from '../../sandboxes/worktree.js';
import { newSessionId, resolveHome } from '../../sessions/home.js';
import { worktreeOwner } from '../../sessions/lineage.js';
import type { JournalRecord } from '../../sessions/records.js';
import { Redactor, SECRET_ENV_VARS } from '../../sessions/redactor.js';
import type { Session } from '../../sessions/session.js';
import { SessionStore } from '../../sessions/store.js';
import type { ServerChoice, Settings } from './settings.js';
import { userEndureDir } from './task-text.js';
import { headCommit } from './workspace-diff.js';
import { VERSION } from './version.js';

export const SYSTEM_PROMPT: string = readFileSync(new URL('../agent/system-prompt.md', import.meta.url), 'utf8').trimEnd();

export interface Runtime {
  session: Session;
  readonly state: ConversationState;
  model: ModelClient;
  tools: McpToolHost;
  sandbox: Sandbox;
  worktree?: Worktree;
  contextWindow?: number;
  resumed: boolean;
  /** The instruction files read into the system prompt at session start (recorded in session_start). */
  instructions: string[];
  /**
   * Folds the conversation again from the journal's records, after something other
   * than the loop appended to it (a rewind from the UI): the next run goes on from it.
   */
  refold(records: Iterable<JournalRecord>): void;
  /** The session_start event, once, for a UI that shows it before the first run (the loop then leaves it out). */
  opening(): AgentEvent | undefined;
  /** The loop's dependencies for one run. */
  loopDeps(signal: AbortSignal, options?: { approver?: Approver; steering?: SteeringInbox; approval?: ApprovalConfig; compactRequest?: CompactRequest }): LoopDeps;
  /** /compact while idle: one compaction step now, journalled like an automatic one. */
  compactNow(signal: AbortSignal): AsyncGenerator<AgentEvent, boolean>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  settings: Settings;
  /** A session id or `last` to resume; absent for a new session. */
  resume?: string;
  /** The task of a new session (recorded in session_start). */
  task: string;
  warn: (message: string) => void;
  /** Lines that are news, not warnings (a restored KV cache). @default warn */
  info?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Told as soon as the session is open (created or resumed), so a later failure can still name it. */
  onSession?: (session: Session) => void;
  /** Stops probing the endpoint (a dead one is retried for a minute); the opening then fails as aborted. */
  signal?: AbortSignal;
}

/**
 * endure's own files that tools never need: every session's journal and blobs (other
 * projects' conversations and outputs) and the user config (an MCP server's env may
 * hold a token). Masked like ~/.ssh, unless the workspace lies inside one.
 */
export function endureFilesHidden(home: string, env: NodeJS.ProcessEnv, workspace: string): string[] {
  return [join(home, 'sessions'), userConfigPath(env)].filter((path) => workspace !== path && !workspace.startsWith(`${path}${sep}`));
}

/** The chosen sandbox, or bwrap when it works and host (with a warning) when it does not. */
async function openSandbox(settings: Settings, workspace: string, extra: { writable?: string[]; readOnly?: string[]; hidden?: string[] }, warn: (m: string) => void, proxy?: string): Promise<Sandbox> {
  const options = { workspace, network: settings.network, ...extra, ...(proxy ? { proxy } : {}) };
  if (proxy !== undefined) {
    // Only bwrap can keep every other route closed; never fall back to an open host.
    if (settings.sandbox !== undefined && settings.sandbox !== 'bwrap')
      throw new ConfigError('invalid_flag', `--network allow=... needs --sandbox bwrap (the host backend cannot close the host's network; the container backend does not implement the proxy)`);
    const sandbox = createSandbox('bwrap', options);
    await sandbox.prepare();
    return sandbox;
  }
  if (settings.sandbox) {
    const sandbox = createSandbox(settings.sandbox, options);
    await sandbox.prepare();
    return sandbox;
  }
  if (process.platform !== 'linux') return createSandbox('host', options);
  const bwrap = createSandbox('bwrap', options);
  try {
    await bwrap.prepare();
    return bwrap;
  } catch (error) {
    if (!(error instanceof SandboxError)) throw error;
    warn(`bubblewrap cannot run here, so tools run unconfined on the host: ${oneLine(error)} (pass --sandbox host to silence this, or fix it: endure doctor)`);
    return createSandbox('host', options);
  }
}

/**
 * What a resume needs of the journal, gathered as it is read (never holding
 * it): the conversation, the endpoint it last talked to, its last slot save.
 */
class ResumeFold {
  readonly conversation = new JournalFold();
  /** The latest `endpoint` record's endpoint (else the session talks to the one it started with). */
  endpoint: EndpointInfo | undefined;
  lastSlotSave: SlotRecord | undefined;

  add(record: JournalRecord): void {
    this.conversation.add(record);
    if (record.kind === 'endpoint') this.endpoint = record.endpoint;
    else if (record.kind === 'slot' && record.action === 'save') this.lastSlotSave = record;
  }
}

type SlotRecord = Extract<JournalRecord, { kind: 'slot' }>;

function endpointChanged(before: EndpointInfo, after: EndpointInfo): boolean {
  return before.baseURL !== after.baseURL || before.server !== after.server || before.model !== after.model;
}

/**
 * Where a run connects. A resume keeps the session's endpoint unless a flag or the
 * environment names another base URL, model or server (cli.md); a new base URL
 * is detected afresh: its server kind and model, not the old server's.
 */
function endpointChoice(settings: Settings, last: EndpointInfo | undefined): { baseURL: string; server: ServerChoice; model?: string } {
  const model = settings.model;
  if (!last) return { baseURL: settings.baseURL, server: settings.server, ...(model ? { model } : {}) };
  if (settings.explicit.baseURL && settings.baseURL !== last.baseURL) return { baseURL: settings.baseURL, server: settings.server, ...(model ? { model } : {}) };
  return { baseURL: last.baseURL, server: settings.server === 'auto' ? last.server : settings.server, model: model ?? last.model };
}

/**
 * llama-server with slot saving: the client that saves the session's KV cache,
 * restoring the last saved one first on resume. Undefined for other servers,
 * when saving is off in the config, or when the server runs without --slot-save-path.
 */
function slotsOf(model: ModelClient, settings: Settings): SlotEndpoint {
  return { baseURL: model.endpoint.baseURL, ...(settings.apiKey ? { apiKey: settings.apiKey } : {}) };
}

/** Asks llama-server whether it saves slots, as soon as the endpoint is known; undefined where keepSlots would not ask. */
function askSlotSaving(model: ModelClient, settings: Settings): Promise<SlotSaving> | undefined {
  if (model.endpoint.server !== 'llama' || !settings.slotSave.enabled) return undefined;
  const asked = slotSaving(slotsOf(model, settings));
  // Until keepSlots awaits it, a failure must not count as unhandled.
  asked.catch(() => undefined);
  return asked;
}

async function keepSlots(model: ModelClient, session: Session, settings: Settings, options: RuntimeOptions, state: ConversationState, asked: Promise<SlotSaving> | undefined, saved: SlotRecord | undefined): Promise<SlotKeepingClient | undefined> {
  if (!asked) return undefined;
  const info = options.info ?? options.warn;
  const keeper = new SlotKeepingClient(model, {
    sessionId: session.id,
    slots: slotsOf(model, settings),
    everyMs: settings.slotSave.everyMs,
    journal: (event) => session.append({ kind: 'slot', ...event }),
    notice: info,
  });
  if ((await keeper.probe(asked)) !== 'on') return undefined;
  if (options.resume) await keeper.restore(saved, state.messages);
  return keeper;
}

export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { settings, warn } = options;
  const env = options.env ?? process.env;
  const home = resolveHome(env);
  const secrets = [...settings.secrets, ...SECRET_ENV_VARS.map((name) => env[name])];
  // One redactor for everything the session writes: journal, blobs, summary and the tool log.
  const redactor = new Redactor(secrets);
  const store = new SessionStore({ home, fsync: settings.fsync, redactor });
  let session: Session | undefined;
  let sandbox: Sandbox | undefined;
  let tools: McpToolHost | undefined;
  let proxy: AllowListProxy | undefined;
  // Tools first (they may still write), then the sandbox and its proxy, then the journal and its lock.
  const closeAll = async () => {
    await tools?.close().catch(() => undefined);
    await sandbox?.dispose().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    session?.close();
  };

  const probing = new AbortController();
  options.signal?.addEventListener('abort', () => probing.abort(), { once: true });
  try {
    let previous: Extract<JournalRecord, { kind: 'session_start' }> | undefined;
    let resumed: { state: ConversationState; lastSlotSave?: SlotRecord } | undefined;
    let lastEndpoint: EndpointInfo | undefined;
    if (options.resume) {
      // The journal is folded as it is read: none of its records stays in memory.
      const fold = new ResumeFold();
      const opened = store.open(options.resume, (record) => fold.add(record));
      session = opened;
      options.onSession?.(session);
      if (session.torn) warn(`the journal's last line was torn (${session.torn.bytes} bytes, an interrupted write) and was cut off; everything before it stands`);
      previous = session.start;
      // A rewind that a kill cut off is completed before the session goes on (src/cli/rewind.ts).
      const completed = existsSync(previous.workspace) ? await completePendingRewind(session) : undefined;
      if (completed) warn(`completed an interrupted rewind to turn ${completed.toTurn}`);
      if (completed?.appended) fold.add(completed.appended);
      resumed = { state: fold.conversation.result(() => opened.history()), ...(fold.lastSlotSave ? { lastSlotSave: fold.lastSlotSave } : {}) };
      lastEndpoint = fold.endpoint ?? previous.endpoint;
    }
    const sessionId = session?.id ?? newSessionId();
    const target = endpointChoice(settings, lastEndpoint);

    // The endpoint probe (HTTP) runs while the sandbox and the tool servers start.
    const modelReady = createModelClient({
      signal: probing.signal,
      baseURL: target.baseURL,
      ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
      ...(settings.apiKeyVariable ? { apiKeyVariable: settings.apiKeyVariable } : {}),
      ...(target.model ? { model: target.model } : {}),
      server: target.server,
      thinking: previous && !settings.explicit.thinking ? previous.thinking : settings.thinking,
      ...(settings.sampling ? { sampling: settings.sampling } : {}),
      ...(settings.extraBody ? { extraBody: settings.extraBody } : {}),
      ...(settings.preserveThinking !== undefined ? { preserveThinking: settings.preserveThinking } : {}),
      retryBudgetMs: settings.retryBudgetMs,
      // Start-up ends with the first response: the built-in tool servers start (the request listed them from the
      // build's manifest) and the heap takes its long-session shape (heap-shape.ts says why not before).
      onResponse: () => {
        tools?.warm();
        shapeHeap();
      },
    });
    // Until it is awaited below, a rejection must not count as unhandled.
    modelReady.catch(() => undefined);

    let workspace = previous?.workspace ?? settings.cwd;
    let worktree: Worktree | undefined;
    let extra: { writable?: string[]; readOnly?: string[] } = {};
    if (settings.worktree || (previous && previous.workspace !== previous.cwd)) {
      // A fork in its parent's worktree reopens that one (sessions/lineage.ts).
      const owner = previous ? worktreeOwner(previous) : sessionId;
      // Loaded only here: simple-git costs start-up for the sessions that have no worktree.
      const { createWorktree, worktreeSandboxPaths } = await import('../../sandboxes/worktree.js');
      worktree = await createWorktree({
        repo: previous?.cwd ?? settings.cwd,
        sessionId: owner,
        path: join(home, 'worktrees', owner),
        ...(previous?.settings.worktreeBase ? { base: String(previous.settings.worktreeBase) } : {}),
      });
      workspace = worktree.path;
      extra = worktreeSandboxPaths(worktree);
    }

    if (settings.networkAllow) {
      const refused = new Set<string>();
      // Loaded only here: its node:http import alone costs start-up (Node's ESM view of it loads fetch's HTTP client).
      const { startAllowListProxy } = await import('../../sandboxes/network-proxy.js');
      proxy = await startAllowListProxy({
        allow: settings.networkAllow,
        // Each refused host once per run, in the journal and on screen.
        onRefused: (host, port) => {
          const key = `${host}:${port}`;
          if (refused.has(key)) return;
          refused.add(key);
          const message = `the network allow-list refused ${key}; to allow it: --network allow=${formatAllowList([...settings.networkAllow!, { host, port }])}`;
          session?.append({ kind: 'error', code: 'network_refused', message });
          warn(message);
        },
      });
    }
    // git runs while the sandbox and the tool servers start (only a new session records it).
    const gitHead = session ? undefined : headCommit(workspace);
    sandbox = await openSandbox(settings, workspace, { ...extra, hidden: endureFilesHidden(home, env, workspace) }, warn, proxy?.socketPath);

    const mcp = await loadMcpConfig({ projectRoot: previous?.cwd ?? settings.cwd, env, configFiles: settings.mcpConfigFiles });
    const trust = createTrustStore(home);
    const projectRoot = previous?.cwd ?? settings.cwd;
    const projectTrusted = !mcp.projectFile || settings.trustProjectMcp || trust.isTrusted(projectRoot, mcp.projectFile.content);
    const servers = mcp.servers.filter((server) => {
      if (server.config.disabled) return false;
      if (server.layer !== 'project' || projectTrusted) return true;
      warn(`MCP server "${server.name}" from ${server.file} is not trusted yet; run "endure mcp trust" or pass --trust-project-mcp to start it`);
      return false;
    });

    const logFile = join(home, 'sessions', sessionId, 'tools.log');
    tools = await createToolHost({
      projectRoot: workspace,
      builtins: defaultBuiltins({ root: workspace, passEnv: settings.passEnv, allowPush: settings.allowPush }),
      servers,
      ...(sandbox.kind === 'host' ? {} : { sandbox }),
      log: (entry) => {
        try {
          appendFileSync(logFile, redactor.redact(`${JSON.stringify(entry)}\n`));
        } catch {
          // the log is best effort; the journal is what must not fail
        }
      },
      onWarning: warn,
      clientInfo: { name: 'endure', version: VERSION },
      deferBuiltins: true,
    });

    const model = await modelReady;
    const slotSavingAsked = askSlotSaving(model, settings);
    const instructionSources = { cwd: previous?.cwd ?? settings.cwd, userDir: userEndureDir(env), home: env.HOME || homedir() };
    if (session && lastEndpoint && endpointChanged(lastEndpoint, model.endpoint)) {
      session.append({ kind: 'endpoint', endpoint: model.endpoint, previous: lastEndpoint });
      const { baseURL, server, model: name } = model.endpoint;
      warn(`this session now talks to ${baseURL} (${server}, ${name}); it used ${lastEndpoint.baseURL} (${lastEndpoint.server}, ${lastEndpoint.model})`);
    }
    if (!session) {
      const instructions = settings.instructions
        ? loadInstructions(instructionSources)
        : { text: '', files: [], warnings: [] };
      for (const warning of instructions.warnings) warn(warning);
      const head = await gitHead;
      session = store.create(
        {
          version: VERSION,
          task: options.task,
          cwd: settings.cwd,
          workspace,
          endpoint: model.endpoint,
          sandbox: sandbox.kind,
          thinking: settings.thinking,
          systemPrompt: withInstructions(SYSTEM_PROMPT, instructions),
          tools: tools.tools().map((tool) => tool.name),
          ...(head ? { gitHead: head } : {}),
          settings: {
            budgets: settings.budgets,
            approval: settings.approval.policy,
            // false: --no-instructions, kept for the whole session (a compaction does not read them either).
            instructions: settings.instructions ? instructions.files : false,
            ...(worktree ? { worktreeBase: worktree.base, worktreeBranch: worktree.branch } : {}),
          },
        },
        sessionId,
      );
      options.onSession?.(session);
    }

    let state = resumed?.state ?? foldRecords([session.start]);
    // "always" lasts the session: every run (one per message in the UI) asks through it.
    const approvalMemory = new ApprovalMemory();
    const openSession = session;
    const keeper = await keepSlots(model, openSession, settings, options, state, slotSavingAsked, resumed?.lastSlotSave);
    const contextWindow = settings.contextWindow ?? model.endpoint.contextWindow ?? (lastEndpoint && !endpointChanged(lastEndpoint, model.endpoint) ? lastEndpoint.contextWindow : undefined);
    const estimator = new TokenEstimator();
    const hostTools = tools;
    const liveSandbox = sandbox;
    // The first run in this process opens with session_start; later runs (one per UI message) do not repeat it.
    let announced = false;
    const checkpoints = new CheckpointStore(openSession.paths.dir, liveSandbox.workspace);
    const instructions = recordedInstructionFiles(openSession.start.settings);
    const sessionStart = (): SessionStartInfo => ({
      resumed: Boolean(options.resume),
      model: model.endpoint.model,
      server: model.endpoint.server,
      baseURL: model.endpoint.baseURL,
      sandbox: liveSandbox.kind,
      workspace: liveSandbox.workspace,
      ...(contextWindow ? { contextWindow } : {}),
      ...(instructions.length > 0 ? { instructions } : {}),
    });
    const client = keeper ?? model;
    // Children (the task tool) live under the session's agents/ and bound their parallel reads by --max-agents.
    const subagents: Subagents = { sessions: childSessions(store, openSession, openSession.start), slots: new Slots(settings.maxAgents), model, runLoop };
    const runtime: Runtime = {
      session: openSession,
      get state() {
        return state;
      },
      refold(records) {
        state = foldRecords(records);
      },
      model: client,
      tools: hostTools,
      sandbox,
      ...(worktree ? { worktree } : {}),
      ...(contextWindow ? { contextWindow } : {}),
      resumed: Boolean(options.resume),
      instructions,
      opening() {
        if (announced) return undefined;
        announced = true;
        return { session: openSession.id, turn: state.turns, seq: state.lastSeq, time: Date.now(), type: 'session_start', ...sessionStart(), task: state.task } as AgentEvent;
      },
      compactNow(signal) {
        return compactOnRequest(runtime.loopDeps(signal));
      },
      loopDeps(signal, extras = {}) {
        const first = !announced;
        announced = true;
        return {
          ...(first ? { sessionStart: sessionStart() } : {}),
          model: client,
          tools: hostTools,
          session: openSession,
          state,
          stop: stopConditionFor(settings.budgets),
          signal,
          approvals: new ApprovalGate(extras.approval ?? settings.approval, extras.approver, approvalMemory),
          applyToolChanges: () => hostTools.applyPendingToolChanges(),
          outputLimit: outputLimitFor(contextWindow),
          checkpoints,
          ...(extras.steering ? { steering: extras.steering } : {}),
          ...(extras.compactRequest ? { compactRequest: extras.compactRequest } : {}),
          ...(settings.instructions && openSession.start.settings.instructions !== false
            ? { systemPrompt: () => withInstructions(SYSTEM_PROMPT, loadInstructions(instructionSources)) }
            : {}),
          ...(contextWindow ? { compaction: { estimator, contextWindow, threshold: settings.compactAt } } : {}),
          subagents,
        };
      },
      async close() {
        await keeper?.save('the session stopped').catch(() => undefined);
        await closeAll();
      },
    };
    return runtime;
  } catch (error) {
    probing.abort();
    await closeAll();
    throw error;
  }
}
