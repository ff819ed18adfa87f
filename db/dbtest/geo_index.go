package dbtest

import (
	"math"
	"slices"
	"testing"

	"minibase/db"
)

// testGeoIndex checks a 2dsphere index's life: it is listed as such, it
// refuses documents it cannot file (when created and on every write,
// changing nothing), and it follows every insert, update, replace and
// remove, so that $nearSphere sees the collection as it is.
func testGeoIndex(t *testing.T, open func(t *testing.T) db.Driver) {
	t.Run("listed", func(t *testing.T) {
		d := open(t)
		insert(t, d, "shops")
		createGeoIndex(t, d, "shops")
		got := indexes(t, d, "shops")
		if len(got) != 1 || !got[0].Geo() || got[0].Keys[0].Path != "loc" || got[0].Name != "loc_2dsphere" {
			t.Errorf("Indexes: got %+v, want one 2dsphere index on loc named loc_2dsphere", got)
		}
	})
	t.Run("refuses a collection it cannot file", func(t *testing.T) {
		d := open(t)
		insert(t, d, "shops", `{"_id": "1", "loc": {"type": "Point", "coordinates": [1, 2]}}`, `{"_id": "2", "loc": "home"}`)
		wantCode(t, "CreateIndex", d.CreateIndex(t.Context(), "shops", geoIndex), db.CodeInvalidParam)
		if got := indexes(t, d, "shops"); len(got) != 0 {
			t.Errorf("Indexes after a refused CreateIndex: %+v", got)
		}
	})
	t.Run("refuses writes it cannot file", func(t *testing.T) {
		d := open(t)
		seed := []string{
			`{"_id": "1", "loc": {"type": "Point", "coordinates": [1, 2]}}`,
			`{"_id": "2"}`,
			`{"_id": "3", "loc": null}`,
			`{"_id": "4", "loc": [3, 4]}`,
			`{"_id": "5", "loc": []}`,
		}
		insert(t, d, "shops", seed...)
		createGeoIndex(t, d, "shops")
		bad := []string{
			`"x"`, `5`, `[1, 2, 3]`, `[200, 0]`, `{"type": "Point", "coordinates": [0, 91]}`,
			`{"type": "Point"}`, `{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0.5]]]}`,
			`{"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}`,
			`[{"type": "Point", "coordinates": [1, 2]}, "x"]`,
		}
		for _, b := range bad {
			ops := map[string]*db.WriteOp{
				"insert":  {Kind: db.WriteInsert, Docs: decodeDocs(t, []string{`{"_id": "9", "loc": ` + b + `}`})},
				"update":  {Kind: db.WriteUpdate, Filter: parseFilter(t, `{"_id": "1"}`), Update: parseUpdate(t, `{"$set": {"loc": `+b+`}}`)},
				"upsert":  {Kind: db.WriteUpdate, Filter: parseFilter(t, `{"_id": "9"}`), Update: parseUpdate(t, `{"$set": {"loc": `+b+`}}`), Upsert: true, UpsertID: "9"},
				"replace": {Kind: db.WriteReplace, Doc: decodeDoc(t, `{"_id": "2", "loc": `+b+`}`)},
			}
			for kind, op := range ops {
				_, err := write(t, d, "shops", op)
				wantCode(t, kind+" of loc "+b, err, db.CodeInvalidParam)
			}
		}
		wantDocs(t, d, "shops", "after the refused writes", seed...)
	})
	t.Run("follows every write", func(t *testing.T) {
		d := open(t)
		insert(t, d, "shops",
			`{"_id": "a", "loc": {"type": "Point", "coordinates": [0.001, 0]}}`,
			`{"_id": "b", "loc": {"type": "Point", "coordinates": [0.002, 0]}}`,
			`{"_id": "c", "loc": {"type": "Point", "coordinates": [0.003, 0]}}`,
		)
		createGeoIndex(t, d, "shops")
		near := func(what string, want ...string) {
			t.Helper()
			q := &db.Query{Filter: parseFilter(t, nearFilter([2]float64{0, 0}, `, "$maxDistance": 1000`)), Limit: maxLimit}
			if got := ids(find(t, d, "shops", q)); !slices.Equal(got, want) {
				t.Errorf("%s: got %s, want %s", what, show(got), show(want))
			}
		}
		near("as created", "a", "b", "c")
		insert(t, d, "shops", `{"_id": "d", "loc": [0.0005, 0]}`, `{"_id": "e", "name": "no location"}`)
		near("after an insert", "d", "a", "b", "c")
		step := func(what string, op *db.WriteOp, want ...string) {
			t.Helper()
			if _, err := write(t, d, "shops", op); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			near(what, want...)
		}
		step("after an update moved c nearest", &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{"_id": "c"}`),
			Update: parseUpdate(t, `{"$set": {"loc.coordinates": [0, 0.0001]}}`)}, "c", "d", "a", "b")
		step("after an update moved a away", &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{"_id": "a"}`),
			Update: parseUpdate(t, `{"$set": {"loc": {"type": "Point", "coordinates": [50, 50]}}}`)}, "c", "d", "b")
		step("after an update gave e a location", &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{"_id": "e"}`),
			Update: parseUpdate(t, `{"$set": {"loc": [0.0025, 0]}}`)}, "c", "d", "b", "e")
		step("after an update removed b's location", &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{"_id": "b"}`),
			Update: parseUpdate(t, `{"$unset": {"loc": ""}}`)}, "c", "d", "e")
		step("after a replace", &db.WriteOp{Kind: db.WriteReplace, Doc: decodeDoc(t, `{"_id": "d", "loc": [0.004, 0]}`)}, "c", "e", "d")
		step("after a replace that creates", &db.WriteOp{Kind: db.WriteReplace, Doc: decodeDoc(t, `{"_id": "f", "loc": [0, 0]}`)}, "f", "c", "e", "d")
		step("after an upsert", &db.WriteOp{Kind: db.WriteUpdate, Filter: parseFilter(t, `{"_id": "g"}`),
			Update: parseUpdate(t, `{"$set": {"loc": [0.0001, 0]}}`), Upsert: true, UpsertID: "g"}, "f", "c", "g", "e", "d")
		step("after a remove", &db.WriteOp{Kind: db.WriteRemove, Filter: parseFilter(t, `{"_id": {"$in": ["c", "e"]}}`), Multi: true}, "f", "g", "d")
		step("after a remove by a geo filter", &db.WriteOp{Kind: db.WriteRemove, Multi: true,
			Filter: parseFilter(t, `{"loc": {"$geoWithin": {"$centerSphere": [[0, 0], 0.0000001]}}}`)}, "g", "d")
		step("after an update by a near filter", &db.WriteOp{Kind: db.WriteUpdate, Multi: true,
			Filter: parseFilter(t, nearFilter([2]float64{0, 0}, `, "$maxDistance": 100`)), Update: parseUpdate(t, `{"$set": {"loc": [0.005, 0]}}`)}, "d", "g")
	})
	t.Run("dropped and created again", func(t *testing.T) {
		d := open(t)
		insert(t, d, "shops", `{"_id": "a", "loc": [1, 1]}`)
		createGeoIndex(t, d, "shops")
		if err := d.DropIndex(t.Context(), "shops", "loc_2dsphere"); err != nil {
			t.Fatalf("DropIndex: %v", err)
		}
		f := parseFilter(t, nearFilter([2]float64{1, 1}, ""))
		_, err := d.Find(t.Context(), "shops", &db.Query{Filter: f, Limit: 20})
		wantCode(t, "Find after DropIndex", err, db.CodeInvalidOperator)
		insert(t, d, "shops", `{"_id": "b", "loc": "not a place"}`) // no index: anything goes
		wantCode(t, "CreateIndex over a value it cannot file", d.CreateIndex(t.Context(), "shops", geoIndex), db.CodeInvalidParam)
		if _, err := write(t, d, "shops", &db.WriteOp{Kind: db.WriteRemove, Filter: parseFilter(t, `{"_id": "b"}`)}); err != nil {
			t.Fatal(err)
		}
		createGeoIndex(t, d, "shops")
		if got := ids(find(t, d, "shops", &db.Query{Filter: f, Limit: 20})); !slices.Equal(got, []string{"a"}) {
			t.Errorf("Find with the index created again: got %s", show(got))
		}
		if err := d.DropCollection(t.Context(), "shops"); err != nil {
			t.Fatal(err)
		}
		insert(t, d, "shops", `{"_id": "c", "loc": "anything"}`)
		if got := indexes(t, d, "shops"); len(got) != 0 {
			t.Errorf("Indexes of the collection created again: %+v", got)
		}
	})
}

