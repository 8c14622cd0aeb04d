import { etagMatches } from './etag-match';

describe('etagMatches', () => {
  it('matches If-None-Match lists, weak tags and *', () => {
    const tag = '"abc"';
    expect(etagMatches(tag, tag)).toBe(true);
    expect(etagMatches(`"other", W/${tag}`, tag)).toBe(true);
    expect(etagMatches('"other"', `W/${tag}`)).toBe(false);
    expect(etagMatches(tag, `W/${tag}`)).toBe(true);
    expect(etagMatches('*', tag)).toBe(true);
    expect(etagMatches('"other"', tag)).toBe(false);
    expect(etagMatches(undefined, tag)).toBe(false);
    expect(etagMatches(['"abc"'], tag)).toBe(false);
  });
});
