#!/usr/bin/env node
// The main job on built-in defaults (`npm start`): the paper's Table 2 parameters through predict and optimize.
import { run } from '../dist/cli/main.js';

const steps = [
  ['predict', '--preset', 'paper'],
  ['optimize', '--preset', 'paper'],
];
for (const argv of steps) {
  process.stdout.write(`\n$ precopy ${argv.join(' ')}\n`);
  const code = await run(argv);
  if (code !== 0) process.exit(code);
}
