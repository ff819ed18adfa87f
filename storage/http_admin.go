package storage

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
)

func (s *Service) handleBuckets(c *fiber.Ctx) error {
	list, err := s.Buckets(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"data": list})
}

func (s *Service) handleBucket(c *fiber.Ctx) error {
	b, err := s.Bucket(c.UserContext(), strings.Clone(c.Params("bucket")))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"bucket": b})
}

// decodeBody reads a JSON object body into v (admins only, small bodies).
func decodeBody(c *fiber.Ctx, v any) error {
	if err := admin(c.UserContext()); err != nil {
		return err
	}
	b := c.Body()
	if len(b) > MaxJSONBody {
		return Errorf(CodeInvalidParam, "request body is larger than %d bytes", MaxJSONBody)
	}
	if err := json.Unmarshal(b, v); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return e
		}
		return Errorf(CodeInvalidParam, "body must be a JSON object with the documented fields: %v", err)
	}
	return nil
}

func (s *Service) handleCreateBucket(c *fiber.Ctx) error {
	var b BucketSettings
	if err := decodeBody(c, &b); err != nil {
		return err
	}
	out, err := s.CreateBucket(c.UserContext(), b)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"bucket": out})
}

func (s *Service) handleUpdateBucket(c *fiber.Ctx) error {
	var p BucketPatch
	if err := decodeBody(c, &p); err != nil {
		return err
	}
	out, err := s.UpdateBucket(c.UserContext(), strings.Clone(c.Params("bucket")), p)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"bucket": out})
}

// handleValidateRule checks {"rule": …} as creating or patching a bucket
// would (Rule.UnmarshalJSON, that is ParseRule), saving nothing: {"ok":
// true}, or the very INVALID_PARAM those would answer, so that the
// console can show it while the admin types.
func (s *Service) handleValidateRule(c *fiber.Ctx) error {
	var p struct {
		Rule *Rule `json:"rule"`
	}
	if err := decodeBody(c, &p); err != nil {
		return err
	}
	if p.Rule == nil {
		return Errorf(CodeInvalidParam, `the body is {"rule": …}: a preset name or {"read": …, "write": …}`)
	}
	return c.JSON(fiber.Map{"ok": true})
}

func (s *Service) handleDeleteBucket(c *fiber.Ctx) error {
	if err := s.DeleteBucket(c.UserContext(), strings.Clone(c.Params("bucket")), c.QueryBool("force")); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ok": true})
}

func (s *Service) handleFiles(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit")
	if err != nil {
		return err
	}
	page, err := s.Files(c.UserContext(), strings.Clone(c.Params("bucket")), strings.Clone(c.Query("prefix")),
		strings.Clone(c.Query("after")), limit, c.QueryBool("folders"))
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (s *Service) handleFile(c *fiber.Ctx) error {
	f, err := s.File(c.UserContext(), strings.Clone(c.Query("fileID")))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"file": f})
}

func (s *Service) handleDeleteFile(c *fiber.Ctx) error {
	if err := admin(c.UserContext()); err != nil {
		return err
	}
	res, err := s.Delete(c.UserContext(), []string{strings.Clone(c.Query("fileID"))})
	if err != nil {
		return err
	}
	if res[0].Status != 0 {
		return &Error{Code: res[0].Code, ErrCode: res[0].Status, Message: strings.TrimPrefix(res[0].ErrMsg, res[0].Code+": ")}
	}
	return c.JSON(fiber.Map{"ok": true})
}
