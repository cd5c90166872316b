/** Query-time restrictions on chunk metadata; every set field narrows the result (AND). */
export interface ChunkFilter {
  readonly sources?: readonly string[];
  readonly sourcePrefix?: string;
  readonly tagsAny?: readonly string[];
  readonly tagsAll?: readonly string[];
  readonly sectionPrefix?: string;
  readonly pageFrom?: number;
  readonly pageTo?: number;
  readonly updatedAfter?: Date;
  readonly updatedBefore?: Date;
  readonly title?: string;
  /**
   * The caller's user id and groups. A chunk whose document has an access list is visible only
   * when one of them is on it; documents without one are visible to the whole tenant.
   */
  readonly principals?: readonly string[];
}

/**
 * The filter as a LanceDB (DataFusion SQL) predicate, undefined when nothing restricts; every
 * value is a quoted literal, never raw text. `accessRestricted: false` says the collection holds
 * no document with an access list: the access clause would then keep every row, and leaving it
 * out spares the vector search its pre-filter pass (~3 ms at 100k rows).
 */
export function toLanceWhere(filter: ChunkFilter, accessRestricted = true): string | undefined {
  const clauses: string[] = [];
  const principals = filter.principals ?? [];
  if (accessRestricted) clauses.push(principals.length > 0 ? `(is_public OR array_has_any(access, ${sqlList(principals)}))` : 'is_public');
  if (filter.sources?.length) clauses.push(`source IN (${filter.sources.map(sqlString).join(', ')})`);
  if (filter.sourcePrefix) clauses.push(`starts_with(source, ${sqlString(filter.sourcePrefix)})`);
  if (filter.tagsAny?.length) clauses.push(`array_has_any(tags, ${sqlList(filter.tagsAny)})`);
  if (filter.tagsAll?.length) clauses.push(`array_has_all(tags, ${sqlList(filter.tagsAll)})`);
  if (filter.sectionPrefix) clauses.push(`starts_with(section, ${sqlString(filter.sectionPrefix)})`);
  if (filter.pageFrom !== undefined) clauses.push(`page >= ${Math.floor(filter.pageFrom)}`);
  if (filter.pageTo !== undefined) clauses.push(`page <= ${Math.floor(filter.pageTo)}`);
  if (filter.updatedAfter) clauses.push(`updated_at >= ${timestamp(filter.updatedAfter)}`);
  if (filter.updatedBefore) clauses.push(`updated_at <= ${timestamp(filter.updatedBefore)}`);
  if (filter.title) clauses.push(`title = ${sqlString(filter.title)}`);
  return clauses.length > 0 ? clauses.join(' AND ') : undefined;
}

/** Canonical JSON of a filter (sorted lists, no empty fields): part of the retrieval cache key. */
export function canonicalFilter(filter: ChunkFilter): string {
  const entries = Object.entries(filter)
    .filter(([, value]) => value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => [key, Array.isArray(value) ? [...new Set(value as string[])].sort() : value instanceof Date ? value.getTime() : value]);
  return JSON.stringify(entries.sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)));
}

/** LanceDB filters are SQL text with no bound parameters; a quoted literal doubles its quotes. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
}

function timestamp(date: Date): string {
  return `arrow_cast(${Math.floor(date.getTime())}, 'Timestamp(Millisecond, None)')`;
}
