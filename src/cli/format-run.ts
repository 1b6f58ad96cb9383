import { stringify } from 'yaml';
import type { RunRecord } from '../store/runs.js';

/**
 * `fk-backfill runs ID` as a person reads it: the run's facts on top, then its options, checkpoint and summary as an
 * indented listing (YAML: keys once, no braces or quotes; the whole record, config included, is `--json`).
 */
export function runText(r: RunRecord): string {
  const facts: [string, string | null][] = [
    ['Run', r.id],
    ['Kind', r.kind + (r.dryRun && r.kind !== 'plan' ? ' (dry run)' : '')],
    ['Status', statusText(r)],
    ['Tenant', r.scope === null ? null : (r.scope.tenant ?? 'all')],
    ['Entities', r.entities.join(', ')],
    ['By', r.executedBy],
    ['Started', r.startedAt],
    ['Finished', r.finishedAt],
    ['Plan', r.planRunId],
    ['Undoes', r.targetRunId],
    ['Config hash', r.configHash],
    ['Error', r.error],
  ];
  const width = Math.max(...facts.map(([k]) => k.length));
  const lines = facts.filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${(k + ':').padEnd(width + 1)} ${v}`);
  const section = (title: string, doc: unknown): void => {
    if (doc === null || doc === undefined) return;
    if (typeof doc === 'object' && Object.keys(doc).length === 0) return;
    lines.push('', `${title}:`, indent(stringify(doc, { lineWidth: 0 }).trimEnd()));
  };
  section('Options', r.options);
  section('Checkpoint', r.checkpoint);
  section('Summary', r.summary);
  return lines.join('\n');
}

/** A run's status, and for a 'running' one that no process works on, that it is not (killed, Ctrl-C twice). */
export function statusText(r: Pick<RunRecord, 'status' | 'alive' | 'kind' | 'id' | 'options' | 'undoneBy'>): string {
  // an apply stopped, failed or done and then undone: what it wrote is set back, which its own status does not say
  if (r.undoneBy !== undefined) return `${r.status}, undone by run ${r.undoneBy}`;
  if (r.status !== 'running' || r.alive !== false) return r.status;
  const gone = 'running, but no process works on it (killed, or its connection lost)';
  if (r.kind === 'plan') return `${gone}: it did not finish and cannot be applied; plan again`;
  if (r.kind === 'constrain') return `${gone}: the steps it finished stay (each is checked again); constrain again`;
  if (r.kind === 'masters') return `${gone}: its one transaction was rolled back, no master was created; masters create again`;
  const undo = r.kind === 'undo';
  // one transaction: rolled back with its process, nothing to continue
  if (r.options['mode'] === 'single-transaction')
    return `${gone}: its one transaction was rolled back, nothing was written; ${undo ? 'undo' : 'apply'} again`;
  return `running, but no process works on it (killed, or Ctrl-C twice): ${undo ? `fk-backfill undo --resume ${r.id} --yes` : `fk-backfill apply --resume ${r.id} --yes`} continues it${undo ? '' : `, undo --run ${r.id} sets back what it wrote`}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');
}
