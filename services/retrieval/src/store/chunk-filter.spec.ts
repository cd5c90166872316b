import { canonicalFilter, toLanceWhere } from './chunk-filter';

describe('chunk filter', () => {
  it('always restricts to public documents or those the principals may read', () => {
    expect(toLanceWhere({})).toBe('is_public');
    expect(toLanceWhere({ principals: ['user:o\'neil', 'group:hr'] })).toBe("(is_public OR array_has_any(access, ['user:o''neil', 'group:hr']))");
  });

  it('leaves the access clause out only when the collection has no restricted document', () => {
    expect(toLanceWhere({}, false)).toBeUndefined();
    expect(toLanceWhere({ principals: ['u1'] }, false)).toBeUndefined();
    expect(toLanceWhere({ tagsAny: ['t'] }, false)).toBe("array_has_any(tags, ['t'])");
    expect(toLanceWhere({ tagsAny: ['t'] }, true)).toBe("is_public AND array_has_any(tags, ['t'])");
  });

  it('quotes every value, so filter text is data', () => {
    const where = toLanceWhere({ sources: ["a' OR 1=1 --"], tagsAll: ['x'], sectionPrefix: 'A > B', pageFrom: 2.7, updatedAfter: new Date(5) });
    expect(where).toBe(
      "is_public AND source IN ('a'' OR 1=1 --') AND array_has_all(tags, ['x']) AND starts_with(section, 'A > B') AND page >= 2 AND updated_at >= arrow_cast(5, 'Timestamp(Millisecond, None)')",
    );
  });

  it('gives equal filters one cache key whatever the order of fields and list items', () => {
    expect(canonicalFilter({ tagsAny: ['b', 'a'], sources: [] , title: 'T' })).toBe(canonicalFilter({ title: 'T', tagsAny: ['a', 'b', 'a'] }));
    expect(canonicalFilter({ principals: ['u1'] })).not.toBe(canonicalFilter({ principals: ['u2'] }));
  });
});
