import { describe, expect, it } from 'vitest';
import { driftText } from '../../../src/cli/commands/drift.js';
import type { DriftReport, LinkDrift } from '../../../src/guard/drift.js';

const none = { rows: 0, groups: 0, samples: [] };
const link = (match: LinkDrift['match']): LinkDrift => ({
  entityType: 'order',
  table: 'orders',
  match,
  renamed: none,
  inactive: none,
  missing: none,
  otherScope: none,
  duplicated: none,
  decisions: none,
  newNames: { names: 1, rows: 2, samples: [{ scopeKey: ['t1'], sourceName: 'acme trading gmbh', rows: 2 }] },
});
const report = (match: LinkDrift['match']): DriftReport => ({ tenantId: null, links: [link(match)], found: true });

describe('drift text: new names', () => {
  // a new user's trial: a fuzzy link's drift called 'acme trading gmbh' unmatched, which the next plan linked
  it('an exact link: nothing would link them', () => {
    expect(driftText(report('exact'))).toContain(
      'order: new unmatched names (no plan saw them; no one active master has that name: none, an inactive one, or several)',
    );
  });
  it('a normalised or fuzzy link: no master of exactly that name, and plan may still link them', () => {
    for (const m of ['normalized', 'fuzzy'] as const) {
      const t = driftText(report(m));
      expect(t).toContain(
        `order: new names no plan saw, no one active master of exactly that name (run plan: the ${m} match may link them)`,
      );
      expect(t).not.toContain('unmatched');
    }
  });
  it('decisions whose master is gone: listed with the master deleted or inactive, and what to do', () => {
    const r = report('fuzzy');
    r.links[0]!.decisions = {
      rows: 2,
      groups: 2,
      samples: [
        { scopeKey: ['t1'], sourceName: 'Iron Bridge Inc.', targetKey: '305', masterName: null, rows: 2 },
        { scopeKey: ['t1'], sourceName: 'Kestrel Limited', targetKey: '7', masterName: 'Kestrel Ltd', rows: 0 },
      ],
    };
    const t = driftText(r);
    expect(t).toContain('order: decisions whose master was deleted (merged?) or is inactive: no plan or guard links these names now');
    expect(t).toContain('t1    | Iron Bridge Inc. | 305            | (deleted)              |            2');
    expect(t).toContain('t1    | Kestrel Limited  | 7              | Kestrel Ltd (inactive) |            0');
  });
});
