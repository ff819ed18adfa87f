package server

import (
	"net/url"
	"strings"
	"testing"
)

// A function writes a file with wx-server-sdk; end users get it through
// the storage API by its fileID, and by the temporary URL the function
// made.
func TestFunctionsUseStorage(t *testing.T) {
	m, _ := newAuthMain(t, nil)
	m.deploy(t, "report", `const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
exports.main = async (event) => {
  const { OPENID } = cloud.getWXContext();
  const up = await cloud.uploadFile({ cloudPath: 'reports/' + OPENID + '.csv', fileContent: Buffer.from('id,total\n1,' + event.total + '\n') });
  const { fileList } = await cloud.getTempFileURL({ fileList: [up.fileID] });
  const back = await cloud.downloadFile({ fileID: up.fileID });
  return { fileID: up.fileID, errMsg: up.errMsg, url: fileList[0].tempFileURL, size: back.fileContent.length };
};`, "")
	user := m.signIn(t, "/v1/auth/anonymous", "", "").str("access_token")
	openid := m.do(t, "GET", "/v1/auth/me", user, "").str("user.openid")

	a := m.do(t, "POST", "/v1/functions/report/invoke", user, `{"data":{"total":42}}`)
	fileID := "cloud://minibase.default/reports/" + openid + ".csv"
	expect(t, "the function uploads", a, 200, `{"result":{"fileID":"`+fileID+`","errMsg":"uploadFile:ok","size":14}}`)

	const content = "id,total\n1,42\n"
	dl := m.send(t, "GET", "/v1/storage/download?fileID="+url.QueryEscape(fileID), user, nil)
	if dl.status != 200 || dl.body != content {
		t.Fatalf("download by fileID: %d %q, want 200 %q", dl.status, dl.body, content)
	}
	u, err := url.Parse(a.str("result.url"))
	if err != nil || u.Host != "example.com" || !strings.HasPrefix(u.Path, "/f/default/reports/") {
		t.Fatalf("tempFileURL %q, want this server's /f/ URL (the invoking request's host)", a.str("result.url"))
	}
	if got := m.send(t, "GET", u.RequestURI(), "", nil); got.status != 200 || got.body != content {
		t.Fatalf("GET the temporary URL: %d %q", got.status, got.body)
	}
}
