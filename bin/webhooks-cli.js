#!/usr/bin/env node
// The only place that decides the process's exit code; everything below returns or throws.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
