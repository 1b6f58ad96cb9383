import type { Database, Queryable } from '../../src/db/port.js';
import { statementOf } from '../../src/db/port.js';

/** `db`, calling `seen` with the text of every statement its transactions send (the database itself is untouched). */
export function watched(db: Database, seen: (text: string) => void): Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction')
        return <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> =>
          target.transaction((tx) =>
            fn({
              query: ((...args: Parameters<Queryable['query']>) => {
                seen(statementOf(...args).text);
                return tx.query(...args);
              }) as Queryable['query'],
            }),
          );
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
