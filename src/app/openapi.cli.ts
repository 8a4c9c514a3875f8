import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openApiDocument } from './openapi-document';

/** `node dist/src/console/openapi.cli.js [file]`: writes the OpenAPI document (default `openapi.json`). */
async function main(): Promise<void> {
  const file = resolve(process.argv[2] ?? 'openapi.json');
  writeFileSync(file, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
  process.stdout.write(`OpenAPI document written to ${file}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
