package openapitest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
)

// EncryptOpenData is what WeChat does to a user's open data (WeRun
// steps, share info): AES-128-CBC of data, PKCS#7-padded, with the user's
// session key; sessionKey and iv base64 (16 bytes each), the result too.
func EncryptOpenData(sessionKey, iv string, data []byte) string {
	key, err := base64.StdEncoding.DecodeString(sessionKey)
	if err != nil {
		panic(err)
	}
	ivb, err := base64.StdEncoding.DecodeString(iv)
	if err != nil {
		panic(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	n := aes.BlockSize - len(data)%aes.BlockSize
	b := append(bytes.Clone(data), bytes.Repeat([]byte{byte(n)}, n)...)
	cipher.NewCBCEncrypter(block, ivb).CryptBlocks(b, b)
	return base64.StdEncoding.EncodeToString(b)
}
