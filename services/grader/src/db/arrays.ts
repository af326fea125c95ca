/**
 * A Postgres array literal ('{"a","b"}') for a parameter cast in SQL (`${pgArray(ids)}::uuid[]`).
 * Arrays go as text because the pool runs without fetch_types (see connect.ts), so
 * postgres.js cannot serialise JS arrays itself.
 */
export function pgArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/(["\\])/g, '\\$1')}"`)).join(',')}}`;
}
