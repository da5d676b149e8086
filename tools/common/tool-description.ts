/**
 * Tool descriptions for the model live in a sibling `.md` file next to the
 * tool's module (style rule 14); the build copies `.md` files into dist/ at the
 * same paths, so the URL works from both the sources and the compiled JS:
 *
 *   description: loadToolDescription(new URL('./read-file.md', import.meta.url)),
 *
 * The text is trimmed and runs of whitespace (line wraps) are folded to single
 * spaces, so the .md file can be wrapped for humans without costing prompt bytes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Reads a tool description; throws at server start-up (not at call time) when the file is missing. */
export function loadToolDescription(file: URL): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`tool description ${fileURLToPath(file)} is missing; run npm run build (it copies .md files into dist/)`, {
      cause: error,
    });
  }
  return text.trim().replace(/\s+/g, ' ');
}
