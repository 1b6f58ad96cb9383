import { existsSync, writeFileSync } from 'node:fs';
import { wholeNumber } from '../args.js';
import { outFile } from '../files.js';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BackfillError } from '../../errors.js';
import { discover } from '../../discover/discover.js';
import type { ActiveProposal, DiscoverResult, Proposal, Weak } from '../../discover/types.js';
import { open, withDb, type GlobalFlags } from '../common.js';
import { print, printJson, table } from '../output.js';

/** `deleted_at IS NULL`, `archived = false`, `is_active`, `status not in closed, deleted`: how a proposed active predicate reads. */
export function activeText(a: ActiveProposal | null): string {
  if (a === null) return '-';
  if (Array.isArray(a)) return a.map((x) => activeText(x)).join(' and ');
  if (typeof a === 'string') return a;
  const w = a.activeWhen;
  if (typeof w === 'object') return 'in' in w ? `${a.column} in ${w.in.join(', ')}` : `${a.column} not in ${w.notIn.join(', ')}`;
  if (w === 'null') return `${a.column} IS NULL`;
  if (w === 'notNull') return `${a.column} IS NOT NULL`;
  if (w === 'notPast') return `${a.column} not past`;
  if (w === 'notFuture') return `${a.column} not future`;
  return `${a.column} = ${String(w)}`;
}

function evidenceText(p: Proposal | Weak): string {
  return [
    p.evidence.constraint === null ? null : `FK ${p.evidence.constraint}`,
    p.evidence.naming,
    p.evidence.overlap.ratio === null ? 'no names to sample' : `names ${p.evidence.overlap.found}/${p.evidence.overlap.sampled} found`,
    p.evidence.keys.sampled === 0 ? null : `keys set ${p.evidence.keys.found}/${p.evidence.keys.sampled} found`,
  ]
    .filter((x) => x !== null)
    .join('; ');
}

export function discoverText(r: DiscoverResult, written: string | null): string {
  const out = [`Searched schema(s): ${r.schemas.join(', ') || '(none)'}`, ''];
  if (r.proposals.length === 0) out.push('No confident links found.');
  else {
    const rows = r.proposals.map((p) => [
      p.entity,
      `${p.source}.${p.fk} (${p.fkType}) ← ${p.name}${p.sourceActive === undefined ? '' : `, rows where ${activeText(p.sourceActive)}`}`,
      `${p.target}.${p.targetKey} ← ${p.targetName}`,
      p.scope.join(', ') || '-',
      activeText(p.active),
      p.document ?? '-',
      p.amount ?? '-',
      evidenceText(p),
      p.confidence.toFixed(2),
    ]);
    out.push(
      written === null ? 'Links (proposed; --write puts them in a config):' : 'Links (written to the config):',
      table(
        ['Entity', 'Source FK ← name', 'Target key ← name', 'Scope', 'Active when', 'Document', 'Amount', 'Evidence', 'Confidence'],
        rows,
      ),
    );
    const details: string[] = [];
    for (const p of r.proposals) {
      for (const v of p.scopeEvidence) details.push(`  ${p.entity}: ${v.column} ${v.scope ? 'is scope' : 'is not scope'}: ${v.reason}`);
      for (const e of p.activeEvidence) details.push(`  ${p.entity}: active: ${e}`);
      for (const e of p.sourceActiveEvidence ?? []) details.push(`  ${p.entity}: documents active: ${e}`);
      if (p.matchEvidence !== undefined) details.push(`  ${p.entity}: match: ${p.matchEvidence}`);
    }
    if (details.length > 0) out.push('', 'Scope and active predicate:', ...details);
  }
  if (r.weak.length > 0) {
    out.push(
      '',
      'Weak (listed, not written):',
      table(
        ['Source FK ← name', 'Target key ← name', 'Why not confident', 'Would confirm it', 'Confidence'],
        r.weak.map((w) => [
          `${w.source}.${w.fk} ← ${w.name}`,
          `${w.target}.${w.targetKey} ← ${w.targetName}`,
          w.why.join('; '),
          w.confirm.join('; '),
          w.confidence.toFixed(2),
        ]),
      ),
    );
  }
  if (r.rejected.length > 0) {
    out.push(
      '',
      'Looked at and rejected:',
      table(
        ['Table', 'Column', 'Why'],
        r.rejected.map((x) => [x.source, x.column, x.reason]),
      ),
    );
  }
  for (const n of r.notices ?? []) out.push(`Notice: ${n}`);
  if (r.proposals.length > 0) {
    out.push(
      '',
      written === null
        ? 'Write a config with --write fk-backfill.config.json, then: fk-backfill plan --config …'
        : `Config written to ${written}: review it, then fk-backfill plan --config ${written}`,
    );
  }
  return out.join('\n');
}

export function register(program: Command): void {
  withDb(
    program
      .command('discover')
      .description(
        'read the catalog and propose links (FK column, name columns, target, scope, active predicate) with evidence; list weak and rejected columns with the reason',
      ),
  )
    .option('--schema <name...>', 'only these schemas (default: every non-system schema)')
    .option('--write <file>', 'write the proposals as a config that plan accepts', outFile('--write'))
    .option('--force', 'overwrite the --write file if it exists')
    .option('--sample <n>', 'source rows sampled per name-overlap check', wholeNumber('--sample', 1), 2000)
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
      else {
        print(discoverText(result, written));
        // --write with nothing confident to write: say so, rather than leave the user looking for the file
        if (path !== null && written === null) print(`\nNothing written to ${path}: no confident link to put in a config.`);
      }
    });
}
