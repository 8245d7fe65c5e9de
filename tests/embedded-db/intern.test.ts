/**
 * internArrayStrings (engine/intern.ts) rewrites a document the engine is about to keep: nested
 * arrays become exact-length copies with the same content, and nothing else changes, including
 * an own property named __proto__, which assignment would turn into a prototype change.
 */
import { BSON, type Document } from 'bson';
import { internArrayStrings } from '../../src/embedded-db/engine/intern';

describe('internArrayStrings', () => {
  test('keeps every value and every array element, at any depth', () => {
    const doc: Document = {
      _id: 1,
      terms: ['a', 'b', 'a', 'c', 'd'],
      short: ['x'],
      nested: { list: [1, 'two', ['three', 'four', 'five', 'six'], { deep: ['p', 'q', 'r', 's', 't'] }] },
      long: ['y'.repeat(100), 'z', 'z', 'z'],
      text: 'not in an array',
    };
    const expected = BSON.deserialize(BSON.serialize(doc));
    const list = doc.nested.list as unknown[];
    internArrayStrings(doc);
    expect(doc).toEqual(expected);
    // The container objects stay the same objects; only arrays are replaced.
    expect(doc.nested.list).not.toBe(list);
    expect(Array.isArray(doc.terms)).toBe(true);
  });

  test('an own __proto__ property holding an array stays an own property, prototype untouched', () => {
    const doc = BSON.deserialize(BSON.serialize({ _id: 2, x: ['a', 'b', 'c', 'd', 'e'] }));
    Object.defineProperty(doc, '__proto__', { value: ['p', 'q', 'r', 's'], enumerable: true, writable: true, configurable: true });
    internArrayStrings(doc);
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value).toEqual(['p', 'q', 'r', 's']);
    expect(doc.x).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
