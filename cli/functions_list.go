package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// fnInfo is what the list prints of GET /v1/admin/functions.
type fnInfo struct {
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	Number    int       `json:"number"`
	UpdatedAt time.Time `json:"updatedAt"`
	Timeout   float64   `json:"timeout"`
	Memory    int       `json:"memorySize"`
	Bundled   bool      `json:"bundled"`
	Error     string    `json:"error"`
	HTTP      []struct {
		Path string `json:"path"`
	} `json:"http"`
	Timer *struct {
		Config string `json:"config"`
	} `json:"timer"`
	Database []struct {
		Collection string   `json:"collection"`
		Events     []string `json:"events"`
	} `json:"database"`
}

func listFunctions(ctx context.Context, cl *fnClient, stdout io.Writer) error {
	var out struct{ Data []fnInfo }
	if err := cl.json(ctx, "GET", "/v1/admin/functions", nil, &out); err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tVERSION\tUPDATED\tTIMEOUT\tMEMORY\tTRIGGERS")
	for _, f := range out.Data {
		ver := "v" + strconv.Itoa(f.Number)
		if f.Number == 0 {
			ver = "edited"
		}
		if f.Bundled {
			ver += " (bundled)"
		}
		var trig []string
		for _, r := range f.HTTP {
			trig = append(trig, "/fn"+r.Path)
		}
		if f.Timer != nil {
			trig = append(trig, "timer "+f.Timer.Config)
		}
		for _, d := range f.Database {
			trig = append(trig, "db "+d.Collection+" "+strings.Join(d.Events, "/"))
		}
		if f.Error != "" {
			trig = []string{"error: " + f.Error}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%gs\t%d MB\t%s\n", f.Name, ver, f.UpdatedAt.Local().Format("2006-01-02 15:04:05"),
			f.Timeout, f.Memory, strings.Join(trig, ", "))
	}
	return w.Flush()
}
