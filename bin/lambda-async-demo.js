#!/usr/bin/env node
// The executable: run the built CLI with this process's arguments and exit with the code it returns.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
