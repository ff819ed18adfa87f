package functions

// bindProcess binds process with env: a copy of the function's own
// environment variables (config.json envVariables), never the server's.
// The prelude adds process.nextTick.
func (in *instance) bindProcess() {
	vm := in.vm
	env := vm.NewObject()
	for k, v := range in.fn.code.Config.Env {
		env.Set(k, v)
	}
	process := vm.NewObject()
	process.Set("env", env)
	vm.Set("process", process)
}
