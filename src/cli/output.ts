/** Plain-text tables and JSON output for the CLI. */

export { type Cell, table } from '../render/table.js';

export function printJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}

export function print(text: string): void {
  process.stdout.write(text + '\n');
}
