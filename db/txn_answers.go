package db

// Answer is a database operation's answer (answers.go): it appends its
// JSON to b.
type Answer interface{ AppendJSON(b []byte) []byte }

// TxnDocAnswer is the answer of doc(id).get() in a transaction,
// {"data":doc} or {"data":null} when there is no document (or none the
// caller may see): wx-server-sdk's transactions answer so rather than
// fail.
type TxnDocAnswer struct{ Doc []byte }

// AppendJSON appends {"data":doc|null}.
func (a TxnDocAnswer) AppendJSON(b []byte) []byte {
	if a.Doc == nil {
		return append(b, `{"data":null}`...)
	}
	return DocAnswer(a).AppendJSON(b)
}

// TxnAnswer is a transaction's answer, {"results":[answer,…]}: each
// operation's answer, in order, with its rev ({…,"rev":"…"}) when Revs is
// set.
type TxnAnswer struct {
	Results []Answer
	Revs    bool
}

// AppendJSON appends {"results":[…]}.
func (a TxnAnswer) AppendJSON(b []byte) []byte {
	b = append(b, `{"results":[`...)
	for i, r := range a.Results {
		if i > 0 {
			b = append(b, ',')
		}
		start := len(b)
		b = r.AppendJSON(b)
		if a.Revs { // every answer is an object: the rev goes before its '}'
			rev := revOf(b[start:])
			b = appendString(append(b[:len(b)-1], `,"rev":`...), rev)
			b = append(b, '}')
		}
	}
	return append(b, "]}"...)
}
