import { describe, expect, it } from 'vitest';
import { commaSeparated, escapeRegExp, startsWithPattern } from '../../domain/text.js';

const NASTY = ['.*', '.*(', 'a+b?', '^$', '[a-z]', '(x|y)', '{2,}', 'back\\slash', 'St. Moritz'];

describe('text a traveler searches with', () => {
  it('escapes every regular-expression syntax character', () => {
    expect(escapeRegExp('.*(')).toBe('\\.\\*\\(');
    expect(escapeRegExp('a+b?[c]{1}|^$\\')).toBe('a\\+b\\?\\[c\\]\\{1\\}\\|\\^\\$\\\\');
    expect(escapeRegExp('Lisbon-Belém 2')).toBe('Lisbon-Belém 2');
  });

  it('compiles, with or without the unicode flag, to a pattern matching only itself', () => {
    for (const text of NASTY) {
      for (const flags of ['', 'u', 'i']) {
        const pattern = new RegExp(`^${escapeRegExp(text)}$`, flags);
        expect(pattern.test(text)).toBe(true);
        expect(pattern.test(`${text}x`)).toBe(false);
      }
    }
    expect(new RegExp(escapeRegExp('.*')).test('Lisbon')).toBe(false);
  });

  it('makes an anchored prefix pattern: the start of a name, never the middle', () => {
    const lis = new RegExp(startsWithPattern('lis'));
    expect(lis.test('lisbon')).toBe(true);
    expect(lis.test('minneapolis')).toBe(false);
    const dotted = new RegExp(startsWithPattern('st. m'));
    expect(dotted.test('st. moritz')).toBe(true);
    expect(dotted.test('stxm')).toBe(false);
  });

  it('splits a comma-separated list into trimmed, distinct, non-empty entries', () => {
    expect(commaSeparated(' wifi, pool ,,wifi ,kitchen')).toEqual(['wifi', 'pool', 'kitchen']);
    expect(commaSeparated(' , ,')).toEqual([]);
    expect(commaSeparated('hot tub')).toEqual(['hot tub']);
  });
});
