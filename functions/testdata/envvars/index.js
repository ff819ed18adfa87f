// process.env holds exactly the function's envVariables; context reports
// its limits.
exports.main = async (event, context) => {
  process.env.SET_AT_RUNTIME = 'kept in this instance';
  return { env: process.env, context };
};
