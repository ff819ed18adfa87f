package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
)

// invokeFunction prints the answer {result, requestID} on success.
func invokeFunction(ctx context.Context, cl *fnClient, name, data string, stdout io.Writer) error {
	var event map[string]any
	if err := json.Unmarshal([]byte(data), &event); err != nil {
		return fmt.Errorf("--data must be a JSON object: %v", err)
	}
	body := append(append([]byte(`{"data":`), data...), '}')
	raw, err := cl.do(ctx, "POST", "/v1/functions/"+url.PathEscape(name)+"/invoke", "application/json", bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", bytes.TrimSpace(raw))
	return err
}
