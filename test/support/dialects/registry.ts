/** Every dialect of the scripted server, by name. */
import { dashscope } from './dashscope.js';
import { llama } from './llama.js';
import { ollama } from './ollama.js';
import { openrouter } from './openrouter.js';
import { sglang } from './sglang.js';
import type { Dialect, DialectName } from './types.js';
import { vllm } from './vllm.js';

export const DIALECTS: Record<DialectName, Dialect> = { llama, vllm, sglang, ollama, dashscope, openrouter };
export const DIALECT_NAMES = Object.keys(DIALECTS) as DialectName[];
