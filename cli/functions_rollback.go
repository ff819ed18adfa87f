package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// rollbackFunction deploys version ref (N, vN or a hash) of name again.
func rollbackFunction(ctx context.Context, cl *fnClient, name, ref string, stdout io.Writer) error {
	var version any = strings.TrimPrefix(ref, "v")
	if n, err := strconv.Atoi(version.(string)); err == nil && len(ref) < 16 {
		version = n
	}
	var v deployedVersion
	if err := cl.json(ctx, "POST", "/v1/admin/functions/"+url.PathEscape(name)+"/rollback", map[string]any{"version": version}, &v); err != nil {
		return err
	}
	if v.Unchanged {
		_, err := fmt.Fprintf(stdout, "%s: v%d (%s) is already live\n", name, v.Number, v.Version)
		return err
	}
	_, err := fmt.Fprintf(stdout, "%s: rolled back to v%d, now live as v%d (%s)\n", name, v.From, v.Number, v.Version)
	return err
}
