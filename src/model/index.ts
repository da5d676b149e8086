/** The model client's public surface: what src/agent and src/cli import. */
export { createModelClient, type ModelClientOptions } from './client.js';
export { detectServer, detectServerFromURL, reportedContextWindow, firstModel, type EndpointProbe } from './detect.js';
export { renderMessages, type RenderOptions, type WireMessage } from './render.js';
export { modelFamily, recommendedSampling, recommendedMaxOutput, type ModelFamily, type SamplingSettings } from './sampling.js';
export { serverPreset, type ServerPreset } from './presets.js';
export { toModelError, detectOverflow } from './errors.js';
export type * from './types.js';
