import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Prints the plain closing line 'N passed, N failed, N skipped' after vitest's own summary, and before it each
 * unhandled error's message and first stack lines: they fail the run while every test passed, and only the end of a
 * CI log may be kept.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === 'passed') passed++;
        else if (s === 'failed') failed++;
        else skipped++;
      }
    }
    for (const e of errors) {
      const stack = (e.stack ?? '').split('\n').slice(0, 8).join('\n');
      process.stdout.write(`\nunhandled error: ${e.name ?? 'Error'}: ${e.message}\n${stack}\n`);
    }
    const unhandled = errors.length > 0 ? `, ${errors.length} unhandled error${errors.length === 1 ? '' : 's'}` : '';
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped${unhandled}\n`);
  }
}
