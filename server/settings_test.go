package server

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// FuzzSettingsPatch: whatever the body, the parser answers without
// panicking; what it accepts holds only known settings with values of
// their kind that pass their checks again, and reads back the same from
// its own JSON (the form it is saved in).
func FuzzSettingsPatch(f *testing.F) {
	for _, seed := range []string{
		`{"auth.anonymous":false}`,
		`{"auth":{"wechat":{"appId":"wx0123456789abcdef","appSecret":"secret0123456789"}}}`,
		`{"auth.accessTokenMinutes":5,"admin":{"sessionMinutes":30,"allowIPs":["10.0.0.0/8","::ffff:192.0.2.1"]}}`,
		`{"app.publicURL":"https://api.example.com","auth.smtp.from":"App <a@example.com>"}`,
		`{"auth.wechat.appSecret":{"set":true},"auth.anonymous":null}`,
		`{"auth.anonymous":false,"auth":{"anonymous":true}}`,
		`{"auth.accessTokenMinutes":1e3}`, `[]`, `null`, `{"a":`, `{"admin.allowIPs":["fe80::1%eth0"]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := parseSettingsPatch(body)
		if err != nil {
			if !strings.Contains(err.Error(), "nothing changed") {
				t.Fatalf("error %q does not say nothing changed", err)
			}
			return
		}
		for k, v := range got {
			def := settingByKey(k)
			if def == nil {
				t.Fatalf("accepted unknown key %q", k)
			}
			if v == nil {
				continue
			}
			switch x := v.(type) {
			case bool:
				if def.kind != kindBool {
					t.Fatalf("%s: a bool for kind %d", k, def.kind)
				}
			case int64:
				if def.kind != kindInt || x < def.lo || x > def.hi {
					t.Fatalf("%s: %d out of its range", k, x)
				}
			case string:
				if def.kind != kindString && def.kind != kindSecret || def.checkString(x) != nil {
					t.Fatalf("%s: %q does not pass its check", k, x)
				}
			case []string:
				if def.kind != kindList || len(x) > maxAllowIPs {
					t.Fatalf("%s: a list for kind %d", k, def.kind)
				}
				for _, e := range x {
					if _, err := parseIPOrCIDR(e); err != nil {
						t.Fatalf("%s: entry %q: %v", k, e, err)
					}
				}
			default:
				t.Fatalf("%s: a %T", k, v)
			}
		}
		saved, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		again, err := parseSettingsPatch(saved)
		if err != nil {
			t.Fatalf("its own JSON %s is refused: %v", saved, err)
		}
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("read back %v, was %v", again, got)
		}
	})
}

// TestParseSettingsPatch: dotted and nested keys read alike; the same key
// given both ways is refused.
func TestParseSettingsPatch(t *testing.T) {
	got, err := parseSettingsPatch([]byte(`{"auth":{"otp":{"sms":false}},"admin.allowIPs":["10.1.2.3/8","::ffff:10.0.0.1"],"auth.wechat.appSecret":{"set":true}}`))
	want := map[string]any{"auth.otp.sms": false, "admin.allowIPs": []string{"10.0.0.0/8", "10.0.0.1"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v; want %v", got, err, want)
	}
	if _, err := parseSettingsPatch([]byte(`{"auth.anonymous":false,"auth":{"anonymous":true}}`)); err == nil ||
		!strings.Contains(err.Error(), "auth.anonymous is given twice") {
		t.Errorf("a key given twice: %v", err)
	}
}
