/** If-None-Match semantics (RFC 9110 §13.1.2): weak comparison, `*` matches anything. */
export function etagMatches(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (typeof ifNoneMatch !== 'string' || ifNoneMatch === '') return false;
  const tag = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((candidate) => {
    const given = candidate.trim().replace(/^W\//, '');
    return given === '*' || given === tag;
  });
}
