// A result nested a million levels deep (about 650 MB in goja): goja's
// JSON.stringify took minutes over it (its cycle check is quadratic in the
// depth) and could end the process on its stack.
exports.main = async () => {
  let v = [];
  for (let i = 0; i < 1e6; i++) v = [v];
  return v;
};
