// Package server is minibase assembled: every setting in one Config (with
// one parser, ParseConfig: flags, MINIBASE_* variables, defaults, usage
// text), the backends the settings choose (backends.go: the SQLite
// database, the file store on disk or S3, the image cache, the functions'
// log database), the adapters between the packages (adapters.go,
// providers.go, images.go), and the HTTP app that serves them all on one
// port (app.go). The app's route groups give each route its body limit,
// time limit and caller identity; every area's errors are answered in one
// place (errors.go), in CloudBase's {code, errCode, message} shape.
//
// The minibase command's serve runs it (package cli). Another Go program
// can embed it, with routes of its own (see the example):
//
//	cfg, err := server.ParseConfig(os.Args[1:], os.Getenv)
//	if err != nil { … }
//	srv := &server.Server{Config: cfg}
//	defer srv.Close()                 // even when Open fails
//	if err := srv.Open(ctx); err != nil { … }
//	srv.Router().Get("/hello", hello) // behind the API's limits and identity
//	err = srv.Run(ctx)                // serves cfg.HTTP (or srv.Listener) until ctx ends, then drains
package server
