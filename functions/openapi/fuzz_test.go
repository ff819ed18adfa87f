package openapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzRewriteJSON: WeChat's answers are rewritten without a panic, and
// what comes out is the same JSON with only its big integers made strings.
func FuzzRewriteJSON(f *testing.F) {
	for _, s := range []string{`{"errcode":0,"errmsg":"ok","msgid":3099183212345679873}`, `{"a":[1,-9007199254740993,2.5e3,"x\u0000",null,true,{"b":{}}]}`,
		`{"n":9007199254740992,"m":9007199254740993,"neg":-12345678901234567890}`, `{}`, `[]`, `{"a":1}{}`, `{"a":"\ud800"}`, "{\"\xff\":1}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := rewriteJSON(in)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("rewriteJSON(%q) = %q, not JSON", in, out)
		}
		want, err := decodeNumbers(in)
		if err != nil {
			t.Fatalf("rewriteJSON accepted %q, which does not decode: %v", in, err)
		}
		got, err := decodeNumbers(out)
		if err != nil || !reflect.DeepEqual(bigToString(want), got) {
			t.Fatalf("rewriteJSON(%q) = %q: %v, want %v", in, out, got, bigToString(want))
		}
	})
}

func decodeNumbers(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func bigToString(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = bigToString(e)
		}
	case []any:
		for i, e := range x {
			x[i] = bigToString(e)
		}
	case json.Number:
		if bigInt(string(x)) {
			return string(x)
		}
	}
	return v
}

// FuzzPrepare: any parameters either make a request whose JSON body holds
// what they held (renamed, the URL's apart), or are refused; never a panic.
func FuzzPrepare(f *testing.F) {
	for _, s := range []string{`{"touser":"o","data":{"thing1":{"value":"x"}}}`, `{"kid_list":[1],"kid_list":[2]}`, `{"kid_list":[1],"kidList":[2]}`, `{"type":"photo","img_url":"u"}`, `[]`, ``, `{"a":}`, `{"a":1} x`} {
		f.Add([]byte(s), uint8(0))
	}
	names := []string{"subscribeMessage.send", "subscribeMessage.addTemplate", "ocr.idcard", "subscribeMessage.getTemplateList"}
	f.Fuzz(func(t *testing.T, params []byte, which uint8) {
		a := apis[names[int(which)%len(names)]]
		p, err := prepare(a, Request{Params: params})
		if err != nil {
			return
		}
		if len(bytes.TrimSpace(params)) > 0 {
			var in map[string]any
			if err := json.Unmarshal(params, &in); err != nil {
				t.Fatalf("prepare accepted %q, which is not an object: %v", params, err)
			}
		}
		if p.contentType == "application/json" {
			var body map[string]any
			if err := json.Unmarshal(p.body, &body); err != nil {
				t.Fatalf("prepare(%q) made the body %q: %v", params, p.body, err)
			}
			if n := topLevelNames(p.body); n != len(body) {
				t.Fatalf("prepare(%q) made the body %q, which repeats a name", params, p.body)
			}
			want := map[string]any{}
			members, _ := objectMembers(params)
			for _, m := range members {
				var v any
				json.Unmarshal(m.value, &v)
				want[a.name(m.name)] = v
			}
			for k, v := range want {
				if _, inURL := queryIndex(p.query, k); !inURL && !reflect.DeepEqual(body[k], v) {
					t.Fatalf("prepare(%q): %s = %v, want %v", params, k, body[k], v)
				}
			}
		}
	})
}

func queryIndex(q [][2]string, name string) (int, bool) {
	for i, kv := range q {
		if kv[0] == name {
			return i, true
		}
	}
	return 0, false
}

// topLevelNames counts the names of the JSON object in b, repeats
// included.
func topLevelNames(b []byte) int {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.Token()
	n := 0
	for dec.More() {
		dec.Token()
		var v json.RawMessage
		dec.Decode(&v)
		n++
	}
	return n
}

// FuzzDecryptOpenData: whatever a client sends as encryptedData and iv,
// decryption fails cleanly or yields JSON with this app's watermark.
func FuzzDecryptOpenData(f *testing.F) {
	key := "c2Vzc2lvbi1rZXktMTIzNA=="
	f.Add("AAAAAAAAAAAAAAAAAAAAAA==", "aW5pdGlhbC12ZWN0b3IxMg==")
	f.Add("", "")
	f.Add("====", "aW5pdGlhbC12ZWN0b3IxMg==")
	f.Fuzz(func(t *testing.T, data, iv string) {
		out, err := DecryptOpenData(key, data, iv, "wxapp")
		if err != nil {
			return
		}
		var v struct{ Watermark struct{ AppID string } }
		if json.Unmarshal(out, &v) != nil || v.Watermark.AppID != "wxapp" {
			t.Fatalf("DecryptOpenData(%q, %q) = %q", data, iv, out)
		}
	})
}
