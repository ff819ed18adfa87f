package openapi

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// MaxOpenData bounds the base64 encryptedData DecryptOpenData takes (a
// month of WeRun steps is about 4 KB).
const MaxOpenData = 256 << 10

var (
	// ErrOpenData means encrypted open data could not be read: malformed,
	// or not made with this session key for this mini-program.
	ErrOpenData = errors.New("cannot decrypt the open data")
	// ErrStaleSessionKey means the data was not encrypted with the session
	// key given: most often the user called wx.login again (which makes a
	// new key) after signing in.
	ErrStaleSessionKey = errors.New("the open data was not encrypted with the user's session key on this server: " +
		"it changes at every wx.login, so sign the user in again with the newest code before getting the data")
)

// DecryptOpenData decrypts what WeChat encrypted for one user of the
// mini-program appID (wx.getWeRunData, wx.getShareInfo, the encryptedData
// beside a cloudID): AES-128-CBC, PKCS#7 padding, the key the user's
// session_key, all three base64. It returns the data's JSON object once
// its watermark names appID. Errors wrap ErrOpenData or are
// ErrStaleSessionKey.
func DecryptOpenData(sessionKey, encryptedData, iv, appID string) ([]byte, error) {
	if len(encryptedData) > MaxOpenData {
		return nil, fmt.Errorf("%w: encryptedData is more than %d bytes", ErrOpenData, MaxOpenData)
	}
	key, err := base64.StdEncoding.DecodeString(sessionKey)
	if err != nil || len(key) != 16 {
		return nil, fmt.Errorf("%w: the session key is not 16 bytes of base64", ErrOpenData)
	}
	ivb, err := base64.StdEncoding.DecodeString(iv)
	if err != nil || len(ivb) != aes.BlockSize {
		return nil, fmt.Errorf("%w: iv must be 16 bytes of base64", ErrOpenData)
	}
	data, err := base64.StdEncoding.DecodeString(encryptedData)
	if err != nil || len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: encryptedData must be base64 of whole 16-byte blocks", ErrOpenData)
	}
	block, _ := aes.NewCipher(key) // 16 bytes: always a key
	cipher.NewCBCDecrypter(block, ivb).CryptBlocks(data, data)
	plain, ok := unpad(data)
	if !ok {
		return nil, ErrStaleSessionKey
	}
	var mark struct {
		Watermark *struct {
			AppID string `json:"appid"`
		} `json:"watermark"`
	}
	if err := json.Unmarshal(plain, &mark); err != nil {
		return nil, ErrStaleSessionKey // a wrong key whose last byte happened to look like padding
	}
	switch {
	case mark.Watermark == nil:
		return nil, fmt.Errorf("%w: it has no watermark", ErrOpenData)
	case mark.Watermark.AppID != appID:
		return nil, fmt.Errorf("%w: it was made for the mini-program %q, not %q", ErrOpenData, mark.Watermark.AppID, appID)
	}
	return plain, nil
}

// unpad removes PKCS#7 padding (1 to 16 bytes, each the padding's length).
func unpad(b []byte) ([]byte, bool) {
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize || n > len(b) {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}
