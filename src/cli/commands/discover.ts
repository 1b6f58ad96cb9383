import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BackfillError } from '../../errors.js';
import { discover, type DiscoverResult } from '../../pipeline/discover.js';
import { open, withDb, type GlobalFlags } from '../common.js';
import { print, printJson, table } from '../output.js';

export function discoverText(r: DiscoverResult, written: string | null): string {
  if (r.proposals.length === 0) return `No links found in schema(s) ${r.schemas.join(', ') || '(none)'}.`;
  const rows = r.proposals.map((p) => [
    p.entity,
    `${p.source}.${p.fk} (${p.fkType}) ← ${p.name}`,
    `${p.target}.${p.targetKey} ← ${p.targetName}`,
    p.scope.join(', ') || '-',
    p.active ?? '-',
    p.document ?? '-',
    p.amount ?? '-',
    [
      p.evidence.constraint === null ? null : `FK ${p.evidence.constraint}`,
      p.evidence.naming,
      p.evidence.overlap.ratio === null ? 'no names to sample' : `names ${p.evidence.overlap.found}/${p.evidence.overlap.sampled} found`,
      p.deletedFlags.length > 0 ? `soft delete: ${p.deletedFlags.join(', ')} (not in config)` : null,
    ]
      .filter((x) => x !== null)
      .join('; '),
    p.confidence.toFixed(2),
  ]);
  const out = [
    `Searched schema(s): ${r.schemas.join(', ')}`,
    '',
    table(['Entity', 'Source FK ← name', 'Target key ← name', 'Scope', 'Active', 'Document', 'Amount', 'Evidence', 'Confidence'], rows),
  ];
  if (r.rejected.length > 0) {
    out.push('', 'Not proposed:', table(['Table', 'Column', 'Why'], r.rejected.map((x) => [x.source, x.column, x.reason])));
  }
  out.push('', written === null ? 'Write a config with --write fk-backfill.config.json, then: fk-backfill plan --config …' : `Config written to ${written}: review it, then fk-backfill plan --config ${written}`);
  return out.join('\n');
}

export function register(program: Command): void {
  withDb(program.command('discover').description('read the catalog and propose links (FK column, name columns, target, scope, active flag) with evidence'))
    .option('--schema <name...>', 'only these schemas (default: every non-system schema)')
    .option('--write <file>', 'write the proposals as a config that plan accepts')
    .option('--force', 'overwrite the --write file if it exists')
    .option('--sample <n>', 'source rows sampled per name-overlap check', (v) => Number.parseInt(v, 10), 2000)
    .action(async (flags: GlobalFlags & { schema?: string[]; write?: string; force?: boolean; sample: number }) => {
      const path = flags.write === undefined ? null : resolve(flags.write);
      if (path !== null && existsSync(path) && flags.force !== true) {
        throw new BackfillError('USAGE', `${path} exists: pass --force to overwrite it`);
      }
      if (!Number.isInteger(flags.sample) || flags.sample < 1) throw new BackfillError('USAGE', '--sample must be a positive integer');
      const db = await open(flags);
      let result: DiscoverResult;
      try {
        result = await discover(db, { ...(flags.schema !== undefined ? { schemas: flags.schema } : {}), sample: flags.sample });
      } finally {
        await db.close();
      }
      let written: string | null = null;
      if (path !== null && result.config !== null) {
        writeFileSync(path, JSON.stringify(result.config, null, 2) + '\n');
        written = path;
      }
      if (flags.json) printJson({ ...result, written });
      else print(discoverText(result, written));
    });
}
