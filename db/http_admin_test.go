//go:build !minibase_fuzz

package db_test

import (
	"testing"

	"minibase/server/servertest"
)

// TestCollectionsAndIndexesAPI: the admin's catalog: collections and their
// indexes, and what a unique index holds the documents to.
func TestCollectionsAndIndexesAPI(t *testing.T) {
	users := byAdmin("POST", "/v1/admin/collections", `{"name":"users"}`)
	uniqueEmail := byAdmin("POST", "/v1/admin/collections/users/indexes", `{"keys":[{"path":"email"}],"unique":true}`)
	twice := `{"data":[{"email":"a@x"},{"email":"a@x"}]}`
	servertest.Run(t, []servertest.Scenario{
		{Name: "create", Method: "POST", URL: "/v1/admin/collections", Body: `{"name":"users"}`, As: asAdmin,
			Status: 200, Want: `{"name":"users"}`},
		{Name: "create again", Setup: []servertest.Request{users}, Method: "POST", URL: "/v1/admin/collections",
			Body: `{"name":"users"}`, As: asAdmin, Status: 409},
		{Name: "create invalid", Method: "POST", URL: "/v1/admin/collections", Body: `{"name":"-x"}`, As: asAdmin, Status: 400},
		{Name: "list", Setup: []servertest.Request{users}, Method: "GET", URL: "/v1/admin/collections", As: asAdmin,
			Status: 200, Want: `{"data":[{"name":"users","count":0}]}`},
		{Name: "index", Setup: []servertest.Request{users}, Method: "POST", URL: "/v1/admin/collections/users/indexes",
			Body: `{"keys":[{"path":"email"}],"unique":true}`, As: asAdmin, Status: 200, Want: `{"name":"email_1"}`},
		{Name: "compound index, map form", Setup: []servertest.Request{users}, Method: "POST", URL: "/v1/admin/collections/users/indexes",
			Body: `{"keys":{"city":1,"age":-1}}`, As: asAdmin, Status: 200, Want: `{"name":"city_1_age_-1"}`},
		{Name: "list indexes", Setup: []servertest.Request{users, uniqueEmail,
			byAdmin("POST", "/v1/admin/collections/users/indexes", `{"keys":{"city":1,"age":-1}}`)},
			Method: "GET", URL: "/v1/admin/collections/users/indexes", As: asAdmin, Status: 200,
			Equal: `{"data":[{"name":"city_1_age_-1","keys":[{"path":"city"},{"path":"age","desc":true}],"unique":false},` +
				`{"name":"email_1","keys":[{"path":"email"}],"unique":true}]}`},
		{Name: "unique holds", Setup: []servertest.Request{users, uniqueEmail}, Method: "POST", URL: "/v1/db/users/insert",
			Body: twice, As: asAdmin, Status: 409, After: servertest.Then(count("users", `{}`, 0))},
		{Name: "drop index", Setup: []servertest.Request{users, uniqueEmail}, Method: "DELETE",
			URL: "/v1/admin/collections/users/indexes/email_1", As: asAdmin, Status: 200,
			After: servertest.Then(servertest.Scenario{Name: "duplicates now allowed", Method: "POST", URL: "/v1/db/users/insert",
				Body: twice, As: asAdmin, Status: 200})},
		{Name: "drop missing index", Setup: []servertest.Request{users}, Method: "DELETE",
			URL: "/v1/admin/collections/users/indexes/email_1", As: asAdmin, Status: 400},
		{Name: "unique over duplicates fails", Setup: []servertest.Request{users, byAdmin("POST", "/v1/db/users/insert", twice)},
			Method: "POST", URL: "/v1/admin/collections/users/indexes", Body: `{"keys":{"email":1},"unique":true}`, As: asAdmin,
			Status: 409},
		{Name: "index on missing collection", Method: "POST", URL: "/v1/admin/collections/nope/indexes", Body: `{"keys":{"a":1}}`,
			As: asAdmin, Status: 404},
		{Name: "drop collection", Setup: []servertest.Request{users}, Method: "DELETE", URL: "/v1/admin/collections/users",
			As: asAdmin, Status: 200,
			After: servertest.Then(servertest.Scenario{Name: "gone", Method: "POST", URL: "/v1/db/users/query", Body: `{}`,
				As: asAdmin, Status: 404})},
		{Name: "drop missing", Method: "DELETE", URL: "/v1/admin/collections/users", As: asAdmin, Status: 404},
	})
}
