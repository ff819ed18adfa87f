package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// WeChat is the WeChat mini-program Provider (wx.login → jscode2session).
type WeChat struct{ c client }

var _ Provider = (*WeChat)(nil)

// NewWeChat returns the WeChat provider; BaseURL defaults to https://api.weixin.qq.com.
func NewWeChat(cfg Config) *WeChat {
	return &WeChat{newClient("wechat", "https://api.weixin.qq.com", cfg)}
}

// Name returns "wechat".
func (w *WeChat) Name() string { return w.c.name }

// WeChat's error codes that mean the code itself is bad: invalid, already used.
var wechatBadCode = map[int]bool{40029: true, 40163: true}

// Exchange calls GET {BaseURL}/sns/jscode2session and returns the user's session.
func (w *WeChat) Exchange(ctx context.Context, code string) (Session, error) {
	if err := w.c.ready(code); err != nil {
		return Session{}, err
	}
	q := url.Values{
		"appid":      {w.c.cfg.AppID},
		"secret":     {w.c.cfg.Secret},
		"js_code":    {code},
		"grant_type": {"authorization_code"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.c.cfg.BaseURL+"/sns/jscode2session?"+q.Encode(), nil)
	if err != nil {
		return Session{}, fmt.Errorf("wechat code2session: bad BaseURL")
	}
	var ans struct {
		OpenID     string `json:"openid"`
		SessionKey string `json:"session_key"`
		UnionID    string `json:"unionid"`
		ErrCode    int    `json:"errcode"`
		ErrMsg     string `json:"errmsg"`
	}
	if err := w.c.do(req, &ans); err != nil {
		return Session{}, err
	}
	switch {
	case wechatBadCode[ans.ErrCode]:
		return Session{}, fmt.Errorf("%w (wechat error %d)", ErrInvalidCode, ans.ErrCode)
	case ans.ErrCode != 0:
		return Session{}, fmt.Errorf("exchange login code: %w", w.c.upstream(ans.ErrCode, ans.ErrMsg))
	case ans.OpenID == "":
		return Session{}, fmt.Errorf("exchange login code: %w", w.c.upstream(0, "answer has no openid"))
	}
	return Session{OpenID: ans.OpenID, UnionID: ans.UnionID, SessionKey: ans.SessionKey}, nil
}

// Douyin is the Douyin (ByteDance) mini-program Provider (tt.login → jscode2session v2).
type Douyin struct{ c client }

var _ Provider = (*Douyin)(nil)

// NewDouyin returns the Douyin provider; BaseURL defaults to https://developer.toutiao.com.
func NewDouyin(cfg Config) *Douyin {
	return &Douyin{newClient("douyin", "https://developer.toutiao.com", cfg)}
}

// Name returns "douyin".
func (d *Douyin) Name() string { return d.c.name }

// Douyin's error codes that mean the code itself is bad: code, anonymous code.
var douyinBadCode = map[int]bool{40018: true, 40019: true}

// Exchange calls POST {BaseURL}/api/apps/v2/jscode2session and returns the
// user's session. Anonymous logins (anonymous_code only) are not supported:
// they give no stable openid.
func (d *Douyin) Exchange(ctx context.Context, code string) (Session, error) {
	if err := d.c.ready(code); err != nil {
		return Session{}, err
	}
	body, err := json.Marshal(map[string]string{
		"appid": d.c.cfg.AppID, "secret": d.c.cfg.Secret, "code": code, "anonymous_code": "",
	})
	if err != nil {
		return Session{}, fmt.Errorf("douyin code2session: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.c.cfg.BaseURL+"/api/apps/v2/jscode2session", bytes.NewReader(body))
	if err != nil {
		return Session{}, fmt.Errorf("douyin code2session: bad BaseURL")
	}
	req.Header.Set("Content-Type", "application/json")
	var ans struct {
		ErrNo   *int   `json:"err_no"`
		ErrTips string `json:"err_tips"`
		Data    struct {
			OpenID     string `json:"openid"`
			SessionKey string `json:"session_key"`
			UnionID    string `json:"unionid"`
		} `json:"data"`
	}
	if err := d.c.do(req, &ans); err != nil {
		return Session{}, err
	}
	switch {
	case ans.ErrNo == nil:
		return Session{}, fmt.Errorf("exchange login code: %w", d.c.upstream(0, "answer has no err_no"))
	case douyinBadCode[*ans.ErrNo]:
		return Session{}, fmt.Errorf("%w (douyin error %d)", ErrInvalidCode, *ans.ErrNo)
	case *ans.ErrNo != 0:
		return Session{}, fmt.Errorf("exchange login code: %w", d.c.upstream(*ans.ErrNo, ans.ErrTips))
	case ans.Data.OpenID == "":
		return Session{}, fmt.Errorf("exchange login code: %w", d.c.upstream(0, "answer has no openid"))
	}
	return Session{OpenID: ans.Data.OpenID, UnionID: ans.Data.UnionID, SessionKey: ans.Data.SessionKey}, nil
}
