import { runId } from '../args.js';
import { outFile } from '../files.js';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BackfillError } from '../../errors.js';
import { REPORT_FORMATS, type ReportFormat } from '../../report/report.js';
import { report } from '../../render/report.js';
import { open, withDb, type GlobalFlags } from '../common.js';
import { print, printJson } from '../output.js';
import { addRevenue } from './revenue.js';

export function register(program: Command): void {
  const cmd = withDb(
    program
      .command('report')
      .description(
        'report of a plan or apply run (--run ID): html (standalone file), json, csv, or text tables; `report revenue`: revenue via FK vs name join',
      ),
  );
  addRevenue(cmd);
  cmd
    .option('--run <id>', 'plan or apply run id', runId('--run'))
    .option('--format <format>', `one of ${REPORT_FORMATS.join(', ')}`, 'text')
    .option('--out <file>', 'write to this file (default: stdout)', outFile('--out'))
    .action(async (flags: GlobalFlags & { run?: string; format: string; out?: string }) => {
      if (flags.run === undefined) throw new BackfillError('USAGE', 'report needs --run ID (or use `report revenue`)');
      if (!REPORT_FORMATS.includes(flags.format as ReportFormat))
        throw new BackfillError('USAGE', `--format must be one of ${REPORT_FORMATS.join(', ')}`);
      const db = await open(flags);
      let r;
      try {
        r = await report(db, { runId: flags.run, format: flags.format as ReportFormat });
      } finally {
        await db.close();
      }
      if (flags.out !== undefined) {
        writeFileSync(flags.out, r.content);
        if (flags.json) printJson({ out: flags.out, format: r.format, runId: r.report.runId });
        else print(`Wrote ${r.format} report of run ${r.report.runId} to ${flags.out}`);
      } else if (flags.json) {
        printJson(r.format === 'json' ? r.report : { format: r.format, content: r.content });
      } else {
        process.stdout.write(r.content);
      }
    });
}
