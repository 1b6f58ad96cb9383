/** What a plan's list of rows not linked adds up to, checked before it is printed. */
import { BackfillError } from '../errors.js';
import type { EntityResult } from './plan.js';

export interface UnlinkedTally {
  /** Lines of the list (a named row each, or the rows without a name of one scope, outcome and reason). */
  lines: number;
  /** Rows the lines stand for. */
  listed: number;
  /** Rows not linked beyond the first --max-records lines (0 unless the list was cut). */
  beyond: number;
  /**
   * Rows counted as not linked but not listed, or (negative) listed but not counted, in a list that was not
   * cut: the counts and the list are read by different statements, and rows written in between (added,
   * renamed, linked by someone else) move one and not the other. 0 on a table nobody wrote meanwhile.
   */
  moved: number;
}

/**
 * The rows the list stands for against the rows the plan counts as not linked (recordsUnmatched: review,
 * ambiguous and unmatched): listed + beyond + moved = recordsUnmatched, each line at least one row, a
 * named row one (anything else is a counting bug: refused rather than printed). Before: every row without
 * a name was its own line, and nothing said how many rows the list stood for. `moved` is printed when it
 * is not 0, never dropped: a plan raced by writers is not refused, its numbers still add up on the page.
 */
export function unlinkedTally(r: EntityResult): UnlinkedTally {
  let listed = 0;
  for (const u of r.unmatchedRecords) {
    const named = u.documentNumber !== null;
    if (!Number.isInteger(u.rows) || u.rows < 1 || (named && u.rows !== 1)) {
      throw new BackfillError(
        'INTERNAL',
        `plan ${r.entityType}: a line of the rows not linked stands for ${u.rows} row(s) (document ${u.documentNumber ?? '-'})`,
      );
    }
    listed += u.rows;
  }
  // a cut list stands for fewer rows than counted (the lines it left out are rows too): what remains is beyond it
  const rest = r.recordsUnmatched - listed;
  const beyond = r.unmatchedRecordsTruncated ? Math.max(0, rest) : 0;
  return { lines: r.unmatchedRecords.length, listed, beyond, moved: rest - beyond };
}
