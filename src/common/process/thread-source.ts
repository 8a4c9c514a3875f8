import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';

/** How to start a worker thread: what `new Worker` takes. */
export interface ThreadSource {
  filename: string;
  eval: boolean;
  /** Set when the sources are compiled on load; a thread's own data goes beside it. */
  workerData?: Record<string, unknown>;
}

/**
 * Where a worker thread starts, for an entry module beside `caller` (its `__filename`). The built app runs the
 * compiled entry; when the TypeScript sources run directly (the test runner), the thread compiles `modules`
 * (the entry and the project modules it loads, by name without extension) on load with the TypeScript compiler.
 */
export function threadSource(caller: string, entry: string, modules: readonly string[]): ThreadSource {
  const dir = dirname(caller);
  const ext = extname(caller);
  const entryFile = join(dir, `${entry}${ext}`);
  if (ext === '.js') return { filename: entryFile, eval: false };
  const load = createRequire(caller);
  const ts = load('typescript') as typeof import('typescript');
  const sources = Object.fromEntries(
    modules.map((name) => {
      const file = join(dir, `${name}.ts`);
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      return [file, outputText];
    }),
  );
  const boot = `
    const { workerData } = require('node:worker_threads');
    require.extensions['.ts'] = (module, filename) => module._compile(workerData.sources[filename], filename);
    require(workerData.entry);`;
  return { filename: boot, eval: true, workerData: { entry: entryFile, sources } };
}
