// Lets worker threads started by tests load the TypeScript sources (vitest transforms only its own process).
// Used as `execArgv: ['--import', <this file>]`; transpiles with the project's typescript, no type check.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
