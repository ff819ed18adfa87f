//go:build !minibase_fuzz

package functions_test

import (
	"strconv"
	"testing"

	"minibase/functions/openapi/openapitest"
	"minibase/server/servertest"
)

const (
	wxAppID  = "wx0123456789abcdef"
	wxSecret = "s3cr3t-0123456789abcdef0123456789"
)

// weRun is a function as a WeRun mini-program writes one: the caller's
// steps from the encrypted data their page sent, a subscribe message to
// them, and a share code in storage.
const weRun = `const cloud = require('wx-server-sdk')
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV })
exports.main = async (event, context) => {
  const { OPENID } = cloud.getWXContext()
  const { list } = await cloud.getOpenData({ list: [{ encryptedData: event.encryptedData, iv: event.iv }] })
  const steps = list[0].data.stepInfoList.map((d) => d.step)
  const sent = await cloud.openapi.subscribeMessage.send({
    touser: OPENID, templateId: 'T-STEPS', page: 'pages/index/index',
    data: { number1: { value: steps[0] } }, miniprogramState: 'trial'
  })
  const code = await cloud.openapi.wxacode.getUnlimited({ scene: 'u=' + OPENID.slice(0, 20), page: 'pages/index/index' })
  const up = await cloud.uploadFile({ cloudPath: 'codes/' + OPENID + '.png', fileContent: code.buffer })
  return { steps, sent: sent.errMsg, fileID: up.fileID, size: code.buffer.length }
}`

// The settings WeChat login uses serve cloud.openapi too: a user signed in
// with wx.login calls a function that decrypts their data with the
// session key the server kept, sends them a message and stores a share
// code; after a restart, the token in data.db is used again.
func TestOpenAPIThroughTheServer(t *testing.T) {
	f := openapitest.NewFake(t, wxAppID, wxSecret)
	key, iv := "c2Vzc2lvbi1rZXktMTIzNA==", "aW5pdGlhbC12ZWN0b3IxMg=="
	f.Login("code-1", "oWX_alice", key)
	s := servertest.New(t, servertest.Options{Env: map[string]string{
		"MINIBASE_WECHAT_APPID": wxAppID, "MINIBASE_WECHAT_SECRET": wxSecret, "MINIBASE_WECHAT_API_BASE": f.URL,
	}})
	s.Deploy(t, "werun", map[string]string{"index.js": weRun}, "")
	alice := s.Do(t, servertest.Request{Method: "POST", URL: "/v1/auth/wechat", Body: `{"code":"code-1"}`})
	alice.Expect(t, 200, `{"user":{"openid":"oWX_alice","loginType":"WECHAT"}}`)
	token := servertest.Bearer(alice.Str("access_token"))

	data := openapitest.EncryptOpenData(key, iv, []byte(`{"stepInfoList":[{"timestamp":1445866601,"step":8123}],"watermark":{"timestamp":1477314187,"appid":"`+wxAppID+`"}}`))
	invoke := servertest.Request{Method: "POST", URL: "/v1/functions/werun/invoke", As: token,
		Body: `{"data":{"encryptedData":"` + data + `","iv":"` + iv + `"}}`}
	s.Do(t, invoke).Expect(t, 200, `{"result":{"steps":[8123],"sent":"openapi.subscribeMessage.send:ok",
		"fileID":"cloud://minibase.default/codes/oWX_alice.png","size":`+strconv.Itoa(len(openapitest.PNG))+`}}`)
	calls := f.Calls()
	if len(calls) != 2 || calls[0].Path != "/cgi-bin/message/subscribe/send" || calls[1].Path != "/wxa/getwxacodeunlimit" {
		t.Fatalf("WeChat got %+v", calls)
	}
	if string(calls[0].Body) != `{"touser":"oWX_alice","template_id":"T-STEPS","page":"pages/index/index","data":{"number1":{"value":8123}},"miniprogram_state":"trial"}` {
		t.Errorf("subscribeMessage.send's body: %s", calls[0].Body)
	}

	s.Restart(t)
	s.Do(t, invoke).Expect(t, 200, `{"result":{"steps":[8123]}}`)
	if reqs := f.TokenRequests(); len(reqs) != 1 {
		t.Errorf("%d access_token requests across a restart, want 1 (kept in data.db)", len(reqs))
	}
}

