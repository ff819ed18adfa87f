// Returns what it was given; main's second argument is SCF's context.
exports.main = async (event, context) => ({ event, context });
