package db

import (
	"context"
	"testing"
	"time"
)

// sliceSource is an aggSource over documents in memory: every collection,
// the pipeline's and its lookups', holds the same documents.
type sliceSource struct{ docs []Doc }

func (s sliceSource) read(x *aggRun, l *lookupStage, join *Filter, plan aggPlan) (*source, error) {
	f := andFilters(plan.query.Filter, join)
	var out []Doc
	for _, d := range s.docs {
		if f.Match(d) {
			out = append(out, d)
		}
	}
	return &source{docIter: sliceIter(out), close: func() {}}, nil
}

// fuzzGeoIndexes are the indexes a fuzzed $geoNear resolves against.
var fuzzGeoIndexes = []Index{{Keys: []IndexKey{{Path: "loc", Type: Geo2DSphere}}}}

// FuzzPipeline checks that no pipeline panics the parser or a run over
// the fuzz documents, that errors carry a code, and that outputs are
// documents JSON can carry.
func FuzzPipeline(f *testing.F) {
	for _, s := range []string{
		`[{"$match": {"a": {"$gt": 1}}}, {"$group": {"_id": "$b", "n": {"$sum": 1}, "p": {"$push": "$$ROOT"}}}]`,
		`[{"$project": {"x": {"$map": {"input": "$a", "in": {"$add": ["$$this", 1]}}}, "y": "$a.b"}}, {"$unwind": "$x"}]`,
		`[{"$addFields": {"a.z": {"$concat": ["$b", "!"]}}}, {"$sort": {"a": -1}}, {"$limit": 2}]`,
		`[{"$lookup": {"from": "c", "localField": "a", "foreignField": "a", "as": "j"}}, {"$facet": {"f": [{"$count": "n"}]}}]`,
		`[{"$bucketAuto": {"groupBy": "$n", "buckets": 2}}, {"$replaceWith": "$_id"}]`,
		`[{"$geoNear": {"near": {"type": "Point", "coordinates": [1, 2]}, "distanceField": "a.d", "includeLocs": "l", "query": {"b": 1}}}, {"$limit": 2}]`,
		`[{"$set": {"d": {"$dateToString": {"date": "$d", "format": "%G-%V %H:%M", "timezone": "+08:00"}}}}]`,
	} {
		f.Add([]byte(s))
	}
	// and locations for $geoNear to measure (one where it sets a field
	// inside a value that is not a document).
	all := append(fuzzDocs[:len(fuzzDocs):len(fuzzDocs)], `{"loc": {"type": "Point", "coordinates": [1.5, 2]}, "b": 1, "a": {"x": 1}}`,
		`{"loc": [[1, 2], [3, 4]], "a": 5, "l": [1]}`)
	docs := make([]Doc, len(all))
	for i, s := range all {
		v, err := DecodeJSON([]byte(s), MaxDepth)
		if err != nil {
			f.Fatalf("decode %s: %v", s, err)
		}
		docs[i] = v.(Doc)
	}
	now := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeJSON(data, MaxDepth+4)
		if err != nil {
			return
		}
		pl, err := ParsePipeline(v, now)
		if err != nil {
			if ErrorCode(err) == "" {
				t.Fatalf("ParsePipeline(%s): error without a code: %v", data, err)
			}
			return
		}
		err = pl.resolveGeoNear(context.Background(), func(context.Context) ([]Index, error) { return fuzzGeoIndexes, nil })
		if err != nil {
			if ErrorCode(err) == "" {
				t.Fatalf("$geoNear of %s: error without a code: %v", data, err)
			}
			return
		}
		plan := planPipeline(pl.stages)
		plan.rest = append(append([]stage(nil), plan.sorted...), plan.rest...)
		plan.sorted, plan.query = nil, Query{Filter: plan.query.Filter}
		x := newRun(context.Background(), pl, &memMeter{limit: 1 << 20}, sliceSource{docs})
		src, err := x.from.read(x, nil, nil, plan)
		if err != nil {
			t.Fatal(err)
		}
		err = x.drain(x.chain(plan, src), func(d Doc) error {
			if err := ValidateDoc(stripID(d)); err != nil && ErrorCode(err) == "" {
				t.Fatalf("%s: output %s: %v", data, MarshalJSON(d), err)
			}
			MarshalJSON(d)
			return nil
		})
		if err != nil && ErrorCode(err) == "" {
			t.Fatalf("%s: error without a code: %v", data, err)
		}
	})
}

// stripID drops _id, which pipelines may set to any value.
func stripID(d Doc) Doc {
	out := make(Doc, 0, len(d))
	for _, f := range d {
		if f.Key != "_id" {
			out = append(out, f)
		}
	}
	return out
}
