import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { wholeNumber } from '../args.js';
import { outFile } from '../files.js';
import type { Command } from 'commander';
import { BackfillError } from '../../errors.js';
import { BANDS, type Band } from '../../review/types.js';
import { decidedLinesOf, exportQueueCsv, importDecisionsCsv } from '../../review/csv.js';
import { startReviewServer } from '../../review/server.js';
import { who, withDatabase, withDb, withScope, type GlobalFlags } from '../common.js';
import { print, printJson } from '../output.js';

function bands(v: string, prev: Band[] = []): Band[] {
  if (!BANDS.includes(v as Band)) throw new BackfillError('USAGE', `--band must be one of ${BANDS.join(', ')}`);
  return [...prev, v as Band];
}

export function register(program: Command): void {
  const review = withScope(
    withDb(
      program
        .command('review')
        .description(
          'serve the review page on 127.0.0.1 (prints a URL with a one-time token; opens nothing); `review export|import` for CSV',
        ),
    ),
  )
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', wholeNumber('--port', 0, 65535), 0)
    .action(async (flags: GlobalFlags & { port: number }) => {
      await withDatabase(flags, async (db, opts) => {
        const s = await startReviewServer(db, { ...opts, port: flags.port, by: who() });
        if (flags.json) printJson({ url: s.url, port: s.port });
        else print(`Review page (127.0.0.1 only; the token is the key, do not share it):\n  ${s.url}\nCtrl-C stops the server.`);
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            void s.close().then(resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      });
    });

  withScope(
    withDb(
      review.command('export').description('write the review queue as CSV (fill the decision / target_key columns, then `review import`)'),
    ),
  )
    .option('--out <file>', 'CSV file to write (default: stdout)', outFile('--out'))
    .option('--band <band>', 'only this band (repeatable): review, ambiguous, unmatched', bands)
    .option('--fresh', 'plan again first (default: the latest plan of these links, said in a notice when runs changed them since)')
    .option('--force', 'overwrite an --out file that holds decisions')
    .action(async (_flags: unknown, cmd: Command) => {
      // `review` itself takes --db/--config/--tenant too: read them from either level.
      const flags = cmd.optsWithGlobals<GlobalFlags & { out?: string; band?: Band[]; fresh?: boolean; force?: boolean }>();
      // a reviewer's filled file is never overwritten unasked (a new user's trial: an export over it left 0 decisions)
      if (flags.out !== undefined && flags.force !== true && existsSync(flags.out)) {
        const n = decidedLinesOf(readFileSync(flags.out));
        if (n > 0)
          throw new BackfillError(
            'USAGE',
            `${flags.out} holds ${n} decision(s): import them first (fk-backfill review import ${flags.out}), write elsewhere, or --force to overwrite it`,
          );
      }
      const r = await withDatabase(flags, (db, opts) =>
        exportQueueCsv(db, {
          ...opts,
          executedBy: who(),
          ...(flags.fresh === true ? { fresh: true } : {}),
          ...(flags.band !== undefined ? { filter: { bands: flags.band } } : {}),
        }),
      );
      if (!flags.json) for (const n of r.notices) process.stderr.write(`Notice: ${n}\n`);
      if (flags.out !== undefined) writeFileSync(flags.out, r.csv);
      // --json without --out: the queue itself (every candidate with its score, signals and whether it is active), and
      // the CSV text as before; with --out the file holds it and the JSON says where
      if (flags.json)
        printJson({
          out: flags.out ?? null,
          names: r.names,
          planRunId: r.planRunId,
          ...(r.notices.length > 0 ? { notices: r.notices } : {}),
          ...(flags.out === undefined ? { items: r.items, csv: r.csv } : {}),
        });
      else if (flags.out !== undefined)
        print(
          `Wrote ${r.names} name(s) from plan ${r.planRunId} to ${flags.out}. Fill "decision" (accept | alias | never | create) and "target_key" (for alias), then: fk-backfill review import ${flags.out}`,
        );
      else process.stdout.write(r.csv);
    });

  withScope(
    withDb(
      review
        .command('import')
        .description('record the decisions of an edited export (validated; all or nothing; the same file twice writes nothing)'),
    ),
  )
    .argument('<file>', 'the edited CSV')
    .action(async (file: string, _flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalFlags>();
      let text: Uint8Array;
      try {
        text = readFileSync(file); // decoded by the import: a spreadsheet may have saved it as UTF-16 or Windows-1252
      } catch (e) {
        throw new BackfillError('USAGE', `cannot read ${file}: ${(e as Error).message}`);
      }
      const r = await withDatabase(flags, (db, opts) => importDecisionsCsv(db, text, { ...opts, by: who() }));
      if (flags.json) printJson(r);
      else if (r.decided === 0)
        print(
          `Nothing to import from ${file}: no line has a decision (${r.blank} line(s) left blank). Fill "decision" (accept | alias | never | create) and "target_key" (for alias), then import it again.`,
        );
      else
        print(
          `Imported ${file}: ${r.decided} decision(s), ${r.written} written, ${r.unchanged} already in force, ${r.blank} line(s) left blank. The next plan uses them.${
            r.creates === undefined
              ? ''
              : ` ${r.creates} of them "create": no plan makes a master; fk-backfill masters propose --out F lists them (approved), then fk-backfill masters create --from F --yes creates them and links their names.`
          }`,
        );
    });
}
