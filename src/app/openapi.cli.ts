import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { contractValuesModule } from './contract-values';
import { openApiDocument } from './openapi-document';

/**
 * `node dist/src/app/openapi.cli.js [file] [values]`: writes the OpenAPI document (default `openapi.json`) and,
 * when `values` is given, the console's module of the contract's values read from it ({@link contractValuesModule}).
 */
async function main(): Promise<void> {
  const file = resolve(process.argv[2] ?? 'openapi.json');
  const document = await openApiDocument();
  // Read from the document first: a value missing from it stops here, with neither file written.
  const values = process.argv[3] === undefined ? undefined : contractValuesModule(document);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`OpenAPI document written to ${file}\n`);
  if (values !== undefined) {
    const target = resolve(process.argv[3]);
    writeFileSync(target, values);
    process.stdout.write(`Its values for the console written to ${target}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
