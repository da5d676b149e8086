// Bundles what `endure` runs into dist/bundle/: the command tree (program.js) and
// each command, tool server and UI as a chunk loaded when first needed. Node then
// reads a few files instead of resolving and loading about a thousand modules
// (start-up measured in test/bench/startup.ts). tsc's tree in dist/ stays whole:
// tests import it, the tool servers run standalone from it, and main.js falls back
// to it when there is no bundle. New modules need no entry here: whatever the
// command tree imports, statically or lazily, is bundled.
import { readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundled code still finds the files beside its source module (tool
 * descriptions, prompts, package.json, the standalone tool servers):
 * `import.meta.url` in each of endure's modules keeps meaning its file in dist/.
 * (Dependencies move when npm hoists them: one that reads files beside itself
 * stays external instead.)
 */
function originalImportMetaUrl(dist, outdir) {
  return {
    name: 'original-import-meta-url',
    setup(builder) {
      builder.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(`${dist}/`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const path = JSON.stringify(relative(outdir, args.path));
        return { contents: text.replaceAll('import.meta.url', `new URL(${path}, import.meta.url).href`), loader: 'js' };
      });
    },
  };
}

/**
 * Ink and the packages it draws with measure text through src/ui/string-width.ts,
 * string-width with a fast path for the characters frames are made of (that
 * module says why; its test holds it to string-width's answers).
 */
function fastStringWidth(dist) {
  const shim = join(dist, 'src', 'ui', 'string-width.js');
  return {
    name: 'fast-string-width',
    setup(builder) {
      builder.onResolve({ filter: /^string-width$/ }, (args) => (args.importer === shim ? undefined : { path: shim }));
    },
  };
}

export async function bundle(root) {
  const dist = join(root, 'dist');
  const outdir = join(dist, 'bundle');
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { program: join(root, 'dist', 'src', 'cli', 'program.js') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    chunkNames: 'chunk-[hash]',
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    // React and its reconciler pick their build from NODE_ENV at run time (src/ui/react-production.ts sets it):
    // fixed here, the development builds (about 0.9 MB) are left out of the UI's chunk.
    define: { 'process.env.NODE_ENV': '"production"' },
    // CommonJS dependencies call require(): give each chunk one.
    banner: { js: "import { createRequire as __endureCreateRequire } from 'node:module'; const require = __endureCreateRequire(import.meta.url);" },
    // react-devtools-core: ink imports it only when DEV=true, it is not a dependency.
    // web-tree-sitter loads its .wasm from beside its own module.
    external: ['react-devtools-core', 'web-tree-sitter'],
    plugins: [originalImportMetaUrl(dist, outdir), fastStringWidth(dist)],
  });
}
