import assert from 'node:assert/strict';

// failure resolves with what p rejected with; it fails the test when p resolves.
export async function failure(p) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected a rejection');
}
