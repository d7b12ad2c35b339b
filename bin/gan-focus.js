#!/usr/bin/env node
// Runs the CLI from a build when there is one, else from the TypeScript sources
// through tsx, so `npx gan-focus` works right after `npm ci`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../out/cli/cli.js', import.meta.url));
let cli;
if (existsSync(built)) {
  cli = await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/main/cli.ts');
}
await cli.runCli(process.argv.slice(2));
