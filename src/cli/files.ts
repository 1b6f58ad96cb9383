/** Files the CLI will write, checked when their flag is read (before the database is opened). */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BackfillError } from '../errors.js';

/**
 * A file the command will write (--out, --write): one it cannot write is refused when the flag is read, before the
 * database is opened. Before, review export and masters propose planned (a run in fk_backfill) and only then failed
 * on a missing directory, exit 1.
 */
export function outFile(flag: string): (v: string) => string {
  return (v) => {
    const bad = (why: string): BackfillError => new BackfillError('FILE_UNUSABLE', `${flag} ${v}: ${why}`);
    if (v.trim() === '') throw new BackfillError('USAGE', `${flag} needs a file name`);
    const path = resolve(v);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory() === true) throw bad('is a directory; give a file name');
    const dir = dirname(path);
    if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true) throw bad(`directory ${dir} does not exist`);
    try {
      accessSync(st === undefined ? dir : path, constants.W_OK);
    } catch {
      throw bad(st === undefined ? `directory ${dir} is not writable` : 'the file is not writable');
    }
    return v;
  };
}
