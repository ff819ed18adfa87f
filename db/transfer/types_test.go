package transfer_test

// everyType is one document of each kind of value minibase stores.
var everyType = []string{
	`{"_id":"a","s":"plain","empty":"","num":"123","t":"true","n":"null","js":"{\"x\":1}","lead":"\"quoted\"","date":"2024-05-01T08:00:00.000Z","dash":"-","zeros":"007"}`,
	`{"_id":"b","i":42,"neg":-7,"max":9223372036854775807,"min":-9223372036854775808,"f":3.25,"big":1e300,"tiny":5e-324,"float2p60":1.152921504606847e+18,"zero":0,"nz":-0.5}`,
	`{"_id":"c","yes":true,"no":false,"nil":null,"d":{"$date":"1970-01-01T00:00:00.000Z"},"d2":{"$date":"9999-12-31T23:59:59.999Z"},"d3":{"$date":"0001-01-01T00:00:00.000Z"}}`,
	`{"_id":"d","nested":{"a":{"b":[1,{"c":"x"},[2,3]]},"when":{"$date":"2020-02-29T12:34:56.789Z"}},"arr":[],"obj":{},"mixed":[null,true,"s",1.5,{"$date":"2021-01-01T00:00:00.000Z"}]}`,
	`{"_id":"e","geo":{"type":"Point","coordinates":[113.32452,23.099994]},"poly":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}`,
	`{"_id":"f","zh":"中文，标点。","emoji":"😀 family 👨‍👩‍👧","rtl":"עברית","ctl":"tab\tnew\nline\r\u0001","comma":"a,b","q":"say \"hi\"","bs":"back\\slash"}`,
	`{"_id":"g/with spaces,and\"quotes\"","only":1}`,
	`{"_id":"h"}`,
}
