#!/usr/bin/env node
// The gcterm command: runs the TypeScript CLI through tsx so `npx gcterm` works right after
// `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli.ts');
process.exitCode = await main(process.argv);
