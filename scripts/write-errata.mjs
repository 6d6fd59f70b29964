// Regenerates docs/errata.md from the model (run `npm run build` first). test/report/errata.test.ts checks it.
import { writeFileSync } from 'node:fs';
import { errataMarkdown } from '../dist/report/markdown.js';

writeFileSync(new URL('../docs/errata.md', import.meta.url), errataMarkdown());
