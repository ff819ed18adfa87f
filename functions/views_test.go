package functions

import (
	"testing"
)

// arrayLikes hands the bindings that take bytes (or format values)
// objects that only claim a size: each must be refused, or written within
// its limit, without allocating what they claim. goja's ExportTo and
// Export allocated it: 8 GiB for {length: 2**33}, which ended the process.
const arrayLikes = `
const huge = { length: 2 ** 33 };
const sparse = [];
sparse.length = 2 ** 32 - 1;
const attempt = async (f) => {
  try {
    await f();
    return 'no error';
  } catch (e) {
    return e.name + ': ' + (e.message || e.errMsg);
  }
};
const modes = {
  decode: () => new TextDecoder().decode(huge),
  fakeView: () => new TextDecoder().decode(Object.create(Uint8Array.prototype, { length: { value: 2 ** 33 } })),
  getRandomValues: () => crypto.getRandomValues(huge),
  upload: () => {
    const cloud = require('wx-server-sdk');
    cloud.init();
    return cloud.uploadFile({ cloudPath: 'a.bin', fileContent: Object.create(ArrayBuffer.prototype, { length: { value: 2 ** 33 } }) });
  },
  fetchBody: () => fetch(process.env.URL, { method: 'POST', body: Object.assign(Object.create(ArrayBuffer.prototype), { length: 2 ** 33 }) }),
  log: () => console.log(sparse),
  view: () => new TextDecoder().decode(new DataView(new TextEncoder().encode('héllo').buffer, 1, 5)),
};
exports.main = async (event) => attempt(modes[event.mode]);
`

func TestArrayLikesAreNotViews(t *testing.T) {
	src := &memSource{}
	src.put(t, "arraylike", arrayLikes)
	rt, _ := newRuntimeOver(t, src, Options{})
	runCases(t, rt, []fcase{
		{name: "TextDecoder.decode", fn: "arraylike", event: `{"mode":"decode"}`, want: `"TypeError: The \"input\" argument must be an instance of ArrayBuffer or ArrayBufferView"`},
		{name: "an object posing as a typed array", fn: "arraylike", event: `{"mode":"fakeView"}`, want: `"TypeError: The \"input\" argument must be an instance of ArrayBuffer or ArrayBufferView"`},
		{name: "crypto.getRandomValues", fn: "arraylike", event: `{"mode":"getRandomValues"}`, want: `"TypeError: getRandomValues takes an integer TypedArray, such as a Uint8Array"`},
		{name: "uploadFile", fn: "arraylike", event: `{"mode":"upload"}`, want: `"CloudError: uploadFile:fail -503001 storage request fail. object storage is not configured on this server"`},
		{name: "a fetch body", fn: "arraylike", event: `{"mode":"fetchBody"}`, want: `"TypeError: fetch: body must be a string, ArrayBuffer, TypedArray, Buffer or URLSearchParams"`},
		{name: "console.log of a sparse array", fn: "arraylike", event: `{"mode":"log"}`, want: `"no error"`},
		{name: "a DataView is a view", fn: "arraylike", event: `{"mode":"view"}`, want: `"no error"`},
	})
}
