/**
 * What the user's triggers do on apply's UPDATE beyond the FK: a BEFORE trigger that sets another column of the row
 * (`NEW.version := OLD.version + 1`), a trigger that writes another table (an audit log). Apply's UPDATE fires them,
 * undo's UPDATE fires them again, and undo sets back only the FK and `updated_at`: said before apply (plan) and after
 * undo, by name (trial15: a version bump and an audit trigger, 55,416 rows each; plan and undo said nothing).
 */
import type { ResolvedLink } from './catalog.js';

/** One notice for a link whose UPDATE triggers write beyond the FK, or null. `when`: the command that says it. */
export function triggerEffectsNotice(l: ResolvedLink, when: 'plan' | 'undo'): string | null {
  const effects = l.updateTriggers
    .filter((g) => g.assigns.length > 0 || g.writes_tables)
    .map((g) => {
      const what = [...(g.assigns.length > 0 ? [`sets ${g.assigns.join(', ')}`] : []), ...(g.writes_tables ? ['writes to a table'] : [])];
      return `${g.name} (${what.join('; ')})`;
    });
  if (effects.length === 0) return null;
  const head = `${l.entity}: trigger(s) ${effects.join(', ')} of ${l.config.table}`;
  return when === 'plan'
    ? `${head} fire on every row apply links and again on every row undo sets back: undo restores the FK${l.touch === null ? '' : ` and ${l.touch.column}`}, not what they write`
    : `${head} fired on every row this undo set back, as on every row the apply linked: what they wrote stays (undo restores the FK${l.touch === null ? '' : ` and ${l.touch.column}`} only)`;
}
