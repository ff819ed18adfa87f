// The JSON editors accept documents with extended-JSON dates and refuse,
// with a message, what the server would refuse or misread.
import { describe, expect, test } from 'vitest';
import { parseJSON } from '../src/pages/database/json';

describe('parseJSON', () => {
  test('a document with dates', () => {
    const r = parseJSON('{"a": 1, "at": {"$date": "2026-12-07T10:00:00Z"}, "list": [{"d": {"$date": 1700000000000}}]}');
    expect(r.ok).toBe(true);
  });
  test.each([
    ['{"a": ', /JSON/],
    ['[1, 2]', /object/],
    ['"x"', /object/],
    ['{"at": {"$date": "yesterday"}}', /at/],
    ['{"x": [{"$date": "2026-13-45T99:00:00Z"}]}', /x\[0\]/],
    ['{"at": {"$date": "2026-12-07T10:00:00Z", "extra": 1}}', /at/],
  ])('%s is refused', (text, want) => {
    const r = parseJSON(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(want);
  });
  test('arrays where a pipeline is wanted', () => {
    expect(parseJSON('[{"$match": {}}]', 'array').ok).toBe(true);
    expect(parseJSON('{}', 'array').ok).toBe(false);
  });
  test('a body over 1 MiB is refused before parsing', () => {
    const r = parseJSON('{"a":"' + 'x'.repeat(1 << 20) + '"}');
    expect(r.ok).toBe(false);
  });
});
