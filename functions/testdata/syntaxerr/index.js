exports.main = async (event) => {
  return { broken: true
};
