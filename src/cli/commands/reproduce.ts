import type { Command } from 'commander';
import { reproduceOp } from '../../ops/reproduce.js';

/**
 * `precopy reproduce [--out DIR] [--no-png]`: regenerates every numerical result of the paper's Section 7
 * (Figures 1-4 as SVG/PNG/CSV on the paper's and a fine grid, Table 3 as Markdown/CSV/JSON, the report with
 * every claim checked, the errata) from Table 2's parameters. Writes to a temporary folder, then renames.
 */
export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description("regenerate the paper's figures, Table 3, a report checking every claim, and the errata")
    .option('--out <dir>', 'folder to write (created, or replaced if it holds a previous reproduction)', 'reproduction')
    .option('--no-png', 'skip the PNG files (SVG, CSV and Markdown only)')
    .option('--quiet', 'print nothing on success')
    .action(async (opts: { out: string; png: boolean; quiet?: boolean }) => {
      const r = await reproduceOp({ out: opts.out, png: opts.png });
      if (!opts.quiet) {
        process.stdout.write(`wrote ${r.files.length} files to ${r.outDir} (report: ${r.outDir}/report.md)\n`);
      }
    });
}
