import { describe, expect, it } from 'vitest';
import { pgArray } from '../src/db/arrays.js';

describe('pgArray', () => {
  it('quotes text and escapes quotes and backslashes, leaves numbers bare', () => {
    expect(pgArray(['a', 'b c', 'say "hi"', 'back\\slash', '{x,y}'])).toBe('{"a","b c","say \\"hi\\"","back\\\\slash","{x,y}"}');
    expect(pgArray([1, 22])).toBe('{1,22}');
    expect(pgArray([])).toBe('{}');
  });
});