// testGeoNearStage runs $geoNear stages as an aggregation does: the
// stage's filter found without a sort, each document annotated.
func testGeoNearStage(t *testing.T, open func(t *testing.T) db.Driver) {
	d := open(t)
	var docs []string
	for name := range cities {
		docs = append(docs, cityDoc(name))
	}
	slices.Sort(docs)
	insert(t, d, "cities", docs...)
	createGeoIndex(t, d, "cities")
	idx := indexes(t, d, "cities")
	run := func(t *testing.T, stage string, limit int) []db.Doc {
		t.Helper()
		s, err := db.ParseGeoNearStage(decode(t, stage), idx)
		if err != nil {
			t.Fatalf("ParseGeoNearStage(%s): %v", stage, err)
		}
		f, err := db.ParseFilter(s.Filter)
		if err != nil {
			t.Fatalf("ParseFilter(%s): %v", db.MarshalJSON(s.Filter), err)
		}
		out := find(t, d, "cities", &db.Query{Filter: f, Limit: limit})
		for i, doc := range out {
			if out[i], err = s.Annotate(doc); err != nil {
				t.Fatalf("Annotate(%s): %v", db.MarshalJSON(doc), err)
			}
		}
		return out
	}
	gz := cities["guangzhou"]
	order, dist := byDistance(gz)
	t.Run("distanceField, nearest first", func(t *testing.T) {
		out := run(t, `{"near": {"type": "Point", "coordinates": [113.2644, 23.1291]}, "distanceField": "dist.calculated", "includeLocs": "dist.location", "spherical": true}`, 5)
		if got := ids(out); !slices.Equal(got, order[:5]) {
			t.Fatalf("got %s, want %s", show(got), show(order[:5]))
		}
		for _, doc := range out {
			v, _ := db.GetPath(doc, "dist.calculated")
			got, ok := v.(float64)
			if want := dist[doc.ID()]; !ok || math.Abs(got-want) > 1e-3+1e-9*want {
				t.Errorf("%s: dist.calculated %v, want %v (haversine)", doc.ID(), v, want)
			}
			loc, _ := db.GetPath(doc, "dist.location")
			if stored, _ := db.GetPath(doc, "loc"); !db.Equal(loc, stored) {
				t.Errorf("%s: dist.location %v, want %v", doc.ID(), loc, stored)
			}
		}
	})
	t.Run("query, maxDistance, distanceMultiplier", func(t *testing.T) {
		stage := `{"near": {"type": "Point", "coordinates": [113.2644, 23.1291]}, "distanceField": "km", "distanceMultiplier": 0.001,
			"maxDistance": 200000, "query": {"_id": {"$ne": "foshan"}}, "key": "loc"}`
		out := run(t, stage, 100)
		var want []string
		for _, name := range order {
			if dist[name] <= 200000 && name != "foshan" {
				want = append(want, name)
			}
		}
		if got := ids(out); !slices.Equal(got, want) {
			t.Fatalf("got %s, want %s", show(got), show(want))
		}
		for _, doc := range out {
			v, _ := doc.Get("km")
			if got, want := v.(float64), dist[doc.ID()]/1000; math.Abs(got-want) > 1e-6 {
				t.Errorf("%s: km %v, want %v", doc.ID(), got, want)
			}
		}
	})
	t.Run("a legacy pair, in radians", func(t *testing.T) {
		out := run(t, `{"near": [113.2644, 23.1291], "distanceField": "d", "spherical": true}`, 2)
		v, _ := out[1].Get("d")
		if got, want := v.(float64), dist[order[1]]/earthRadius; out[1].ID() != order[1] || math.Abs(got-want) > 1e-12 {
			t.Errorf("second: %s at %v rad, want %s at %v", out[1].ID(), got, order[1], want)
		}
	})
	t.Run("refused", func(t *testing.T) {
		cases := []struct {
			stage string
			idx   []db.Index
			code  string
		}{
			{`{"near": {"type": "Point", "coordinates": [1, 2]}}`, idx, db.CodeInvalidParam},
			{`{"near": {"type": "Point", "coordinates": [1, 2]}, "distanceField": "d", "num": 5}`, idx, db.CodeInvalidParam},
			{`{"near": {"type": "Point", "coordinates": [1, 2]}, "distanceField": "d"}`, nil, db.CodeInvalidOperator},
			{`{"near": {"type": "Point", "coordinates": [1, 2]}, "distanceField": "d", "key": "elsewhere"}`, idx, db.CodeInvalidOperator},
			{`{"near": {"type": "Point", "coordinates": [1, 2]}, "distanceField": "d"}`,
				append(slices.Clone(idx), db.Index{Keys: []db.IndexKey{{Path: "home", Type: db.Geo2DSphere}}}), db.CodeInvalidOperator},
			{`{"near": [1, 2], "distanceField": "d"}`, idx, db.CodeInvalidOperator},
			{`{"near": {"type": "Point", "coordinates": [1, 200]}, "distanceField": "d"}`, idx, db.CodeInvalidOperator},
			{`{"near": {"type": "Point", "coordinates": [1, 2]}, "distanceField": "d", "maxDistance": -1}`, idx, db.CodeInvalidOperator},
			{`{"near": {"type": "Point", "coordinates": [1, 2]}, "distanceField": "d", "query": {"loc": {"$nearSphere": [1, 2]}}}`, idx, db.CodeInvalidOperator},
		}
		for _, c := range cases {
			_, err := db.ParseGeoNearStage(decode(t, c.stage), c.idx)
			wantCode(t, c.stage, err, c.code)
		}
	})
}
