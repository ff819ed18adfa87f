package functions

import (
	"testing"
)

// @cloudbase/node-sdk, as CloudBase's templates use it, answered by the
// runtime: dialect C's payloads and result shapes (spec §2.2; the shapes
// of @cloudbase/node-sdk@3.18.3 and @cloudbase/database@1.4.3), on the same
// in-process admin database, storage and functions as wx-server-sdk.
func TestNodeSDK(t *testing.T) {
	rt, _ := newTestRuntime(t, Options{Files: newStorage(t, "https://cdn.example.com"), AppID: "wx0123456789abcdef"})
	runCases(t, rt, []fcase{
		{name: "CRUD and commands", fn: "tcbapp", event: `{"step":"crud"}`, want: `{
			"added": {"idLength": 32, "requestId": "string", "keys": ["id", "requestId"]},
			"many": {"ids": 2, "keys": ["ids", "requestId"]},
			"inc": {"updated": 1},
			"one": {"length": 1, "stock": 5, "isDate": true, "keys": ["data", "requestId"]},
			"missing": [],
			"inStock": [["Dream of the Red Chamber", 5, "_id,stock,title"], ["Journey to the West", 1, "_id,stock,title"]],
			"count": 2,
			"restocked": 1,
			"set": {"updated": 0, "upsertedId": "fixed-id"},
			"reset": {"updated": 1, "upsertedId": "none"},
			"one2": 1, "removed": 3, "gone": 0}`},
		{name: "aggregate", fn: "tcbapp", event: `{"step":"aggregate"}`, want: `{
			"keys": ["data", "requestId"],
			"byCity": [{"_id": "Guangzhou", "total": 22}, {"_id": "Shanghai", "total": 16}],
			"raw": [{"big": 2}],
			"failed": {"code": "DATABASE_INVALID_OPERRATOR", "isError": true}}`},
		{name: "errors: a string code, thrown or resolved", fn: "tcbapp", event: `{"step":"errors"}`, want: `{
			"thrown": {"code": "DATABASE_COLLECTION_NOT_EXIST", "message": "collection \"nope\" does not exist", "isError": true, "requestId": "string"},
			"setWithCommand": {"code": "DATABASE_REQUEST_FAILED", "message": "update operator complicit"},
			"badAdd": {"code": "INVALID_PARAM", "message": "参数必需是非空对象"},
			"badWhere": "查询参数必须为对象",
			"resolved": {"code": "DATABASE_COLLECTION_NOT_EXIST", "message": "collection \"nope\" does not exist", "requestId": "string"}}`},
		{name: "storage", fn: "tcbapp", event: `{"step":"files"}`, want: `{
			"up": {"fileID": "cloud://minibase.default/tcb/hello.txt", "requestId": "string"},
			"down": {"text": "hello tcb", "message": "文件下载完成"},
			"urls": [{"code": "SUCCESS", "fileID": "cloud://minibase.default/tcb/hello.txt", "url": true, "maxAge": 86400},
				{"code": "STORAGE_FILE_NONEXIST", "fileID": "cloud://minibase.default/none.txt", "url": false}],
			"urlsRequestId": "string",
			"del": [{"code": "SUCCESS", "fileID": "cloud://minibase.default/tcb/hello.txt"}],
			"bad": {"code": "INVALID_PARAM", "message": "fileList 的元素如果是对象，必须是包含 fileID 和 maxAge 的对象"}}`},
		{name: "callFunction", fn: "tcbapp", event: `{"step":"call"}`, want: `{
			"result": {"sum": 5, "OPENID": "openid-1", "SOURCE": "wx_client,scf"}, "keys": ["requestId", "result"], "requestId": "string",
			"failed": {"code": "FUNCTION_NOT_FOUND", "isError": true}}`},
		{name: "auth: the invocation's caller", fn: "tcbapp", event: `{"step":"auth"}`, want: `{
			"user": {"openId": "openid-1", "appId": "wx0123456789abcdef", "uid": "u1", "customUserId": "", "isAnonymous": false},
			"ip": "203.0.113.9",
			"end": {"userInfo": {"openId": "openid-1", "uid": "u1"}}}`},
		{name: "auth: an admin is nobody", fn: "tcbapp", event: `{"step":"auth"}`, ctx: adminCtx, want: `{
			"user": {"openId": "", "appId": "wx0123456789abcdef", "uid": "", "isAnonymous": false}}`},
		{name: "tcb-admin-node: failures resolve", fn: "tcbadmin", event: `{}`, want: `{
			"id": "string", "n": 1, "failed": {"code": "DATABASE_COLLECTION_NOT_EXIST", "hasMessage": true}, "sum": 2, "env": "minibase"}`},
	})
}