// Without MINIBASE_WECHAT_APPID and MINIBASE_WECHAT_SECRET, a function's
// cloud.openapi call fails with wx-server-sdk's -604101, naming them.
func TestOpenAPINotConfiguredOnTheServer(t *testing.T) {
	servertest.Run(t, []servertest.Scenario{{
		Name: "not configured",
		Before: func(tb testing.TB, s *servertest.Server, r *servertest.Request) {
			s.Deploy(tb, "code", map[string]string{"index.js": `const cloud = require('wx-server-sdk')
cloud.init()
exports.main = async () => {
  try { await cloud.openapi.wxacode.getUnlimited({ scene: 'x' }) } catch (e) { return { errCode: e.errCode, errMsg: e.errMsg } }
}`}, "")
		},
		Method: "POST", URL: "/v1/functions/code/invoke", Body: `{}`, As: servertest.Anonymous("bob"),
		Status: 200, Want: `{"result":{"errCode":-604101,"errMsg":"openapi.wxacode.getUnlimited:fail -604101 function has no permission to call this API. ` +
			`WeChat's server APIs need the mini-program's appid and secret: set MINIBASE_WECHAT_APPID and MINIBASE_WECHAT_SECRET on this server, or auth.wechat.appId and auth.wechat.appSecret in the admin console's Settings"}}`,
	}})
}

// The mini-program set from the console's Settings is the one functions
// act for from the next call, without a restart: cloud.openapi fetches a
// token with the new appid and secret (the previous app's token, still in
// memory and in data.db, is never sent), getWXContext().APPID is the new
// appid, and a restart keeps both.
func TestOpenAPIFollowsTheSettings(t *testing.T) {
	const newApp, newSecret = "wxfedcba9876543210", "n3ws3cr3t0123456789abcdef01234ab"
	f := openapitest.NewFake(t, wxAppID, wxSecret)
	s := servertest.New(t, servertest.Options{Env: map[string]string{
		"MINIBASE_WECHAT_APPID": wxAppID, "MINIBASE_WECHAT_SECRET": wxSecret, "MINIBASE_WECHAT_API_BASE": f.URL,
	}})
	s.Deploy(t, "share", map[string]string{"index.js": `const cloud = require('wx-server-sdk')
cloud.init()
exports.main = async () => {
  const code = await cloud.openapi.wxacode.getUnlimited({ scene: 'x' })
  return { appid: cloud.getWXContext().APPID, size: code.buffer.length }
}`}, "")
	invoke := servertest.Request{Method: "POST", URL: "/v1/functions/share/invoke", Body: `{}`, As: servertest.Admin}
	size := strconv.Itoa(len(openapitest.PNG))
	s.Do(t, invoke).Expect(t, 200, `{"result":{"appid":"`+wxAppID+`","size":`+size+`}}`)
	old := f.Current()

	// The mini-program changes: WeChat now knows only the new one.
	f.ChangeApp(newApp, newSecret)
	s.Do(t, servertest.Request{Method: "PATCH", URL: "/v1/admin/settings", As: servertest.Admin,
		Body: `{"auth.wechat.appId":"` + newApp + `","auth.wechat.appSecret":"` + newSecret + `"}`}).Expect(t, 200, "")
	s.Do(t, invoke).Expect(t, 200, `{"result":{"appid":"`+newApp+`","size":`+size+`}}`)
	reqs := f.TokenRequests()
	if len(reqs) != 2 || reqs[1].AppID != newApp || reqs[1].Secret != newSecret {
		t.Fatalf("stable_token requests %+v, want a second one for %s with its secret", reqs, newApp)
	}
	calls := f.Calls()
	if len(calls) != 2 || calls[1].Token == old || calls[1].Token != f.Current() {
		t.Fatalf("WeChat got %d calls (want 2), the last with token %.10q (the old app's: %.10q)", len(calls), calls[len(calls)-1].Token, old)
	}

	// A restart keeps the console's app (and its token, from data.db).
	s.Restart(t)
	s.Do(t, invoke).Expect(t, 200, `{"result":{"appid":"`+newApp+`","size":`+size+`}}`)
	if reqs := f.TokenRequests(); len(reqs) != 2 {
		t.Errorf("%d stable_token requests after the restart, want still 2 (the token is in data.db)", len(reqs))
	}

	// Back to the variables' app: its token is asked for again with its
	// own secret, never the other app's.
	f.ChangeApp(wxAppID, wxSecret)
	s.Do(t, servertest.Request{Method: "PATCH", URL: "/v1/admin/settings", As: servertest.Admin,
		Body: `{"auth.wechat.appId":null,"auth.wechat.appSecret":null}`}).Expect(t, 200, "")
	s.Do(t, invoke).Expect(t, 200, `{"result":{"appid":"`+wxAppID+`","size":`+size+`}}`)
}
