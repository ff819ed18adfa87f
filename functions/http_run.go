package functions

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
)

// The console's run panel: POST /admin/functions/{name}/run {data} runs
// the function as the admin and answers, whether it returned or failed,
// {result, error?, logs, ms, requestID}: the run's console output (at
// most maxRunLines lines of the invocation's MaxLog bytes) with its
// outcome. A run that could not start (no such function, a bad event,
// the queue full) is an error answer as for invoke.

// maxRunLines bounds the lines a run's answer carries; the rest are
// counted in a last line.
const maxRunLines = 1000

// RunLine is one line of a run's console output.
type RunLine struct {
	Level string    `json:"level"`
	Msg   string    `json:"msg"`
	Time  time.Time `json:"time"`
}

// RunError is a failed run's error.
type RunError struct {
	Code    string `json:"code"`
	ErrCode int    `json:"errCode"`
	Message string `json:"message"`
}

// runAnswer is the answer of a run.
type runAnswer struct {
	Result    jsonRaw   `json:"result"`
	Error     *RunError `json:"error,omitempty"`
	Logs      []RunLine `json:"logs"`
	MS        float64   `json:"ms"`
	RequestID string    `json:"requestID"`
}

// jsonRaw is JSON written as is ("null" when empty).
type jsonRaw []byte

func (j jsonRaw) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

func (rt *Runtime) handleRun(c *fiber.Ctx) error {
	if err := needAdmin(c); err != nil {
		return err
	}
	event, async, err := invokeBody(c.Body())
	if err != nil {
		return err
	}
	if async {
		return Errorf(CodeInvalidParam, "a run waits for its result: async is not taken here (invoke with async instead)")
	}
	inv := Invocation{ClientIP: string([]byte(c.IP())), Source: "console"}
	if f := rt.opts.Files; f != nil && f.PublicURL() == "" {
		inv.BaseURL = c.BaseURL()
	}
	res, err := rt.invokeLogged(c.UserContext(), param(c, "name"), event, inv)
	var fe *Error
	if err != nil && (!errors.As(err, &fe) || !ranAndFailed(fe.Code)) {
		return err
	}
	a := runAnswer{Result: res.Value, Logs: runLines(res.Logs), MS: float64(res.Duration.Microseconds()) / 1000, RequestID: res.RequestID}
	if fe != nil {
		a.Result = nil
		a.Error = &RunError{Code: fe.Code, ErrCode: fe.ErrCode, Message: fe.Message}
	}
	return c.JSON(a)
}

// ranAndFailed reports whether an invocation error's code is the
// function's own failure (it ran), not a refusal to run it.
func ranAndFailed(code string) bool {
	return code == CodeExecuteFail || code == CodeResultTooLarge
}

// runLines are lines as the run answers them: at most maxRunLines, the
// rest counted in a last one.
func runLines(lines []LogLine) []RunLine {
	out := make([]RunLine, 0, min(len(lines), maxRunLines+1))
	for i, l := range lines {
		if i == maxRunLines {
			out = append(out, RunLine{Level: "warn", Time: l.Time,
				Msg: "[minibase] " + strconv.Itoa(len(lines)-maxRunLines) + " more lines: the run panel shows " + strconv.Itoa(maxRunLines)})
			break
		}
		out = append(out, RunLine{Level: l.Level, Msg: l.Message, Time: l.Time})
	}
	return out
}
