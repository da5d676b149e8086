/**
 * Makes the UI load React's production build. React picks its build from NODE_ENV
 * when first loaded; the development build costs about five times more per frame
 * and records timing entries as it goes, which a session of hours cannot afford.
 * Import this before anything that loads React, then call `restoreNodeEnv()` so
 * that tool processes started later inherit the environment as the user set it.
 */
// Through a variable: the bundle fixes `process.env.NODE_ENV` at build time (scripts/bundle.mjs), not this.
const env = process.env;
const before = env['NODE_ENV'];
if (before === undefined) env['NODE_ENV'] = 'production';

export function restoreNodeEnv(): void {
  if (before === undefined) delete env['NODE_ENV'];
}
